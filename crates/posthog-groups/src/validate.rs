//! Client-side checks that mirror the server's rules, so a user sees the problem next to the
//! field before anything is sent. Messages are keyed by the server's `attr` names, so a
//! server validation error lands on the same field; the data-warehouse inputs, which the
//! server reports all under `filters`, have keys of their own (`filters.table_name`, …) so
//! that each message sits next to the input it is about.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::model::{FilterSource, Filters, MetricDraft, MetricMath};

/// Longest group type display name PostHog stores.
pub const MAX_GROUP_TYPE_NAME: usize = 400;
/// Longest metric name PostHog stores.
pub const MAX_METRIC_NAME: usize = 255;
/// Longest `math_property` PostHog stores.
pub const MAX_MATH_PROPERTY: usize = 255;

/// Field name (the server's `attr`, or a [`WAREHOUSE_FORM_FIELDS`] key) to message.
pub type FieldErrors = BTreeMap<&'static str, String>;

/// The form key of the data-warehouse table input.
pub const WAREHOUSE_TABLE: &str = "filters.table_name";

/// Each data-warehouse key of `filters` with the form key its input's messages use, in the
/// form's order.
pub const WAREHOUSE_FORM_FIELDS: [(&str, &str); 3] = [
    ("table_name", WAREHOUSE_TABLE),
    ("timestamp_field", "filters.timestamp_field"),
    ("key_field", "filters.key_field"),
];

/// Every key a metric form's message can have, in the order the form shows the fields (the
/// first one with a message gets focus).
pub const METRIC_FORM_FIELDS: [&str; 10] = [
    "name",
    "interval",
    "format",
    "display",
    "math",
    "math_property",
    "filters",
    WAREHOUSE_FORM_FIELDS[0].1,
    WAREHOUSE_FORM_FIELDS[1].1,
    WAREHOUSE_FORM_FIELDS[2].1,
];

/// The form key of a data-warehouse key of `filters` (`table_name` → `filters.table_name`).
pub fn warehouse_form_field(key: &str) -> Option<&'static str> {
    WAREHOUSE_FORM_FIELDS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, field)| *field)
}

/// Whether a data-warehouse input counts as not filled in: absent, or a value Python reads as
/// false (PostHog tests `if not filters.get(...)`), or only spaces, which no column is called.
pub fn warehouse_value_missing(filters: &Filters, key: &str) -> bool {
    match filters.0.get(key) {
        None | Some(Value::Null) | Some(Value::Bool(false)) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Number(n)) => n.as_f64() == Some(0.0),
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        Some(Value::Bool(true)) => false,
    }
}

/// Normalises a group type display name: trimmed; empty means "reset to the default" (`None`).
pub fn group_type_name(input: &str) -> Result<Option<String>, String> {
    let name = input.trim();
    let len = name.chars().count();
    if name.is_empty() {
        Ok(None)
    } else if len > MAX_GROUP_TYPE_NAME {
        Err(format!(
            "At most {MAX_GROUP_TYPE_NAME} characters (this one has {len})."
        ))
    } else {
        Ok(Some(name.to_owned()))
    }
}

/// Checks a metric before it is sent; an empty map means it may be sent.
/// `taken_names` are the other metrics' names in the same group type: PostHog answers a
/// duplicate with a bare 500, so it must be caught here.
pub fn metric_draft<'a>(
    draft: &MetricDraft,
    taken_names: impl IntoIterator<Item = &'a str>,
) -> FieldErrors {
    let mut errors = FieldErrors::new();
    let name = draft.name.trim();
    let name_len = name.chars().count();
    if name.is_empty() {
        errors.insert("name", "Give the metric a name.".into());
    } else if name_len > MAX_METRIC_NAME {
        errors.insert(
            "name",
            format!("At most {MAX_METRIC_NAME} characters (this one has {name_len})."),
        );
    } else if taken_names.into_iter().any(|taken| taken.trim() == name) {
        errors.insert(
            "name",
            "Another metric of this group type already has this name.".into(),
        );
    }

    if draft.interval < 1 {
        errors.insert(
            "interval",
            "The interval is a whole number of days, 1 or more.".into(),
        );
    }

    let property = draft.math_property.as_deref().map(str::trim).unwrap_or("");
    match draft.math {
        MetricMath::Sum if property.is_empty() => {
            let what = match draft.filters.source() {
                FilterSource::DataWarehouse => "column",
                _ => "property",
            };
            errors.insert("math_property", format!("Choose the {what} to sum."));
        }
        MetricMath::Count if !property.is_empty() => {
            errors.insert(
                "math_property",
                "A count has no property; clear it or choose Sum.".into(),
            );
        }
        _ if property.chars().count() > MAX_MATH_PROPERTY => {
            errors.insert(
                "math_property",
                format!("At most {MAX_MATH_PROPERTY} characters."),
            );
        }
        _ => {}
    }

    match draft.filters.source() {
        FilterSource::Events => {}
        FilterSource::DataWarehouse => {
            // Each empty input gets its own message, next to it: the server names only the
            // first problem, and only as "filters".
            for (key, field) in WAREHOUSE_FORM_FIELDS {
                if warehouse_value_missing(&draft.filters, key) {
                    errors.insert(field, warehouse_missing_message(key).into());
                }
            }
        }
        FilterSource::Other(source) => {
            errors.insert(
                "filters",
                format!("Unknown source '{source}': use events or data_warehouse."),
            );
        }
    }
    errors
}

/// The position (from 1) of the first action of events-shaped `filters` with none chosen
/// (`id` absent or null): a row added and left empty. PostHog's query runner reads such an
/// entry as `1 = 2`, so it would count nothing; the form asks for a choice instead.
pub fn unchosen_action(filters: &Filters) -> Option<usize> {
    if filters.source() != FilterSource::Events {
        return None;
    }
    let Some(Value::Array(actions)) = filters.0.get("actions") else {
        return None;
    };
    actions
        .iter()
        .position(|a| matches!(a.get("id"), None | Some(Value::Null)))
        .map(|i| i + 1)
}

/// What to type into an empty data-warehouse input.
fn warehouse_missing_message(key: &str) -> &'static str {
    match key {
        "table_name" => "Enter the data warehouse table to read.",
        "timestamp_field" => "Enter the table's timestamp column.",
        _ => "Enter the column that holds the group key.",
    }
}
