//! Every documented metric validation error, with DRF's exact codes and messages.

mod common;
use common::*;
use serde_json::{json, Value};

const M: &str = "1/groups_types/0/metrics/";

fn with(field: &str, value: Value) -> Value {
    let mut body = metric("Valid name");
    body[field] = value;
    body
}

/// The whole envelope of a refused create, and nothing stored.
async fn expect_400(sb: &Sb, body: Value, code: &str, detail: &str, attr: Option<&str>) {
    let before = sb.state().await;
    let a = sb.post(FULL, M, body.clone()).await;
    assert_error(&a, 400, "validation_error", code, detail, attr);
    assert_eq!(sb.state().await, before, "nothing stored for {body}");
}

#[tokio::test]
async fn name_rules() {
    let sb = start().await;
    expect_400(
        &sb,
        json!({"filters": {}}),
        "required",
        "This field is required.",
        Some("name"),
    )
    .await;
    expect_400(
        &sb,
        with("name", json!("")),
        "blank",
        "This field may not be blank.",
        Some("name"),
    )
    .await;
    expect_400(
        &sb,
        with("name", json!("   ")),
        "blank",
        "This field may not be blank.",
        Some("name"),
    )
    .await;
    expect_400(
        &sb,
        with("name", json!(null)),
        "null",
        "This field may not be null.",
        Some("name"),
    )
    .await;
    expect_400(
        &sb,
        with("name", json!(["a"])),
        "invalid_input",
        "Not a valid string.",
        Some("name"),
    )
    .await;
    expect_400(
        &sb,
        with("name", json!("n".repeat(256))),
        "max_length",
        "Ensure this field has no more than 255 characters.",
        Some("name"),
    )
    .await;
    let a = sb.post(FULL, M, with("name", json!("n".repeat(255)))).await;
    assert_eq!(a.status, 201);
    // DRF trims surrounding whitespace.
    let a = sb.post(FULL, M, with("name", json!("  Trimmed  "))).await;
    assert_eq!(a.json["name"], "Trimmed");
}

#[tokio::test]
async fn enum_fields_report_invalid_choice() {
    let sb = start().await;
    for field in ["format", "display", "math"] {
        expect_400(
            &sb,
            with(field, json!("foo")),
            "invalid_choice",
            "\"foo\" is not a valid choice.",
            Some(field),
        )
        .await;
        expect_400(
            &sb,
            with(field, json!("")),
            "invalid_choice",
            "\"\" is not a valid choice.",
            Some(field),
        )
        .await;
    }
    expect_400(
        &sb,
        with("format", json!(5)),
        "invalid_choice",
        "\"5\" is not a valid choice.",
        Some("format"),
    )
    .await;
    expect_400(
        &sb,
        with("display", json!(null)),
        "null",
        "This field may not be null.",
        Some("display"),
    )
    .await;
}

#[tokio::test]
async fn interval_must_be_an_integer() {
    let sb = start().await;
    for bad in [
        json!("weekly"),
        json!(7.5),
        json!(true),
        json!([7]),
        json!("7.5"),
    ] {
        expect_400(
            &sb,
            with("interval", bad),
            "invalid_input",
            "A valid integer is required.",
            Some("interval"),
        )
        .await;
    }
    for (given, stored) in [
        (json!(14), 14),
        (json!("30"), 30),
        (json!(90.0), 90),
        (json!(0), 0),
        (json!(-3), -3),
    ] {
        let name = format!("Interval {given}");
        let mut body = with("interval", given);
        body["name"] = json!(name);
        let a = sb.post(FULL, M, body).await;
        assert_eq!(
            (a.status, &a.json["interval"]),
            (201, &json!(stored)),
            "{}",
            a.text
        );
    }
}

#[tokio::test]
async fn filters_rules() {
    let sb = start().await;
    expect_400(
        &sb,
        json!({"name": "No filters"}),
        "required",
        "This field is required.",
        Some("filters"),
    )
    .await;
    expect_400(
        &sb,
        with("filters", json!(null)),
        "null",
        "This field may not be null.",
        Some("filters"),
    )
    .await;
    expect_400(
        &sb,
        with("filters", json!([])),
        "not_a_dict",
        "Expected a dictionary of items but got type \"list\".",
        Some("filters"),
    )
    .await;
    expect_400(
        &sb,
        with("filters", json!("events")),
        "not_a_dict",
        "Expected a dictionary of items but got type \"str\".",
        Some("filters"),
    )
    .await;
    expect_400(
        &sb,
        with("filters", json!({"source": "x"})),
        "invalid_input",
        "Unknown source: 'x'",
        Some("filters"),
    )
    .await;
    let warehouse = "Data warehouse metrics require table_name, timestamp_field, key_field.";
    for missing in ["table_name", "timestamp_field", "key_field"] {
        let mut filters = json!({"source": "data_warehouse", "table_name": "t", "timestamp_field": "ts", "key_field": "k"});
        filters[missing] = json!("");
        expect_400(
            &sb,
            with("filters", filters.clone()),
            "invalid_input",
            warehouse,
            Some("filters"),
        )
        .await;
        filters.as_object_mut().unwrap().remove(missing);
        expect_400(
            &sb,
            with("filters", filters),
            "invalid_input",
            warehouse,
            Some("filters"),
        )
        .await;
    }
    let mut body = with("filters", json!({"source": "events", "events": []}));
    body["name"] = json!("Explicit events source");
    assert_eq!(sb.post(FULL, M, body).await.status, 201);
}

#[tokio::test]
async fn math_and_math_property_rules() {
    let sb = start().await;
    let mut sum = with("math", json!("sum"));
    expect_400(
        &sb,
        sum.clone(),
        "invalid_input",
        "math_property is required when math is 'sum'.",
        Some("math_property"),
    )
    .await;
    sum["math_property"] = json!("");
    expect_400(
        &sb,
        sum.clone(),
        "invalid_input",
        "math_property is required when math is 'sum'.",
        Some("math_property"),
    )
    .await;
    expect_400(
        &sb,
        with("math_property", json!("amount")),
        "invalid_input",
        "math_property must be empty when math is 'count'.",
        Some("math_property"),
    )
    .await;
    sum["math_property"] = json!("p".repeat(256));
    expect_400(
        &sb,
        sum.clone(),
        "max_length",
        "Ensure this field has no more than 255 characters.",
        Some("math_property"),
    )
    .await;
    sum["math_property"] = json!("amount");
    assert_eq!(sb.post(FULL, M, sum).await.status, 201);
}

#[tokio::test]
async fn only_the_first_error_in_field_order_is_reported() {
    let sb = start().await;
    let body = json!({"format": "bad", "display": "bad", "interval": "bad", "math": "sum"});
    expect_400(
        &sb,
        body,
        "required",
        "This field is required.",
        Some("name"),
    )
    .await;
    let body = json!({"name": "X", "display": "bad", "interval": "bad", "filters": []});
    expect_400(
        &sb,
        body,
        "invalid_input",
        "A valid integer is required.",
        Some("interval"),
    )
    .await;
}

#[tokio::test]
async fn body_must_be_a_json_object() {
    let sb = start().await;
    expect_400(
        &sb,
        json!([1]),
        "invalid_input",
        "Invalid data. Expected a dictionary, but got list.",
        None,
    )
    .await;
    let a = answer(
        sb.client
            .post(sb.api(M))
            .bearer_auth(FULL)
            .header("content-type", "application/json")
            .body("{oops")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (a.status, a.json["code"].clone()),
        (400, json!("parse_error"))
    );
    let a = answer(
        sb.client
            .post(sb.api(M))
            .bearer_auth(FULL)
            .body("{}")
            .header("content-type", "text/plain")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(
        &a,
        415,
        "invalid_request",
        "unsupported_media_type",
        "Unsupported media type \"text/plain\" in request.",
        None,
    );
}

#[tokio::test]
async fn invalid_writes_change_nothing() {
    let sb = start().await;
    let before = sb.state().await;
    sb.post(FULL, M, with("math", json!("sum"))).await;
    let id = before["projects"][0]["metrics"]["0"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    sb.patch(
        FULL,
        &format!("{M}{id}/"),
        json!({"name": "Renamed", "format": "nope"}),
    )
    .await;
    assert_eq!(sb.state().await, before);
}
