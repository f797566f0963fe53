//! Plain-language descriptions of a metric, for the table and the detail view.

use posthog_groups::{FilterSource, Filters, MetricDisplay, MetricDraft, MetricFormat, MetricMath};

/// "Count" or "Sum of amount": the calculation column.
pub fn calculation(math: &MetricMath, property: Option<&str>) -> String {
    match (math, property.map(str::trim).filter(|p| !p.is_empty())) {
        (MetricMath::Count, _) => "Count".into(),
        (MetricMath::Sum, Some(p)) => format!("Sum of {p}"),
        (MetricMath::Sum, None) => "Sum".into(),
        (MetricMath::Other(m), Some(p)) => format!("{m} of {p}"),
        (MetricMath::Other(m), None) => m.clone(),
    }
}

/// "Events" or "Warehouse: bills": the source column.
pub fn source(filters: &Filters) -> String {
    match filters.source() {
        FilterSource::Events => "Events".into(),
        FilterSource::DataWarehouse => format!(
            "Warehouse: {}",
            filters.str_field("table_name").unwrap_or("(no table)")
        ),
        FilterSource::Other(s) => format!("Unknown source: {s}"),
    }
}

/// "a", "a and b", "a, b and c".
fn list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn over(filters: &Filters) -> String {
    match filters.source() {
        FilterSource::DataWarehouse => {
            let table = filters.str_field("table_name").unwrap_or("(no table)");
            format!("rows of the {table} table")
        }
        FilterSource::Other(s) => format!("an unknown source ({s})"),
        FilterSource::Events => {
            let events = filters.event_names();
            let actions = filters.action_count();
            let mut parts = Vec::new();
            if !events.is_empty() {
                // "paid_bill events": occurrences of the event, whatever the number of names.
                parts.push(format!("{} events", list(&events)));
            }
            if actions > 0 {
                parts.push(plural(actions, "action", "actions"));
            }
            if parts.is_empty() {
                "all events".into()
            } else {
                parts.join(" and ")
            }
        }
    }
}

fn shown(display: &MetricDisplay, format: &MetricFormat) -> String {
    let currency = *format == MetricFormat::Currency;
    match (display, currency) {
        (MetricDisplay::Number, false) => "shown as a number".into(),
        (MetricDisplay::Number, true) => "shown as an amount of money".into(),
        (MetricDisplay::Sparkline, false) => "shown as a sparkline".into(),
        (MetricDisplay::Sparkline, true) => "shown as a sparkline of amounts of money".into(),
        (MetricDisplay::Other(d), _) => format!("shown as {d}"),
    }
}

/// One sentence: "Sum of amount over paid_bill events, excluding test accounts, in the last
/// 30 days, shown as a sparkline."
pub fn sentence(m: &MetricDraft) -> String {
    let mut text = format!(
        "{} over {}",
        calculation(&m.math, m.math_property.as_deref()),
        over(&m.filters)
    );
    let properties = m
        .filters
        .0
        .get("properties")
        .and_then(|p| p.as_array())
        .map_or(0, Vec::len);
    if properties > 0 {
        text.push_str(&format!(
            ", with {}",
            plural(properties, "property filter", "property filters")
        ));
    }
    if m.filters.filter_test_accounts() {
        text.push_str(", excluding test accounts");
    }
    let days = if m.interval == 1 {
        "day".to_string()
    } else {
        format!("{} days", m.interval)
    };
    text.push_str(&format!(
        ", in the last {days}, {}.",
        shown(&m.display, &m.format)
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn draft(v: serde_json::Value) -> MetricDraft {
        let base = json!({"name": "x", "format": "numeric", "interval": 7, "display": "number",
                          "filters": {}, "math": "count", "math_property": null});
        let mut merged = base.as_object().cloned().unwrap_or_default();
        if let Some(extra) = v.as_object() {
            merged.extend(extra.clone());
        }
        serde_json::from_value(serde_json::Value::Object(merged)).unwrap_or_default()
    }

    #[test]
    fn the_contract_example_reads_as_a_sentence() {
        let m = draft(
            json!({"math": "sum", "math_property": "amount", "interval": 30, "display": "sparkline",
            "filters": {"events": [{"id": "paid_bill", "type": "events"}], "actions": [], "properties": [], "filter_test_accounts": true}}),
        );
        assert_eq!(
            sentence(&m),
            "Sum of amount over paid_bill events, excluding test accounts, in the last 30 days, shown as a sparkline."
        );
        assert_eq!(
            calculation(&m.math, m.math_property.as_deref()),
            "Sum of amount"
        );
        assert_eq!(source(&m.filters), "Events");
    }

    #[test]
    fn events_actions_and_properties_are_counted() {
        let m = draft(json!({"interval": 1, "format": "currency",
            "filters": {"events": [{"id": "a"}, {"id": "b"}, {"id": "c"}], "actions": [{"id": 4}], "properties": [{"key": "plan"}]}}));
        assert_eq!(
            sentence(&m),
            "Count over a, b and c events and 1 action, with 1 property filter, in the last day, shown as an amount of money."
        );
        assert_eq!(
            sentence(&draft(json!({}))),
            "Count over all events, in the last 7 days, shown as a number."
        );
    }

    #[test]
    fn warehouse_and_unknown_values_are_named() {
        let m = draft(
            json!({"math": "sum", "math_property": "total", "display": "sparkline", "format": "currency",
            "filters": {"source": "data_warehouse", "table_name": "bills", "timestamp_field": "ts", "key_field": "org"}}),
        );
        assert_eq!(source(&m.filters), "Warehouse: bills");
        assert_eq!(
            sentence(&m),
            "Sum of total over rows of the bills table, in the last 7 days, shown as a sparkline of amounts of money."
        );
        let odd = draft(json!({"math": "median", "math_property": "latency", "display": "gauge"}));
        assert_eq!(
            sentence(&odd),
            "median of latency over all events, in the last 7 days, shown as gauge."
        );
    }
}
