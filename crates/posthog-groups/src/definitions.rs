//! What the project knows about its events, for the metric editor's pickers: event and
//! property definitions, actions and data-warehouse tables. Models (only the fields the
//! pickers use; PostHog sends many more, and its paid plans more still), one request builder
//! and one decoder per endpoint, and the scope each needs.
//!
//! PostHog's answers, as its code gives them (the sandbox follows the same):
//! `event_definitions/` and `property_definitions/` and `warehouse_tables/` are paged
//! (`limit`/`offset`, 100 by default); `actions/` is one list, `{"results"}` on older
//! servers and `{"count", "results"}` on newer ones, never a `next`.

use serde::{Deserialize, Deserializer};

use crate::decode::decode_json;
use crate::error::ApiError;
use crate::model::Page;
use crate::request::{Method, ProjectId, Request};

/// The scope that lets a key read event definitions (the event picker).
pub const EVENT_DEFINITION_READ: &str = "event_definition:read";
/// The scope that lets a key read property definitions (the property pickers).
pub const PROPERTY_DEFINITION_READ: &str = "property_definition:read";
/// The scope that lets a key read actions (the action picker).
pub const ACTION_READ: &str = "action:read";
/// The scope that lets a key read data-warehouse tables (the table and column pickers).
pub const WAREHOUSE_TABLE_READ: &str = "warehouse_table:read";

/// How many definitions a picker asks for at once.
pub const PICKER_PAGE: u64 = 50;

/// One event the project has seen.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct EventDefinition {
    /// The event's name, as metrics' filters name it.
    pub name: String,
    /// ISO 8601 time it was last seen; `None` when never (a definition made by hand).
    #[serde(default)]
    pub last_seen_at: Option<String>,
}

/// One event property the project has seen.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct PropertyDefinition {
    /// The property's key.
    pub name: String,
    /// Whether its values are numbers: only these can be summed.
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_numerical: bool,
    /// `Numeric`, `String`, `DateTime`, `Boolean`, `Duration`, or none known.
    #[serde(default)]
    pub property_type: Option<String>,
    /// Whether it was seen with the events asked about; `None` when none were named.
    #[serde(default)]
    pub is_seen_on_filtered_events: Option<bool>,
}

/// One action of the project.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Action {
    /// The id metrics' filters name it by.
    pub id: i64,
    /// Its name; PostHog allows an empty one.
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
}

/// Every action of the project, in PostHog's order.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Actions {
    /// The actions.
    pub results: Vec<Action>,
}

/// One column of a warehouse table.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct WarehouseColumn {
    /// The column's key, as a metric's `timestamp_field` or `key_field` names it.
    pub key: String,
    /// Its type in lower case (`string`, `integer`, `float`, `datetime`, …).
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
}

/// One data-warehouse table.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct WarehouseTable {
    /// The table's name, as a metric's `table_name` names it.
    pub name: String,
    /// Its columns; none known when PostHog sends null.
    #[serde(default, deserialize_with = "null_as_default")]
    pub columns: Vec<WarehouseColumn>,
}

impl WarehouseColumn {
    /// Whether the column holds times (a metric's `timestamp_field`).
    pub fn is_time(&self) -> bool {
        matches!(self.kind.as_deref(), Some("datetime" | "date"))
    }
}

impl EventDefinition {
    /// "last seen 3 days ago", from `last_seen_at` and the time now (ms since 1970), in whole
    /// UTC days as PostHog orders them.
    pub fn last_seen(&self, now_ms: f64) -> String {
        let Some(at) = self.last_seen_at.as_deref() else {
            return "never seen".into();
        };
        let Some(days) = days_since_epoch(at) else {
            return "last seen at an unknown time".into();
        };
        let today = (now_ms / 86_400_000.0).floor() as i64;
        match today - days {
            i64::MIN..=0 => "last seen today".into(),
            1 => "last seen yesterday".into(),
            n @ 2..=44 => format!("last seen {n} days ago"),
            n @ 45..=547 => format!("last seen {} months ago", (n + 15) / 30),
            n => format!("last seen {} years ago", (n + 182) / 365),
        }
    }
}

/// The day (since 1970-01-01) of an ISO 8601 time's date, `YYYY-MM-DD…`; the time of day and
/// offset are left out (PostHog writes UTC).
fn days_since_epoch(iso: &str) -> Option<i64> {
    let num = |r: std::ops::Range<usize>| iso.get(r)?.parse::<i64>().ok();
    if iso.get(4..5) != Some("-") || iso.get(7..8) != Some("-") {
        return None;
    }
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    Some(era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468)
}

/// A null where PostHog may send one reads as the type's empty value (false, "", []).
fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

fn get(project: &ProjectId, endpoint: &str, query: Vec<(&'static str, String)>) -> Request {
    Request {
        method: Method::Get,
        path: format!("/api/projects/{}/{endpoint}/", project.as_str()),
        query,
        body: None,
    }
}

/// A trimmed search, left out when blank.
fn search_param(search: &str) -> Option<(&'static str, String)> {
    let s = search.trim();
    (!s.is_empty()).then(|| ("search", s.to_owned()))
}

/// `GET event_definitions/?search=&limit=&offset=`: the events whose name holds every word of
/// `search`, in PostHog's order (last seen first; shorter names first for a search).
pub fn event_definitions(project: &ProjectId, search: &str, offset: u64) -> Request {
    let mut query: Vec<_> = search_param(search).into_iter().collect();
    query.push(("limit", PICKER_PAGE.to_string()));
    query.push(("offset", offset.to_string()));
    get(project, "event_definitions", query)
}

/// `GET event_definitions/?names=a,b`: which of `names` the project has seen (exact names).
pub fn event_definitions_named(project: &ProjectId, names: &[&str]) -> Request {
    let mut list: Vec<&str> = names.iter().copied().filter(|n| !n.is_empty()).collect();
    list.sort_unstable();
    list.dedup();
    let query = vec![
        ("names", list.join(",")),
        ("limit", list.len().max(1).to_string()),
    ];
    get(project, "event_definitions", query)
}

/// `GET property_definitions/?type=event&search=&event_names=[…]&is_numerical=true`: event
/// properties, those seen with `events` first (each says whether it was), only numeric ones
/// when `numerical` (the property to sum).
pub fn property_definitions(
    project: &ProjectId,
    search: &str,
    events: &[String],
    numerical: bool,
    offset: u64,
) -> Request {
    let mut query = vec![("type", "event".to_owned())];
    query.extend(search_param(search));
    if !events.is_empty() {
        query.push((
            "event_names",
            serde_json::to_string(events).unwrap_or_default(),
        ));
    }
    if numerical {
        query.push(("is_numerical", "true".to_owned()));
    }
    query.push(("limit", PICKER_PAGE.to_string()));
    query.push(("offset", offset.to_string()));
    get(project, "property_definitions", query)
}

/// `GET actions/`: every action of the project, in one answer (filtered in the browser).
pub fn actions(project: &ProjectId) -> Request {
    get(project, "actions", vec![])
}

/// `GET warehouse_tables/?search=&limit=&offset=`: the project's tables with their columns.
pub fn warehouse_tables(project: &ProjectId, search: &str, offset: u64) -> Request {
    let mut query: Vec<_> = search_param(search).into_iter().collect();
    query.push(("limit", PICKER_PAGE.to_string()));
    query.push(("offset", offset.to_string()));
    get(project, "warehouse_tables", query)
}

/// Decodes an `event_definitions/` page.
pub fn decode_event_definitions(
    status: u16,
    body: &str,
) -> Result<Page<EventDefinition>, ApiError> {
    decode_json(status, body)
}

/// Decodes a `property_definitions/` page.
pub fn decode_property_definitions(
    status: u16,
    body: &str,
) -> Result<Page<PropertyDefinition>, ApiError> {
    decode_json(status, body)
}

/// Decodes `actions/`, with or without its `count`.
pub fn decode_actions(status: u16, body: &str) -> Result<Actions, ApiError> {
    decode_json(status, body)
}

/// Decodes a `warehouse_tables/` page.
pub fn decode_warehouse_tables(status: u16, body: &str) -> Result<Page<WarehouseTable>, ApiError> {
    decode_json(status, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> ProjectId {
        ProjectId::parse("1").unwrap()
    }

    #[test]
    fn requests_carry_the_pickers_parameters() {
        let r = event_definitions(&project(), "  paid ", 50);
        assert_eq!(
            r.path_and_query(),
            "/api/projects/1/event_definitions/?search=paid&limit=50&offset=50"
        );
        assert_eq!(
            event_definitions(&project(), " ", 0).path_and_query(),
            "/api/projects/1/event_definitions/?limit=50&offset=0"
        );
        assert_eq!(
            event_definitions_named(&project(), &["paid_bil", "", "api_call", "paid_bil"])
                .path_and_query(),
            "/api/projects/1/event_definitions/?names=api_call%2Cpaid_bil&limit=2"
        );
        let r = property_definitions(&project(), "am", &["paid_bill".into()], true, 0);
        assert_eq!(
            r.path_and_query(),
            "/api/projects/1/property_definitions/?type=event&search=am&event_names=%5B%22paid_bill%22%5D&is_numerical=true&limit=50&offset=0"
        );
        assert_eq!(
            actions(&project()).path_and_query(),
            "/api/projects/1/actions/"
        );
        assert_eq!(
            warehouse_tables(&project(), "stripe", 0).path_and_query(),
            "/api/projects/1/warehouse_tables/?search=stripe&limit=50&offset=0"
        );
    }

    #[test]
    fn decoders_take_posthogs_answers() {
        let events = decode_event_definitions(
            200,
            r#"{"count": 2, "next": null, "previous": null, "count_is_capped": false, "results": [
                {"id": "0b", "name": "paid_bill", "created_at": null, "last_seen_at": "2026-12-01T10:00:00Z", "tags": []},
                {"id": "0c", "name": "by_hand", "last_seen_at": null}]}"#,
        )
        .unwrap();
        assert_eq!(events.results[0].name, "paid_bill");
        assert_eq!(events.results[1].last_seen_at, None);
        let props = decode_property_definitions(
            200,
            r#"{"count": 1, "next": null, "previous": null, "results": [
                {"id": "1", "name": "amount", "is_numerical": true, "property_type": "Numeric", "tags": [], "is_seen_on_filtered_events": true},
                {"id": "2", "name": "plan", "is_numerical": null, "property_type": null, "is_seen_on_filtered_events": null}]}"#,
        )
        .unwrap();
        assert!(props.results[0].is_numerical);
        assert_eq!(props.results[0].is_seen_on_filtered_events, Some(true));
        assert!(!props.results[1].is_numerical);
        // Older servers send no count; newer ones do; neither sends `next`.
        for body in [
            r#"{"results": [{"id": 7, "name": "Completed a task", "steps": []}]}"#,
            r#"{"count": 1, "results": [{"id": 7, "name": "Completed a task"}]}"#,
        ] {
            let a = decode_actions(200, body).unwrap();
            assert_eq!(
                a.results,
                [Action {
                    id: 7,
                    name: "Completed a task".into()
                }]
            );
        }
        let tables = decode_warehouse_tables(
            200,
            r#"{"count": 1, "next": null, "previous": null, "results": [{"id": "t", "name": "stripe_charges", "format": "Parquet",
                "columns": [{"key": "created", "name": "created", "type": "datetime", "schema_valid": true, "fields": null, "table": null, "chain": null},
                            {"key": "amount", "name": "amount", "type": "float", "schema_valid": true}]},
                {"id": "u", "name": "no_columns", "columns": null}]}"#,
        )
        .unwrap();
        assert!(tables.results[0].columns[0].is_time());
        assert!(!tables.results[0].columns[1].is_time());
        assert!(tables.results[1].columns.is_empty());
    }

    #[test]
    fn last_seen_reads_in_days() {
        let now = 1_796_731_200_000.0; // 2026-12-08T12:00:00Z
        let seen = |at: Option<&str>| {
            EventDefinition {
                name: "e".into(),
                last_seen_at: at.map(str::to_owned),
            }
            .last_seen(now)
        };
        assert_eq!(seen(Some("2026-12-08T01:00:00Z")), "last seen today");
        assert_eq!(seen(Some("2026-12-09T00:00:00Z")), "last seen today");
        assert_eq!(
            seen(Some("2026-12-07T23:59:59.123456+00:00")),
            "last seen yesterday"
        );
        assert_eq!(seen(Some("2026-12-01T10:00:00Z")), "last seen 7 days ago");
        assert_eq!(seen(Some("2026-09-08T10:00:00Z")), "last seen 3 months ago");
        assert_eq!(seen(Some("2023-12-08T10:00:00Z")), "last seen 3 years ago");
        assert_eq!(seen(None), "never seen");
        assert_eq!(seen(Some("yesterday")), "last seen at an unknown time");
        assert_eq!(seen(Some("2026-13-01")), "last seen at an unknown time");
        assert_eq!(seen(Some("")), "last seen at an unknown time");
    }

    #[test]
    fn refusals_and_bad_answers_are_typed() {
        let refused = decode_event_definitions(
            403,
            r#"{"type": "authentication_error", "code": "permission_denied", "detail": "API key missing required scope 'event_definition:read'", "attr": null}"#,
        );
        assert!(refused.is_err());
        match decode_actions(200, r#"{"results": [{"id": "seven"}]}"#) {
            Err(ApiError::Decode { path, .. }) => assert_eq!(path, "results[0].id"),
            other => panic!("expected a decode error, got {other:?}"),
        }
    }
}
