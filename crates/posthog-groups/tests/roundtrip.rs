//! Whatever the server sends that this client does not model comes back unchanged.

use posthog_groups::{
    decode, request, MetricDraft, MetricFormat, MetricMath, MetricPatch, ProjectId,
};
use serde_json::{json, Value};

const ODD_METRIC: &str = r#"{"id":"m1","name":"Odd","format":"percentage","interval":14,"display":"gauge",
  "math":"median","math_property":"latency",
  "filters":{"events":[{"id":"api_call","type":"events","order":0,"custom_name":"API"}],
             "actions":[],"properties":[{"key":"plan","value":["pro"],"operator":"exact","type":"person"}],
             "filter_test_accounts":true,"breakdown":"$browser","future":{"nested":[1,2,3]}}}"#;

#[test]
fn unknown_enum_values_survive_decode_and_reencode() {
    let m = decode::metric(200, ODD_METRIC).expect("decodes despite unknown values");
    assert_eq!(m.format, MetricFormat::Other("percentage".into()));
    assert_eq!(m.math, MetricMath::Other("median".into()));
    let body = request::replace_metric(
        &ProjectId::parse("1").expect("id"),
        0,
        &m.id,
        &MetricDraft::from(&m),
    )
    .body
    .expect("body");
    assert_eq!(body["format"], "percentage");
    assert_eq!(body["display"], "gauge");
    assert_eq!(body["math"], "median");
}

#[test]
fn unknown_filter_keys_survive_decode_and_reencode() {
    let m = decode::metric(200, ODD_METRIC).expect("metric");
    let original: Value = serde_json::from_str(ODD_METRIC).expect("json");
    let sent = serde_json::to_value(MetricDraft::from(&m)).expect("encode");
    assert_eq!(sent["filters"], original["filters"]);
    // Key order is kept too, so a raw JSON view shows the filters as PostHog stored them.
    let keys: Vec<&String> = sent["filters"]
        .as_object()
        .expect("object")
        .keys()
        .collect();
    assert_eq!(
        keys,
        [
            "events",
            "actions",
            "properties",
            "filter_test_accounts",
            "breakdown",
            "future"
        ]
    );
}

#[test]
fn patch_of_one_changed_field_sends_only_that_field() {
    let m = decode::metric(200, ODD_METRIC).expect("metric");
    let mut draft = MetricDraft::from(&m);
    draft.interval = 30;
    let patch = MetricPatch::diff(&m, &draft);
    assert_eq!(
        serde_json::to_value(&patch).expect("encode"),
        json!({"interval": 30})
    );
    assert!(MetricPatch::diff(&m, &MetricDraft::from(&m)).is_empty());
}

#[test]
fn patch_clears_the_property_with_null() {
    let m = decode::metric(200, ODD_METRIC).expect("metric");
    let mut draft = MetricDraft::from(&m);
    draft.math = MetricMath::Count;
    draft.math_property = None;
    let patch = MetricPatch::diff(&m, &draft);
    assert_eq!(
        serde_json::to_value(&patch).expect("encode"),
        json!({"math": "count", "math_property": null})
    );
}
