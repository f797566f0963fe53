//! A property test: arbitrary bytes and arbitrary JSON, with any status, given to every
//! decoder, give an error or a value, never a panic (a panic in WASM kills the app).

use posthog_groups::{decode, definitions};
use proptest::prelude::*;
use serde_json::Value;

fn all_decoders(status: u16, body: &str) {
    let _ = decode::group_types(status, body);
    let _ = decode::no_content(status, body);
    let _ = decode::metric_page(status, body);
    let _ = decode::metric(status, body);
    let _ = decode::update_metadata(status, body);
    let _ = decode::groups_page(status, body);
    let _ = definitions::decode_event_definitions(status, body);
    let _ = definitions::decode_property_definitions(status, body);
    let _ = definitions::decode_actions(status, body);
    if let Ok(tables) = definitions::decode_warehouse_tables(status, body) {
        for c in tables.results.iter().flat_map(|t| &t.columns) {
            let _ = c.is_time();
        }
    }
    // The values are formatted and drawn whatever numbers they hold.
    if let Ok(answer) = decode::usage_metrics(status, body) {
        for v in &answer.results {
            let _ = posthog_groups::format::comparison(v);
            let _ = posthog_groups::format::card_value(&v.format, v.value.unwrap_or(0.0));
            let _ = posthog_groups::format::change(v.change_from_previous_pct);
            if let Some((series, labels)) = v.series() {
                let _ = posthog_groups::sparkline::geometry(series, 120.0, 24.0);
                let _ = posthog_groups::sparkline::describe(series, labels, &v.format);
            }
        }
    }
    // Rendering the error must not panic either (excerpts cut on character boundaries).
    if let Err(e) = decode::metric(status, body) {
        let _ = e.to_string();
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("id"),
            Just("name"),
            Just("format"),
            Just("interval"),
            Just("math"),
            Just("results"),
            Just("count"),
            Just("code"),
            Just("detail"),
            Just("type"),
            Just("group_type"),
            Just("group_type_index"),
            Just("source"),
            Just("data_warehouse"),
        ]
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("id".to_string()),
                        Just("name".to_string()),
                        Just("results".to_string()),
                        Just("count".to_string()),
                        Just("code".to_string()),
                        Just("detail".to_string()),
                        Just("group_type".to_string()),
                        Just("group_type_index".to_string()),
                        Just("filters".to_string()),
                        Just("interval".to_string()),
                        "[a-z_]{1,8}",
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(status in 0u16..1000, bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        all_decoders(status, &String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn arbitrary_json_never_panics(status in prop_oneof![Just(200u16), Just(201), Just(204), Just(400), Just(401), Just(403), Just(404), Just(429), Just(500), 0u16..1000], value in arb_json()) {
        all_decoders(status, &value.to_string());
    }

    #[test]
    fn any_number_formats_and_draws(x in any::<f64>(), series in prop::collection::vec(any::<f64>(), 0..40)) {
        use posthog_groups::{format, sparkline, MetricFormat};
        let _ = (format::grouped(x), format::currency(x), format::compact(x), format::change(Some(x)));
        let g = sparkline::geometry(&series, 120.0, 24.0);
        prop_assert!(g.bars.iter().all(|b| b.x.is_finite() && b.y.is_finite() && b.height.is_finite()));
        let _ = sparkline::describe(&series, None, &MetricFormat::Currency);
    }
}
