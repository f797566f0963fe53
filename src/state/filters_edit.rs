//! Pure edits of a metric's `filters`. Every function mutates the JSON object in place, never
//! rebuilding it from a typed model, so keys this client does not know (top-level ones like
//! `breakdown`, or `custom_name` inside an event) survive every edit.

use posthog_groups::model::{FilterSource, Filters};
use posthog_groups::validate::{warehouse_form_field, FieldErrors};
use serde_json::{json, Map, Value};

/// The key of the events list.
pub const EVENTS: &str = "events";
/// The key of the actions list.
pub const ACTIONS: &str = "actions";
/// The key of the property filters list.
pub const PROPERTIES: &str = "properties";

/// Which editor shows the filters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditMode {
    /// Events shape, edited field by field.
    Events,
    /// Data-warehouse shape, edited field by field.
    Warehouse,
    /// The whole object as JSON text.
    Raw,
}

impl EditMode {
    /// The mode that fits the filters: an unknown source can only be edited as raw JSON.
    pub fn for_filters(f: &Filters) -> EditMode {
        match f.source() {
            FilterSource::Events => EditMode::Events,
            FilterSource::DataWarehouse => EditMode::Warehouse,
            FilterSource::Other(_) => EditMode::Raw,
        }
    }
}

/// Whether `source` is spelled out as `"events"` (so switching back to events can keep it).
pub fn says_events(f: &Filters) -> bool {
    f.str_field("source") == Some("events")
}

/// Chooses the events shape: an explicit `"events"` stays; otherwise `explicit` decides
/// between writing it and removing the key (PostHog treats both the same).
pub fn use_events_source(f: &mut Filters, explicit: bool) {
    if says_events(f) {
        return;
    }
    if explicit {
        f.0.insert("source".into(), json!("events"));
    } else {
        // shift_remove keeps the order of the other keys, so a diff of the JSON stays small.
        f.0.shift_remove("source");
    }
}

/// Chooses the data-warehouse shape; every other key is kept for a switch back.
pub fn use_warehouse_source(f: &mut Filters) {
    f.0.insert("source".into(), json!("data_warehouse"));
}

/// Length of the list under `key`: 0 when absent or null, `None` when it has a shape this
/// editor cannot show (such as a nested property group), so it must be left alone.
pub fn list_len(f: &Filters, key: &str) -> Option<usize> {
    match f.0.get(key) {
        None | Some(Value::Null) => Some(0),
        Some(Value::Array(a)) => Some(a.len()),
        Some(_) => None,
    }
}

/// The list under `key`, created when absent or null; `None` when it has another shape.
fn list_for_add<'a>(f: &'a mut Filters, key: &str) -> Option<&'a mut Vec<Value>> {
    let slot = f.0.entry(key).or_insert(Value::Null);
    if slot.is_null() {
        *slot = Value::Array(Vec::new());
    }
    slot.as_array_mut()
}

/// The object at `i` of the list under `key`; a non-object item is replaced by an empty
/// object, because the user is editing it.
fn item_mut<'a>(f: &'a mut Filters, key: &str, i: usize) -> Option<&'a mut Map<String, Value>> {
    let item = f.0.get_mut(key)?.as_array_mut()?.get_mut(i)?;
    if !item.is_object() {
        *item = Value::Object(Map::new());
    }
    item.as_object_mut()
}

/// The object at `i` of the list under `key`, if it is one.
fn item<'a>(f: &'a Filters, key: &str, i: usize) -> Option<&'a Map<String, Value>> {
    f.0.get(key)?.as_array()?.get(i)?.as_object()
}

/// Removes item `i` of the list under `key` (events or properties); out of range does nothing.
pub fn remove_item(f: &mut Filters, key: &str, i: usize) {
    if let Some(list) = f.0.get_mut(key).and_then(Value::as_array_mut) {
        if i < list.len() {
            list.remove(i);
        }
    }
}

/// The name of event `i` as PostHog matches it (`id`, else `name`).
pub fn event_name(f: &Filters, i: usize) -> String {
    item(f, EVENTS, i)
        .and_then(|e| {
            e.get("id")
                .filter(|v| !v.is_null())
                .or_else(|| e.get("name"))
        })
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Sets event `i`'s `id` and `name`, keeping its other keys (`type`, `order`, `custom_name`).
pub fn set_event_name(f: &mut Filters, i: usize, name: &str) {
    if let Some(e) = item_mut(f, EVENTS, i) {
        e.insert("id".into(), json!(name));
        e.insert("name".into(), json!(name));
    }
}

/// Appends an empty event in PostHog's shape, its `order` being its position.
pub fn add_event(f: &mut Filters) {
    if let Some(list) = list_for_add(f, EVENTS) {
        let order = list.len();
        list.push(json!({"id": "", "name": "", "type": "events", "order": order}));
    }
}

/// Appends an action not chosen yet, in PostHog's shape (`id` null until one is picked).
pub fn add_action(f: &mut Filters) {
    if let Some(list) = list_for_add(f, ACTIONS) {
        let order = list.len();
        list.push(json!({"id": null, "type": "actions", "order": order}));
    }
}

/// Action `i`'s id, if it has one (PostHog writes it as a number; a string of digits is read
/// the same).
pub fn action_id(f: &Filters, i: usize) -> Option<i64> {
    match item(f, ACTIONS, i)?.get("id")? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// What action `i`'s box shows: the name its filters carry (PostHog's editor writes one),
/// else its id.
pub fn action_text(f: &Filters, i: usize) -> String {
    let named = item(f, ACTIONS, i)
        .and_then(|a| a.get("name"))
        .and_then(Value::as_str)
        .filter(|n| !n.trim().is_empty());
    match (named, action_id(f, i)) {
        (Some(n), _) => n.to_owned(),
        (None, Some(id)) => id.to_string(),
        (None, None) => String::new(),
    }
}

/// Sets action `i` to `id`, with its `name` when known (a typed id has none), keeping its
/// other keys.
pub fn set_action(f: &mut Filters, i: usize, id: i64, name: Option<&str>) {
    if let Some(a) = item_mut(f, ACTIONS, i) {
        a.insert("id".into(), json!(id));
        match name {
            Some(n) => a.insert("name".into(), json!(n)),
            None => a.shift_remove("name"),
        };
    }
}

/// The event names the filters count, non-empty, for the property pickers.
pub fn chosen_events(f: &Filters) -> Vec<String> {
    let mut names: Vec<String> = f
        .event_names()
        .into_iter()
        .filter(|n| !n.trim().is_empty())
        .map(str::to_owned)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Operators offered for a property filter, with their labels.
pub const OPERATORS: [(&str, &str); 8] = [
    ("exact", "equals"),
    ("is_not", "does not equal"),
    ("icontains", "contains"),
    ("not_icontains", "does not contain"),
    ("gt", "greater than"),
    ("lt", "less than"),
    ("is_set", "is set"),
    ("is_not_set", "is not set"),
];

/// Property types offered, with their labels.
pub const PROPERTY_TYPES: [(&str, &str); 3] = [
    ("event", "Event property"),
    ("person", "Person property"),
    ("group", "Group property"),
];

/// Whether an operator compares with a value (`is_set` and `is_not_set` do not).
pub fn operator_takes_value(op: &str) -> bool {
    !matches!(op, "is_set" | "is_not_set")
}

/// PostHog stores the value of equality operators as a list of alternatives.
fn wants_list(op: &str) -> bool {
    matches!(op, "exact" | "is_not")
}

/// One editable field of a property filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropField {
    /// `key`: the property name.
    Key,
    /// `operator`.
    Operator,
    /// `value`, shaped by the operator.
    Value,
    /// `type`: event, person or group.
    Type,
}

/// The text a property field shows; missing operator and type read as PostHog's defaults.
pub fn property_field(f: &Filters, i: usize, field: PropField) -> String {
    let p = item(f, PROPERTIES, i);
    let get = |k: &str| p.and_then(|p| p.get(k));
    let text =
        |k: &str, default: &str| get(k).and_then(Value::as_str).unwrap_or(default).to_owned();
    match field {
        PropField::Key => text("key", ""),
        PropField::Operator => text("operator", "exact"),
        PropField::Type => text("type", "event"),
        PropField::Value => match get("value") {
            None | Some(Value::Null) => String::new(),
            Some(Value::Array(a)) => a.iter().map(scalar_text).collect::<Vec<_>>().join(", "),
            Some(v) => scalar_text(v),
        },
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Sets one field of property filter `i`, keeping its other keys. A value is stored as
/// `["text"]` for `exact`/`is_not` and as `"text"` otherwise; a new operator reshapes a
/// single value to match, and leaves lists of several alternatives as they are.
pub fn set_property_field(f: &mut Filters, i: usize, field: PropField, text: &str) {
    let Some(p) = item_mut(f, PROPERTIES, i) else {
        return;
    };
    match field {
        PropField::Key => drop(p.insert("key".into(), json!(text))),
        PropField::Type => drop(p.insert("type".into(), json!(text))),
        PropField::Value => {
            let op = p.get("operator").and_then(Value::as_str).unwrap_or("exact");
            let value = if wants_list(op) {
                json!([text])
            } else {
                json!(text)
            };
            p.insert("value".into(), value);
        }
        PropField::Operator => {
            p.insert("operator".into(), json!(text));
            let reshaped = match p.get("value") {
                Some(Value::String(s)) if wants_list(text) => Some(json!([s])),
                Some(Value::Array(a)) if a.len() == 1 && !wants_list(text) => {
                    a.first().filter(|_| operator_takes_value(text)).cloned()
                }
                _ => None,
            };
            if let Some(v) = reshaped {
                p.insert("value".into(), v);
            }
        }
    }
}

/// Appends an empty event-property filter; its value is written when the user types one.
pub fn add_property(f: &mut Filters) {
    if let Some(list) = list_for_add(f, PROPERTIES) {
        list.push(json!({"key": "", "operator": "exact", "type": "event"}));
    }
}

/// Sets `filter_test_accounts`.
pub fn set_filter_test_accounts(f: &mut Filters, on: bool) {
    f.0.insert("filter_test_accounts".into(), json!(on));
}

/// The data-warehouse inputs: JSON key and label, in form order.
pub const WAREHOUSE_INPUTS: [(&str, &str); 3] = [
    ("table_name", "Table"),
    ("timestamp_field", "Timestamp column"),
    ("key_field", "Key column"),
];

/// The first data-warehouse input's message, for the top of the editor while `mode` does not
/// show those inputs (raw JSON): a message is never left on a hidden input.
pub fn warehouse_error_on_top(mode: EditMode, errors: &FieldErrors) -> Option<String> {
    if mode == EditMode::Warehouse {
        return None;
    }
    WAREHOUSE_INPUTS
        .iter()
        .find_map(|(key, _)| errors.get(warehouse_form_field(key)?).cloned())
}

/// Sets a top-level string field in place (the data-warehouse inputs).
pub fn set_text_field(f: &mut Filters, key: &str, text: &str) {
    f.0.insert(key.into(), json!(text));
}

/// The object as indented JSON, for the raw editor.
pub fn pretty(f: &Filters) -> String {
    // Serialising a map of JSON values cannot fail; an empty text is a harmless fallback.
    serde_json::to_string_pretty(&f.0).unwrap_or_default()
}

/// Parses raw editor text into filters, or the message to show next to the text.
pub fn parse_raw(text: &str) -> Result<Filters, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(Filters(map)),
        Ok(_) => Err("Filters must be a JSON object".into()),
        Err(e) => Err(format!("Not valid JSON: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PostHog filter with keys this client does not model at every level.
    fn sample() -> Filters {
        parse_raw(
            r#"{"events": [{"id": "paid_bill", "name": "paid_bill", "type": "events", "order": 0, "custom_name": "Paid"}],
                "actions": [{"id": 7}], "breakdown": "plan", "filter_test_accounts": false,
                "properties": [{"key": "plan", "value": ["pro"], "operator": "exact", "type": "person", "extra": 1}]}"#,
        )
        .unwrap()
    }

    fn assert_unknown_keys_kept(f: &Filters) {
        assert_eq!(f.0["breakdown"], json!("plan"), "{f:?}");
        assert_eq!(f.0["actions"], json!([{"id": 7}]));
        assert_eq!(f.0["events"][0]["custom_name"], json!("Paid"));
        assert_eq!(f.0["properties"][0]["extra"], json!(1));
    }

    #[test]
    fn unknown_keys_survive_every_operation() {
        let ops: Vec<fn(&mut Filters)> = vec![
            |f| use_warehouse_source(f),
            |f| use_events_source(f, false),
            |f| use_events_source(f, true),
            |f| set_event_name(f, 0, "x"),
            |f| add_event(f),
            |f| remove_item(f, EVENTS, 1),
            |f| add_property(f),
            |f| remove_item(f, PROPERTIES, 1),
            |f| set_property_field(f, 0, PropField::Key, "k"),
            |f| set_property_field(f, 0, PropField::Operator, "icontains"),
            |f| set_property_field(f, 0, PropField::Value, "v"),
            |f| set_property_field(f, 0, PropField::Type, "group"),
            |f| set_filter_test_accounts(f, true),
            |f| set_text_field(f, "table_name", "t"),
        ];
        let mut all = sample();
        for op in ops {
            let mut one = sample();
            op(&mut one);
            assert_unknown_keys_kept(&one);
            op(&mut all);
            assert_unknown_keys_kept(&all);
        }
    }

    #[test]
    fn switching_source_keeps_the_other_shape_and_key_order() {
        let mut f = sample();
        use_warehouse_source(&mut f);
        set_text_field(&mut f, "table_name", "bills");
        assert_eq!(EditMode::for_filters(&f), EditMode::Warehouse);
        use_events_source(&mut f, false);
        assert!(!f.0.contains_key("source"));
        assert_eq!(f.0["table_name"], json!("bills"));
        assert_eq!(f.0.keys().next().map(String::as_str), Some("events"));
        assert_eq!(f.event_names(), ["paid_bill"]);
        use_events_source(&mut f, true);
        assert_eq!(f.0["source"], json!("events"));
        use_events_source(&mut f, false); // an explicit "events" already there stays
        assert!(says_events(&f));
        let other = parse_raw(r#"{"source": "hogql"}"#).unwrap();
        assert_eq!(EditMode::for_filters(&other), EditMode::Raw);
    }

    #[test]
    fn events_take_posthog_shape() {
        let mut f = Filters::default();
        add_event(&mut f);
        add_event(&mut f);
        set_event_name(&mut f, 1, "signed_up");
        assert_eq!(
            f.0["events"][1],
            json!({"id": "signed_up", "name": "signed_up", "type": "events", "order": 1})
        );
        assert_eq!(event_name(&f, 1), "signed_up");
        remove_item(&mut f, EVENTS, 0);
        remove_item(&mut f, EVENTS, 9);
        assert_eq!(list_len(&f, EVENTS), Some(1));
        let mut s = sample();
        set_event_name(&mut s, 0, "refund");
        assert_eq!(s.0["events"][0]["order"], json!(0));
        assert_eq!(s.0["events"][0]["type"], json!("events"));
    }

    #[test]
    fn property_values_follow_the_operator() {
        let mut f = Filters::default();
        add_property(&mut f);
        set_property_field(&mut f, 0, PropField::Value, "pro");
        assert_eq!(f.0["properties"][0]["value"], json!(["pro"]));
        set_property_field(&mut f, 0, PropField::Operator, "icontains");
        assert_eq!(f.0["properties"][0]["value"], json!("pro"));
        set_property_field(&mut f, 0, PropField::Value, "ent");
        assert_eq!(f.0["properties"][0]["value"], json!("ent"));
        set_property_field(&mut f, 0, PropField::Operator, "is_not");
        assert_eq!(f.0["properties"][0]["value"], json!(["ent"]));
        set_property_field(&mut f, 0, PropField::Operator, "is_set");
        assert_eq!(
            f.0["properties"][0]["value"],
            json!(["ent"]),
            "kept as it was"
        );
        assert_eq!(property_field(&f, 0, PropField::Value), "ent");
        assert_eq!(property_field(&f, 5, PropField::Operator), "exact");
    }

    #[test]
    fn shapes_this_editor_cannot_show_are_left_alone() {
        let mut f = parse_raw(r#"{"properties": {"type": "AND", "values": []}}"#).unwrap();
        let before = f.clone();
        assert_eq!(list_len(&f, PROPERTIES), None);
        add_property(&mut f);
        set_property_field(&mut f, 0, PropField::Key, "k");
        remove_item(&mut f, PROPERTIES, 0);
        assert_eq!(f, before);
    }

    #[test]
    fn a_warehouse_message_goes_on_top_only_while_its_input_is_hidden() {
        let mut errors = FieldErrors::new();
        errors.insert("filters.key_field", "key".into());
        errors.insert("filters.timestamp_field", "ts".into());
        errors.insert("name", "name".into());
        assert_eq!(warehouse_error_on_top(EditMode::Warehouse, &errors), None);
        // The first in the form's order, not the map's.
        assert_eq!(
            warehouse_error_on_top(EditMode::Raw, &errors).as_deref(),
            Some("ts")
        );
        errors.clear();
        errors.insert("name", "name".into());
        assert_eq!(warehouse_error_on_top(EditMode::Raw, &errors), None);
    }

    #[test]
    fn raw_text_parses_to_exactly_that_object_or_explains() {
        let text = r#"{"z": 1, "a": {"b": [true]}}"#;
        let f = parse_raw(text).unwrap();
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            r#"{"z":1,"a":{"b":[true]}}"#
        );
        assert_eq!(parse_raw(&pretty(&f)), Ok(f));
        assert_eq!(
            parse_raw("[1]"),
            Err("Filters must be a JSON object".into())
        );
        let err = parse_raw("{\"a\":").unwrap_err();
        assert!(err.starts_with("Not valid JSON: EOF"), "{err}");
    }

    #[test]
    fn actions_are_picked_by_id_and_keep_their_name() {
        let filters = |v: Value| parse_raw(&v.to_string()).unwrap();
        let mut f = filters(json!({"actions": [{"id": 7, "type": "actions", "custom_name": "x"}]}));
        assert_eq!(action_id(&f, 0), Some(7));
        assert_eq!(action_text(&f, 0), "7");
        set_action(&mut f, 0, 21, Some("Completed checkout"));
        assert_eq!(action_text(&f, 0), "Completed checkout");
        add_action(&mut f);
        assert_eq!(action_id(&f, 1), None);
        assert_eq!(action_text(&f, 1), "");
        set_action(&mut f, 1, 14, None);
        assert_eq!(
            f.0["actions"],
            json!([
                {"id": 21, "type": "actions", "custom_name": "x", "name": "Completed checkout"},
                {"id": 14, "type": "actions", "order": 1}
            ])
        );
        let f = filters(json!({"events": [{"id": "b"}, {"id": ""}, {"name": "a"}, {"id": "b"}]}));
        assert_eq!(chosen_events(&f), ["a", "b"]);
    }
}
