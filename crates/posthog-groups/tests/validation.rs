//! Client-side validation mirrors the server's rules and keys messages by the server's `attr`.

use posthog_groups::validate::{self, group_type_name};
use posthog_groups::{Filters, MetricDraft, MetricMath};
use serde_json::json;

fn filters(v: serde_json::Value) -> Filters {
    serde_json::from_value(v).expect("filters")
}

fn draft(name: &str) -> MetricDraft {
    MetricDraft {
        name: name.into(),
        ..MetricDraft::default()
    }
}

#[test]
fn a_plain_count_is_valid() {
    assert!(validate::metric_draft(&draft("Seats"), []).is_empty());
}

#[test]
fn name_is_required_and_at_most_255() {
    assert!(validate::metric_draft(&draft("   "), []).contains_key("name"));
    assert!(validate::metric_draft(&draft(&"x".repeat(255)), []).is_empty());
    let e = validate::metric_draft(&draft(&"é".repeat(256)), []);
    assert!(e["name"].contains("256"));
}

#[test]
fn name_must_be_unique_within_the_group_type() {
    let e = validate::metric_draft(&draft(" Seats "), ["API calls", "Seats"]);
    assert!(e["name"].contains("already"));
}

#[test]
fn sum_needs_a_property_and_count_must_not_have_one() {
    let mut d = draft("Revenue");
    d.math = MetricMath::Sum;
    assert!(validate::metric_draft(&d, [])["math_property"].contains("property"));
    d.math_property = Some("amount".into());
    assert!(validate::metric_draft(&d, []).is_empty());
    d.math = MetricMath::Count;
    assert!(validate::metric_draft(&d, []).contains_key("math_property"));
}

#[test]
fn warehouse_sum_asks_for_a_column_and_each_empty_input_is_flagged_on_its_own() {
    let mut d = draft("Rows");
    d.filters =
        filters(json!({"source": "data_warehouse", "table_name": "bills", "key_field": "  "}));
    d.math = MetricMath::Sum;
    let e = validate::metric_draft(&d, []);
    assert!(e["math_property"].contains("column"));
    assert!(!e.contains_key("filters"), "{e:?}");
    assert!(!e.contains_key("filters.table_name"));
    assert_eq!(
        e["filters.timestamp_field"],
        "Enter the table's timestamp column."
    );
    assert_eq!(
        e["filters.key_field"],
        "Enter the column that holds the group key."
    );
    d.filters = filters(json!({"source": "data_warehouse"}));
    let e = validate::metric_draft(&d, []);
    assert_eq!(
        e["filters.table_name"],
        "Enter the data warehouse table to read."
    );
}

#[test]
fn every_message_key_is_a_field_of_the_form() {
    let mut d = draft("");
    d.interval = 0;
    d.math = MetricMath::Count;
    d.math_property = Some("x".into());
    d.filters = filters(json!({"source": "data_warehouse"}));
    for key in validate::metric_draft(&d, []).keys() {
        assert!(validate::METRIC_FORM_FIELDS.contains(key), "{key}");
    }
}

#[test]
fn unknown_source_is_rejected() {
    let mut d = draft("X");
    d.filters = filters(json!({"source": "x"}));
    assert!(validate::metric_draft(&d, [])["filters"].contains("'x'"));
}

#[test]
fn interval_is_a_positive_number_of_days() {
    let mut d = draft("X");
    d.interval = 0;
    assert!(validate::metric_draft(&d, []).contains_key("interval"));
    d.interval = 365;
    assert!(validate::metric_draft(&d, []).is_empty());
}

#[test]
fn group_type_names_are_trimmed_and_empty_resets() {
    assert_eq!(group_type_name("  Org  "), Ok(Some("Org".into())));
    assert_eq!(group_type_name("   "), Ok(None));
    assert_eq!(
        group_type_name(&"a".repeat(400)).map(|n| n.map(|s| s.len())),
        Ok(Some(400))
    );
    assert!(group_type_name(&"a".repeat(401)).is_err());
}

#[test]
fn an_action_row_left_unchosen_is_found() {
    let none = filters(json!({"events": [{"id": null, "type": "events"}], "actions": []}));
    assert_eq!(
        validate::unchosen_action(&none),
        None,
        "an event without id is all events"
    );
    let chosen = filters(json!({"actions": [{"id": 7, "type": "actions"}]}));
    assert_eq!(validate::unchosen_action(&chosen), None);
    let second = filters(json!({"actions": [{"id": 7}, {"id": null, "type": "actions"}]}));
    assert_eq!(validate::unchosen_action(&second), Some(2));
    let absent = filters(json!({"actions": [{"type": "actions"}]}));
    assert_eq!(validate::unchosen_action(&absent), Some(1));
    let warehouse = filters(json!({"source": "data_warehouse", "actions": [{"id": null}]}));
    assert_eq!(
        validate::unchosen_action(&warehouse),
        None,
        "not this shape's key"
    );
}
