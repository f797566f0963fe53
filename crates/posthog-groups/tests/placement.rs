//! Where the metric form shows a failed save, from the literal answers PostHog gives
//! (../shared/posthog-groups-api.md, "Metric" and "How the server words its answers").

use posthog_groups::placement::{self, Placed};
use posthog_groups::{decode, ApiError, Filters, MetricDraft, MetricMath};
use serde_json::json;

/// The error a metric save answered with this status and body.
fn answer(status: u16, body: &str) -> ApiError {
    decode::metric(status, body).expect_err("an error answer")
}

fn sent(filters: serde_json::Value) -> MetricDraft {
    MetricDraft {
        name: "Rows".into(),
        filters: serde_json::from_value::<Filters>(filters).expect("filters"),
        ..MetricDraft::default()
    }
}

fn placed(field: &'static str, message: &str) -> Option<Placed> {
    Some(Placed {
        field,
        message: message.into(),
    })
}

#[test]
fn an_unknown_warehouse_table_is_shown_on_the_table_input() {
    let e = answer(
        400,
        r#"{"type":"validation_error","code":"invalid_input","detail":"Data warehouse table 'nope' does not exist.","attr":"filters"}"#,
    );
    let d = sent(
        json!({"source": "data_warehouse", "table_name": "nope", "timestamp_field": "ts", "key_field": "k"}),
    );
    assert_eq!(
        placement::place(&e, &d),
        placed(
            "filters.table_name",
            "Data warehouse table 'nope' does not exist."
        )
    );
    // Python's repr uses double quotes around a name with a single quote in it.
    let e = answer(
        400,
        r#"{"type":"validation_error","code":"invalid_input","detail":"Data warehouse table \"it's\" does not exist.","attr":"filters"}"#,
    );
    assert_eq!(
        placement::place(&e, &d).map(|p| p.field),
        Some("filters.table_name")
    );
}

#[test]
fn an_incomplete_warehouse_source_is_shown_on_the_first_empty_input_or_the_table() {
    let e = answer(
        400,
        r#"{"type":"validation_error","code":"invalid_input","detail":"Data warehouse metrics require table_name, timestamp_field, key_field.","attr":"filters"}"#,
    );
    let message = "Data warehouse metrics require table_name, timestamp_field, key_field.";
    let cases = [
        (json!({"source": "data_warehouse"}), "filters.table_name"),
        (
            json!({"source": "data_warehouse", "table_name": "t", "timestamp_field": null, "key_field": "k"}),
            "filters.timestamp_field",
        ),
        (
            json!({"source": "data_warehouse", "table_name": "t", "timestamp_field": "ts", "key_field": ""}),
            "filters.key_field",
        ),
        (
            json!({"source": "data_warehouse", "table_name": "t", "timestamp_field": "ts", "key_field": "k"}),
            "filters.table_name",
        ),
    ];
    for (filters, field) in cases {
        let d = sent(filters.clone());
        assert_eq!(
            placement::place(&e, &d),
            placed(field, message),
            "{filters}"
        );
    }
}

#[test]
fn the_warehouse_column_to_sum_is_shown_on_math_property() {
    let e = answer(
        400,
        r#"{"type":"validation_error","code":"invalid_input","detail":"math_property (column to sum) is required when math is 'sum'.","attr":"math_property"}"#,
    );
    let mut d = sent(
        json!({"source": "data_warehouse", "table_name": "nope", "timestamp_field": "ts", "key_field": "k"}),
    );
    d.math = MetricMath::Sum;
    assert_eq!(
        placement::place(&e, &d),
        placed(
            "math_property",
            "math_property (column to sum) is required when math is 'sum'."
        )
    );
}

#[test]
fn other_errors_keep_their_attr_or_have_no_field() {
    let d = sent(json!({}));
    let e = answer(
        400,
        r#"{"type":"validation_error","code":"invalid_input","detail":"Unknown source: 'x'","attr":"filters"}"#,
    );
    assert_eq!(
        placement::place(&e, &d),
        placed("filters", "Unknown source: 'x'")
    );
    let e = answer(
        400,
        r#"{"type":"validation_error","code":"invalid_input","detail":"Invalid data. Expected a dictionary, but got list.","attr":null}"#,
    );
    assert_eq!(placement::place(&e, &d), None);
    let e = answer(
        500,
        r#"{"type":"server_error","code":"error","detail":"A server error occurred.","attr":null}"#,
    );
    assert_eq!(placement::place(&e, &d), None);
}

#[test]
fn only_a_bare_500_on_a_save_that_sent_a_name_may_be_a_duplicate() {
    let duplicate = answer(
        500,
        r#"{"type":"server_error","code":"error","detail":"A server error occurred.","attr":null}"#,
    );
    assert!(placement::may_be_duplicate_name(&duplicate, true));
    assert!(!placement::may_be_duplicate_name(&duplicate, false));
    let unavailable = answer(
        503,
        r#"{"type":"server_error","code":"error","detail":"x"}"#,
    );
    assert!(!placement::may_be_duplicate_name(&unavailable, true));
    let throttled = answer(
        429,
        r#"{"type":"throttled_error","code":"throttled","detail":"Request was throttled. Expected available in 12 seconds."}"#,
    );
    assert!(!placement::may_be_duplicate_name(&throttled, true));
}

#[test]
fn a_name_taken_meanwhile_is_told_on_name_but_not_the_metrics_own() {
    let list = [("a", "Seats"), ("b", "Taken meanwhile")];
    assert_eq!(
        placement::name_taken_meanwhile(" Taken meanwhile ", None, list),
        placed(
            "name",
            "Another metric named “Taken meanwhile” was created meanwhile; choose another name."
        )
    );
    assert_eq!(placement::name_taken_meanwhile("Fresh", None, list), None);
    // Editing metric b, keeping its name: no collision.
    assert_eq!(
        placement::name_taken_meanwhile("Taken meanwhile", Some("b"), list),
        None
    );
}
