//! Where the metric form shows what the server said about a save: a validation error lands
//! on the field it is about (PostHog reports every data-warehouse problem as `filters`, so
//! its `detail` tells which input), and the bare 500 of PostHog's uncaught duplicate-name
//! constraint becomes a message on Name once the names are read again. Anything else has no
//! field and is shown as a panel under the form.

use serde::Serialize;
use serde_json::Value;

use crate::error::ApiError;
use crate::model::{MetricDraft, WAREHOUSE_FIELDS};
use crate::validate::{
    warehouse_form_field, warehouse_value_missing, METRIC_FORM_FIELDS, WAREHOUSE_TABLE,
};

/// A message the server's answer put on one field of the metric form.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    /// The field, one of [`METRIC_FORM_FIELDS`].
    pub field: &'static str,
    /// What to show next to it.
    pub message: String,
}

/// The field of the metric form a validation error with this `attr` and `detail` is about,
/// for the save of `sent`; `None` when no field fits (the form shows a panel instead).
pub fn field_of(attr: Option<&str>, detail: &str, sent: &MetricDraft) -> Option<&'static str> {
    let attr = attr?;
    if attr == "filters" {
        if is_unknown_table(detail) {
            return Some(WAREHOUSE_TABLE);
        }
        if is_incomplete_warehouse(detail) {
            // The server names no input: point at the first one that looks empty in what was
            // sent, or at the table when all look filled in (a value Python reads as false
            // that this client does not recognise).
            let first_empty = WAREHOUSE_FIELDS
                .iter()
                .find(|key| warehouse_value_missing(&sent.filters, key))
                .and_then(|key| warehouse_form_field(key));
            return Some(first_empty.unwrap_or(WAREHOUSE_TABLE));
        }
    }
    // Only the serializer's own fields: a warehouse key is never an `attr`.
    METRIC_FORM_FIELDS
        .iter()
        .take_while(|f| !f.contains('.'))
        .find(|f| **f == attr)
        .copied()
}

/// "Data warehouse table 'x' does not exist." (the table is quoted as Python's `repr`).
fn is_unknown_table(detail: &str) -> bool {
    detail.starts_with("Data warehouse table ") && detail.trim_end().ends_with("does not exist.")
}

/// "Data warehouse metrics require table_name, timestamp_field, key_field."
fn is_incomplete_warehouse(detail: &str) -> bool {
    detail.starts_with("Data warehouse metrics require")
}

/// The message a failed save of `sent` puts on a field: a validation error the server sent,
/// in its own words. `None` for any other failure, and for a validation error no field fits.
pub fn place(error: &ApiError, sent: &MetricDraft) -> Option<Placed> {
    match error {
        ApiError::Validation { attr, detail, .. } => {
            field_of(attr.as_deref(), detail, sent).map(|field| Placed {
                field,
                message: detail.clone(),
            })
        }
        _ => None,
    }
}

/// Whether a failed save may be PostHog's uncaught unique-name constraint (a bare 500), so
/// that reading the group type's names again can tell. Only when the save sent a name: an
/// edit that keeps the name cannot collide.
pub fn may_be_duplicate_name(error: &ApiError, sent_name: bool) -> bool {
    sent_name && matches!(error, ApiError::Server { status: 500, .. })
}

/// After such a 500: the message for Name when another metric of the group type, among
/// `metrics` (id and name, as read again from the server), has the name `typed`. `own_id`
/// is the metric being edited, which may keep its own name.
pub fn name_taken_meanwhile<'a>(
    typed: &str,
    own_id: Option<&str>,
    metrics: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Option<Placed> {
    let typed = typed.trim();
    metrics
        .into_iter()
        .any(|(id, name)| Some(id) != own_id && name.trim() == typed)
        .then(|| Placed {
            field: "name",
            message: format!(
                "Another metric named “{typed}” was created meanwhile; choose another name."
            ),
        })
}

/// The value of one form field in `draft`, to tell whether the user changed it since a
/// message about it arrived (a server's message stays only while the value it judged does).
pub fn field_value(draft: &MetricDraft, field: &str) -> Value {
    fn json<T: Serialize>(v: &T) -> Value {
        // The model's types are plain enums and strings: serialising cannot fail.
        serde_json::to_value(v).unwrap_or(Value::Null)
    }
    match field {
        "name" => Value::String(draft.name.clone()),
        "interval" => Value::from(draft.interval),
        "format" => json(&draft.format),
        "display" => json(&draft.display),
        "math" => json(&draft.math),
        // A sum's property is judged with the math it goes with.
        "math_property" => Value::Array(vec![json(&draft.math), json(&draft.math_property)]),
        "filters" => Value::Object(draft.filters.0.clone()),
        other => match other.strip_prefix("filters.") {
            Some(key) => draft.filters.0.get(key).cloned().unwrap_or(Value::Null),
            None => Value::Null,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Filters, MetricMath};
    use serde_json::json;

    fn warehouse(filters: Value) -> MetricDraft {
        MetricDraft {
            name: "Rows".into(),
            filters: serde_json::from_value::<Filters>(filters).expect("filters"),
            ..MetricDraft::default()
        }
    }

    #[test]
    fn the_first_empty_warehouse_input_gets_the_incomplete_message() {
        let detail = "Data warehouse metrics require table_name, timestamp_field, key_field.";
        let d = warehouse(json!({"source": "data_warehouse", "table_name": "t", "key_field": ""}));
        assert_eq!(
            field_of(Some("filters"), detail, &d),
            Some("filters.timestamp_field")
        );
        let d = warehouse(
            json!({"source": "data_warehouse", "table_name": 0, "timestamp_field": "ts"}),
        );
        assert_eq!(field_of(Some("filters"), detail, &d), Some(WAREHOUSE_TABLE));
        // Nothing looks empty: the table.
        let d = warehouse(
            json!({"source": "data_warehouse", "table_name": "t", "timestamp_field": "ts", "key_field": true}),
        );
        assert_eq!(field_of(Some("filters"), detail, &d), Some(WAREHOUSE_TABLE));
    }

    #[test]
    fn other_filters_messages_stay_on_filters_and_unknown_attrs_have_no_field() {
        let d = MetricDraft::default();
        assert_eq!(
            field_of(Some("filters"), "Unknown source: 'x'", &d),
            Some("filters")
        );
        assert_eq!(
            field_of(Some("name"), "This field is required.", &d),
            Some("name")
        );
        assert_eq!(field_of(Some("group_type_index"), "x", &d), None);
        assert_eq!(field_of(Some("filters.table_name"), "x", &d), None);
        assert_eq!(field_of(None, "Invalid data.", &d), None);
    }

    #[test]
    fn a_field_value_follows_only_its_own_field() {
        let mut d = warehouse(json!({"source": "data_warehouse", "table_name": "t"}));
        let before = field_value(&d, "filters.table_name");
        d.name = "Other".into();
        d.filters.0.insert("key_field".into(), json!("k"));
        assert_eq!(field_value(&d, "filters.table_name"), before);
        d.filters.0.insert("table_name".into(), json!("u"));
        assert_ne!(field_value(&d, "filters.table_name"), before);
        let name = field_value(&d, "name");
        d.name = "Other ".into();
        assert_ne!(field_value(&d, "name"), name);
        let property = field_value(&d, "math_property");
        d.math = MetricMath::Sum;
        assert_ne!(field_value(&d, "math_property"), property);
    }
}
