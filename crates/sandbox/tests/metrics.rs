//! Endpoints 3 to 7 and PUT over real HTTP: shapes, defaults, updates, 404s, duplicates.

mod common;
use common::*;
use serde_json::{json, Value};

const M: &str = "1/groups_types/0/metrics/";

#[tokio::test]
async fn create_answers_201_with_exact_fields_and_defaults() {
    let sb = start().await;
    let a = sb.post(FULL, M, metric("Weekly reports")).await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(keys(&a.json), METRIC_FIELDS);
    let id = a.json["id"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok());
    assert_eq!(
        (
            &a.json["format"],
            &a.json["interval"],
            &a.json["display"],
            &a.json["math"],
            &a.json["math_property"]
        ),
        (
            &json!("numeric"),
            &json!(7),
            &json!("number"),
            &json!("count"),
            &Value::Null
        )
    );
    assert_eq!(a.json["filters"], metric("x")["filters"]);
    let stored = sb.stored_metrics(1, 0).await;
    assert_eq!(stored.last().unwrap(), &a.json);
}

#[tokio::test]
async fn create_with_every_field() {
    let sb = start().await;
    let body = json!({"name": "Paid invoices", "format": "currency", "interval": 90, "display": "sparkline",
                      "math": "sum", "math_property": "amount", "filters": {"source": "data_warehouse",
                      "table_name": "stripe_charges", "timestamp_field": "created", "key_field": "customer_id"}});
    let a = sb.post(FULL, M, body.clone()).await;
    assert_eq!(a.status, 201, "{}", a.text);
    for field in [
        "name",
        "format",
        "interval",
        "display",
        "math",
        "math_property",
        "filters",
    ] {
        assert_eq!(a.json[field], body[field], "{field}");
    }
}

#[tokio::test]
async fn unknown_filters_keys_round_trip_in_order() {
    let sb = start().await;
    let filters: Value = serde_json::from_str(
        r#"{"zeta": 1, "events": [], "x_custom": {"b": [1, {"c": null}], "a": true}, "actions": [], "alpha": "kept"}"#,
    )
    .unwrap();
    let a = sb
        .post(FULL, M, json!({"name": "Odd filters", "filters": filters}))
        .await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(
        keys(&a.json["filters"]),
        ["zeta", "events", "x_custom", "actions", "alpha"]
    );
    let got = sb
        .get(FULL, &format!("{M}{}/", a.json["id"].as_str().unwrap()))
        .await;
    assert_eq!(got.json["filters"], filters);
    assert_eq!(keys(&got.json["filters"]), keys(&filters));
    // `{}` is accepted too.
    assert_eq!(
        sb.post(FULL, M, json!({"name": "Empty filters", "filters": {}}))
            .await
            .status,
        201
    );
}

#[tokio::test]
async fn retrieve_by_id_and_unknown_ids_are_404() {
    let sb = start().await;
    let first = &sb.get(FULL, M).await.json["results"][0];
    let id = first["id"].as_str().unwrap();
    let a = sb.get(FULL, &format!("{M}{id}/")).await;
    assert_eq!((a.status, &a.json), (200, first));
    assert_eq!(
        sb.get(FULL, &format!("{M}{}", id.to_uppercase()))
            .await
            .status,
        200
    );
    for bad in ["00000000-0000-4000-8000-000000000000", "not-a-uuid", "42"] {
        let a = sb.get(FULL, &format!("{M}{bad}/")).await;
        assert_error(&a, 404, "invalid_request", "not_found", "Not found.", None);
    }
    // Metrics belong to one group type index.
    assert_eq!(
        sb.get(FULL, &format!("1/groups_types/1/metrics/{id}/"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn patch_changes_given_fields_and_keeps_the_rest() {
    let sb = start().await;
    let created = sb.post(FULL, M, metric("Logins this week")).await.json;
    let path = format!("{M}{}/", created["id"].as_str().unwrap());
    let a = sb
        .patch(FULL, &path, json!({"interval": 30, "display": "sparkline"}))
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let mut expected = created.clone();
    expected["interval"] = json!(30);
    expected["display"] = json!("sparkline");
    assert_eq!(a.json, expected);
    let a = sb
        .patch(
            FULL,
            &path,
            json!({"math": "sum", "math_property": "seconds"}),
        )
        .await;
    assert_eq!(
        (a.json["math"].as_str(), a.json["math_property"].as_str()),
        (Some("sum"), Some("seconds"))
    );
    // Cross-field rules apply to the merged result.
    let a = sb.patch(FULL, &path, json!({"math_property": null})).await;
    assert_error(
        &a,
        400,
        "validation_error",
        "invalid_input",
        "math_property is required when math is 'sum'.",
        Some("math_property"),
    );
    let a = sb.patch(FULL, &path, json!({})).await;
    assert_eq!(a.json["math_property"], "seconds");
}

#[tokio::test]
async fn put_replaces_and_requires_name_and_filters() {
    let sb = start().await;
    let created = sb.post(FULL, M, metric("Seats")).await.json;
    let path = format!("{M}{}", created["id"].as_str().unwrap());
    let body = json!({"name": "Seats filled", "format": "numeric", "interval": 14, "display": "sparkline",
                      "math": "count", "math_property": null, "filters": {"events": []}});
    let a = sb.put(FULL, &path, body.clone()).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json["id"], created["id"]);
    for field in ["name", "interval", "display", "filters"] {
        assert_eq!(a.json[field], body[field]);
    }
    let a = sb
        .put(FULL, &path, json!({"interval": 7, "filters": {}}))
        .await;
    assert_error(
        &a,
        400,
        "validation_error",
        "required",
        "This field is required.",
        Some("name"),
    );
    let a = sb.put(FULL, &path, json!({"name": "Seats filled"})).await;
    assert_error(
        &a,
        400,
        "validation_error",
        "required",
        "This field is required.",
        Some("filters"),
    );
    let missing = format!("{M}00000000-0000-4000-8000-000000000000/");
    assert_eq!(sb.put(FULL, &missing, body).await.status, 404);
}

#[tokio::test]
async fn delete_answers_204_then_404() {
    let sb = start().await;
    let created = sb.post(FULL, M, metric("Short lived")).await.json;
    let path = format!("{M}{}/", created["id"].as_str().unwrap());
    let a = sb.delete(FULL, &path).await;
    assert_eq!((a.status, a.text.as_str()), (204, ""));
    assert_eq!(sb.get(FULL, &path).await.status, 404);
    assert_error(
        &sb.delete(FULL, &path).await,
        404,
        "invalid_request",
        "not_found",
        "Not found.",
        None,
    );
    assert_eq!(sb.patch(FULL, &path, json!({})).await.status, 404);
}

#[tokio::test]
async fn duplicate_name_is_500_on_create_patch_and_put() {
    let sb = start().await;
    let a = sb.post(FULL, M, metric("Paid bills")).await;
    assert_server_error(&a);
    let created = sb.post(FULL, M, metric("Unique one")).await.json;
    let path = format!("{M}{}/", created["id"].as_str().unwrap());
    assert_eq!(
        sb.patch(FULL, &path, json!({"name": "Active seats"}))
            .await
            .status,
        500
    );
    assert_eq!(sb.put(FULL, &path, metric("API calls")).await.status, 500);
    // Renaming to its own name is fine; the same name at another index is fine.
    assert_eq!(
        sb.patch(FULL, &path, json!({"name": "Unique one"}))
            .await
            .status,
        200
    );
    assert_eq!(
        sb.post(FULL, "1/groups_types/2/metrics/", metric("Paid bills"))
            .await
            .status,
        201
    );
    assert_eq!(sb.get(FULL, &path).await.json["name"], "Unique one");
}

#[tokio::test]
async fn metrics_do_not_need_an_existing_group_type() {
    let sb = start().await;
    let a = sb
        .post(FULL, "1/groups_types/4/metrics/", metric("Orphan"))
        .await;
    assert_eq!(a.status, 201);
    assert_eq!(
        sb.get(FULL, "1/groups_types/4/metrics/").await.json["count"],
        1
    );
    assert_eq!(sb.get(FULL, "1/groups_types/x/metrics/").await.status, 404);
}

#[tokio::test]
async fn seed_counts_per_group_type() {
    let sb = start().await;
    let counts: Vec<_> = [0, 1, 2, 3]
        .into_iter()
        .map(|i| sb.stored_metrics(1, i))
        .collect();
    let mut got = Vec::new();
    for c in counts {
        got.push(c.await.len());
    }
    assert_eq!(got, [61, 4, 0, 0]);
    assert_eq!(
        sb.get(FULL, "2/groups_types/0/metrics/").await.json["count"],
        0
    );
}
