//! Client-side checks that mirror the server's rules, so a user sees the problem next to the
//! field before anything is sent. Messages are keyed by the server's `attr` names, so a
//! server validation error lands on the same field.

use std::collections::BTreeMap;

use crate::model::{FilterSource, MetricDraft, MetricMath, WAREHOUSE_FIELDS};

/// Longest group type display name PostHog stores.
pub const MAX_GROUP_TYPE_NAME: usize = 400;
/// Longest metric name PostHog stores.
pub const MAX_METRIC_NAME: usize = 255;
/// Longest `math_property` PostHog stores.
pub const MAX_MATH_PROPERTY: usize = 255;

/// Field name (the server's `attr`) to message.
pub type FieldErrors = BTreeMap<&'static str, String>;

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
            let missing: Vec<&str> = WAREHOUSE_FIELDS
                .iter()
                .copied()
                .filter(|f| {
                    draft
                        .filters
                        .str_field(f)
                        .is_none_or(|v| v.trim().is_empty())
                })
                .collect();
            if !missing.is_empty() {
                errors.insert(
                    "filters",
                    format!("A data warehouse metric needs {}.", missing.join(", ")),
                );
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
