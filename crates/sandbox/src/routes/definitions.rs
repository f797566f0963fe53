//! What a metric's pickers read: `event_definitions/`, `property_definitions/`, `actions/` and
//! `warehouse_tables/`, each behind its own read scope, shaped and ordered as PostHog answers
//! them (the sources are named on each handler; `shared/posthog-groups-api.md` has the
//! summary).

use super::{limit_offset_page, paging_param, Shared, DEFAULT_LIMIT};
use crate::api_error::ApiError;
use crate::auth::{authorize, form_pairs, Caller, Family, Need};
use crate::clock::iso_of_secs;
use crate::definitions::{drf_search, is_hidden, term_search};
use crate::model::Project;
use crate::usage::{column_type, last_seen, stable_uuid, DAYS};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::Json;
use serde_json::{json, Value};
use std::cmp::Ordering;

const DAY: i64 = 86_400;

/// The request's query as `(name, value)` pairs, and its last value of `name` (Django's
/// `QueryDict.get`).
struct Query(Vec<(String, String)>);

impl Query {
    fn of(uri: &Uri) -> Self {
        Query(uri.query().map(form_pairs).unwrap_or_default())
    }
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// DRF's `BooleanField` reading of a query value; `None` when absent or not a boolean.
    fn flag(&self, name: &str) -> Option<bool> {
        match self.get(name)? {
            "true" | "True" | "TRUE" | "1" | "yes" | "on" | "y" | "t" => Some(true),
            "false" | "False" | "FALSE" | "0" | "no" | "off" | "n" | "f" => Some(false),
            _ => None,
        }
    }
    /// `limit` and `offset` as DRF's LimitOffsetPagination reads them (a bad value means the
    /// default, never a 400).
    fn paging(&self) -> (usize, usize) {
        (
            paging_param(&self.0, "limit", true).unwrap_or(DEFAULT_LIMIT),
            paging_param(&self.0, "offset", false).unwrap_or(0),
        )
    }
    /// A validated integer (newest `EventDefinitionQuerySerializer`): not a number or under
    /// `min` is a 400 naming the parameter.
    fn int_at_least(&self, name: &str, min: i64) -> Result<Option<usize>, ApiError> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        let n = crate::validate::python_int(raw).ok_or_else(|| {
            ApiError::validation("invalid_input", "A valid integer is required.", Some(name))
        })?;
        if n < min {
            return Err(ApiError::validation(
                "min_value",
                format!("Ensure this value is greater than or equal to {min}."),
                Some(name),
            ));
        }
        Ok(Some(usize::try_from(n).unwrap_or(usize::MAX)))
    }
}

/// The project, once the key may read `scope` on it.
fn project_for(
    state: &Shared,
    caller: &Caller,
    project: &str,
    scope: &'static str,
) -> Result<Project, ApiError> {
    let pid = authorize(state, caller, project, Family::Metrics, Need::Scope(scope))?;
    state.read(|s| {
        s.projects
            .get(&pid)
            .cloned()
            .ok_or_else(ApiError::not_found)
    })
}

/// Which events `event_type` keeps.
#[derive(Clone, Copy)]
enum EventType {
    All,
    Custom,
    PostHog,
}

/// One `ordering` key of the event definitions and its direction.
#[derive(Clone, Copy, PartialEq)]
enum EventKey {
    Name,
    LastSeen,
    LastSeenDay,
    Created,
    CreatedDay,
}

/// `GET event_definitions/` (posthog/api/event_definition.py, newest): `search` by
/// [`term_search`], `event_type`, exact `names` (comma-joined or repeated), `ordering`, and
/// `limit`/`offset` validated (0 or a negative offset is a 400). Default order: the day last
/// seen, newest first and never-seen last, then name; a search without `ordering` puts
/// shorter names first. The envelope always carries `count_is_capped` (false: the sandbox
/// never holds the 50,000 definitions that cap the count).
pub async fn event_definitions(
    State(state): State<Shared>,
    Path(project): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Json<Value>, ApiError> {
    let p = project_for(&state, &caller, &project, "event_definition:read")?;
    let q = Query::of(&uri);
    let limit = q.int_at_least("limit", 1)?.unwrap_or(DEFAULT_LIMIT);
    let offset = q.int_at_least("offset", 0)?.unwrap_or(0);
    let kind = match q.get("event_type").unwrap_or("event") {
        "event" | "all" | "action_event" => EventType::All,
        "event_custom" => EventType::Custom,
        "event_posthog" => EventType::PostHog,
        _ => {
            return Err(ApiError::validation(
                "invalid_input",
                "Not a valid event type. Use one of: event, event_custom, event_posthog.",
                Some("event_type"),
            ))
        }
    };
    let search = q.get("search").unwrap_or("");
    let names: Vec<&str> = q
        .all("names")
        .flat_map(|v| v.split(','))
        .filter(|n| !n.is_empty())
        .collect();
    let mut order: Vec<(EventKey, bool)> = q
        .all("ordering")
        .flat_map(|v| v.split(','))
        .filter_map(|o| {
            let (desc, key) = o.strip_prefix('-').map_or((false, o), |k| (true, k));
            let key = match key {
                "name" => EventKey::Name,
                "last_seen_at" => EventKey::LastSeen,
                "last_seen_at::date" => EventKey::LastSeenDay,
                "created_at" => EventKey::Created,
                "created_at::date" => EventKey::CreatedDay,
                _ => return None,
            };
            Some((key, desc))
        })
        .collect();
    let requested = !order.is_empty();
    if !requested {
        order = vec![(EventKey::LastSeenDay, true)];
    }
    if !order.iter().any(|(k, _)| *k == EventKey::Name) {
        order.push((EventKey::Name, false));
    }
    let anchor = state.anchor;
    let created = anchor - DAYS * DAY;
    let mut rows: Vec<(&str, String, Option<i64>)> = p
        .event_definitions
        .iter()
        .filter(|d| match kind {
            EventType::All => true,
            EventType::Custom => !d.name.starts_with('$'),
            EventType::PostHog => d.name.starts_with('$'),
        })
        .filter(|d| term_search(search, &d.name))
        .filter(|d| names.is_empty() || names.contains(&d.name.as_str()))
        .map(|d| {
            (
                d.name.as_str(),
                d.id.clone(),
                last_seen(&p, anchor, &d.name),
            )
        })
        .collect();
    let shorter_first = !search.trim().is_empty() && !requested;
    // `Option`'s order puts `None` first, as PostgreSQL puts NULL first ascending (and last
    // descending, once reversed). Every definition here was created at once, so the
    // `created_at` keys never tell two apart.
    let day = |t: Option<i64>| t.map(|t| t.div_euclid(DAY));
    let by =
        |key: EventKey, a: &(&str, String, Option<i64>), b: &(&str, String, Option<i64>)| match key
        {
            EventKey::Name => a.0.cmp(b.0),
            EventKey::LastSeen => a.2.cmp(&b.2),
            EventKey::LastSeenDay => day(a.2).cmp(&day(b.2)),
            EventKey::Created | EventKey::CreatedDay => Ordering::Equal,
        };
    rows.sort_by(|a, b| {
        let first = if shorter_first {
            a.0.chars().count().cmp(&b.0.chars().count())
        } else {
            Ordering::Equal
        };
        order.iter().fold(first, |acc, &(key, desc)| {
            acc.then_with(|| {
                let o = by(key, a, b);
                if desc {
                    o.reverse()
                } else {
                    o
                }
            })
        })
    });
    let all: Vec<Value> = rows
        .into_iter()
        .map(|(name, id, seen)| {
            json!({
                "id": id,
                "name": name,
                "created_at": iso_of_secs(created),
                "last_seen_at": seen.map(iso_of_secs),
                "last_updated_at": iso_of_secs(created),
                "tags": [],
                "is_action": false,
                "action_id": null,
                "is_calculating": false,
                "last_calculated_at": null,
                "created_by": null,
                "post_to_slack": false,
            })
        })
        .collect();
    let mut page = limit_offset_page(&state, &headers, &uri, &q.0, all, limit, offset);
    page["count_is_capped"] = json!(false);
    Ok(Json(page))
}

/// `GET property_definitions/` (posthog/taxonomy/property_definition_api.py): event
/// properties, PostHog's hidden ones never listed; `event_names` (a JSON list) marks each
/// `is_seen_on_filtered_events` and, with `filter_by_event_names=true`, keeps only those seen
/// with the events; `is_numerical=true` keeps numeric ones (and drops `distinct_id` and
/// `timestamp`), `false` filters nothing; `search`, exact `properties`, `excluded_properties`.
/// Seen ones first, then by name. The sandbox knows no person, group or session properties:
/// those types answer an empty page.
pub async fn property_definitions(
    State(state): State<Shared>,
    Path(project): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Json<Value>, ApiError> {
    let p = project_for(&state, &caller, &project, "property_definition:read")?;
    let q = Query::of(&uri);
    let (limit, offset) = q.paging();
    let kind = q.get("type").unwrap_or("event");
    if !matches!(kind, "event" | "person" | "group" | "session") {
        return Err(ApiError::validation(
            "invalid_choice",
            format!("\"{kind}\" is not a valid choice."),
            Some("type"),
        ));
    }
    let gti = q.get("group_type_index");
    match (kind, gti) {
        ("group", None) => {
            return Err(ApiError::validation(
                "invalid_input",
                "`group_type_index` must be set for `group` type",
                None,
            ))
        }
        ("group", Some(i))
            if !crate::validate::python_int(i).is_some_and(|i| (0..5).contains(&i)) =>
        {
            return Err(ApiError::validation(
                "invalid_input",
                "Invalid value for `group_type_index`",
                None,
            ))
        }
        (k, Some(_)) if k != "group" => {
            return Err(ApiError::validation(
                "invalid_input",
                "`group_type_index` can only set for `group` type",
                None,
            ))
        }
        _ => {}
    }
    // PostHog json.loads the value; a value that is not a JSON list of names reads as none
    // here (unconfirmed how PostHog answers it).
    let event_names: Vec<String> = q
        .get("event_names")
        .and_then(|v| serde_json::from_str::<Vec<String>>(v).ok())
        .unwrap_or_default();
    if !event_names.is_empty() && kind != "event" {
        return Err(ApiError::validation(
            "invalid_input",
            "`event_names` can only be set for `event` type",
            None,
        ));
    }
    let only_seen = q.flag("filter_by_event_names") == Some(true);
    let numerical = q.flag("is_numerical") == Some(true);
    let search = q.get("search").unwrap_or("");
    let exact: Vec<&str> = q
        .get("properties")
        .map(|v| v.split(',').filter(|n| !n.is_empty()).collect())
        .unwrap_or_default();
    let excluded: Vec<String> = q
        .get("excluded_properties")
        .and_then(|v| serde_json::from_str(v).ok())
        .unwrap_or_default();
    let listed = if kind == "event" {
        p.property_definitions.as_slice()
    } else {
        &[]
    };
    let mut rows: Vec<(Option<bool>, Value)> = listed
        .iter()
        .filter(|d| !is_hidden(&d.name))
        .filter(|d| !numerical || (d.is_numerical && d.name != "timestamp"))
        .filter(|d| term_search(search, &d.name))
        .filter(|d| exact.is_empty() || exact.contains(&d.name.as_str()))
        .filter(|d| !excluded.contains(&d.name))
        .filter_map(|d| {
            let seen =
                (!event_names.is_empty()).then(|| d.events.iter().any(|e| event_names.contains(e)));
            if only_seen && seen == Some(false) {
                return None;
            }
            let item = json!({
                "id": d.id,
                "name": d.name,
                "is_numerical": d.is_numerical,
                "property_type": d.property_type,
                "tags": [],
                "is_seen_on_filtered_events": seen,
            });
            Some((seen, item))
        })
        .collect();
    // `ORDER BY is_seen_on_filtered_events DESC, name ASC` (the definitions are kept by name).
    rows.sort_by_key(|(seen, _)| std::cmp::Reverse(*seen == Some(true)));
    let all = rows.into_iter().map(|(_, item)| item).collect();
    Ok(Json(limit_offset_page(
        &state, &headers, &uri, &q.0, all, limit, offset,
    )))
}

/// `GET actions/` (products/actions/backend/api/action.py, newest): every action, not paged
/// unless `limit` is given, as `{count, results}` with no `next`; `search` is one
/// case-insensitive substring of the name. Ordered by `last_calculated_at DESC` (never
/// calculated first: all of the sandbox's) then name.
pub async fn actions(
    State(state): State<Shared>,
    Path(project): Path<String>,
    caller: Caller,
    uri: Uri,
) -> Result<Json<Value>, ApiError> {
    let p = project_for(&state, &caller, &project, "action:read")?;
    let q = Query::of(&uri);
    let search = q.get("search").unwrap_or("").to_lowercase();
    let offset = paging_param(&q.0, "offset", false).unwrap_or(0);
    let limit = paging_param(&q.0, "limit", false);
    let created = iso_of_secs(state.anchor - DAYS * DAY);
    let mut list: Vec<_> = p
        .actions
        .iter()
        .filter(|a| a.name.to_lowercase().contains(&search))
        .collect();
    list.sort_by(|a, b| a.name.cmp(&b.name));
    let total = list.len();
    let results: Vec<Value> = list
        .into_iter()
        .skip(offset)
        .take(limit.unwrap_or(usize::MAX))
        .map(|a| {
            let steps: Vec<Value> = a
                .steps
                .iter()
                .map(|s| {
                    json!({
                        "event": s.event,
                        "properties": if s.properties.is_null() { json!([]) } else { s.properties.clone() },
                        "selector": null, "selector_regex": null, "tag_name": null,
                        "text": null, "text_matching": null, "href": null,
                        "href_matching": null, "url": null, "url_matching": "contains",
                    })
                })
                .collect();
            json!({
                "id": a.id, "name": a.name, "description": "", "tags": [],
                "post_to_slack": false, "slack_message_format": "", "steps": steps,
                "created_at": created, "created_by": null, "deleted": false,
                "is_calculating": false, "last_calculated_at": null, "team_id": p.id,
                "is_action": true, "bytecode_error": null, "pinned_at": null,
                "creation_context": null, "user_access_level": "editor",
            })
        })
        .collect();
    let count = match limit {
        Some(_) => total,
        None => offset + results.len(),
    };
    Ok(Json(json!({ "count": count, "results": results })))
}

/// `GET warehouse_tables/` (products/data_warehouse/backend/api/table.py): paged, newest
/// first (the seed's last table is its newest), `search` by DRF's `SearchFilter`; `columns`
/// is a list of PostHog's `SerializedField`s, typed by the rule the sandbox fills them with.
pub async fn warehouse_tables(
    State(state): State<Shared>,
    Path(project): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Json<Value>, ApiError> {
    let p = project_for(&state, &caller, &project, "warehouse_table:read")?;
    let q = Query::of(&uri);
    let (limit, offset) = q.paging();
    let search = q.get("search").unwrap_or("");
    let pid = p.id.to_string();
    let all: Vec<Value> = p
        .warehouse_tables
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, t)| drf_search(search, &t.name))
        .map(|(i, t)| {
            let columns: Vec<Value> = t
                .columns
                .iter()
                .map(|c| {
                    json!({
                        "key": c, "name": c, "type": column_type(c), "schema_valid": true,
                        "fields": null, "table": null, "chain": null,
                    })
                })
                .collect();
            let created = state.anchor - DAYS * DAY + i64::try_from(i).unwrap_or(0) * DAY;
            json!({
                "id": stable_uuid(&[&pid, "warehouse_table", &t.name]),
                "deleted": false, "name": t.name, "format": "Parquet", "created_by": null,
                "created_at": iso_of_secs(created), "url_pattern": "", "credential": null,
                "columns": columns, "external_data_source": null, "external_schema": null,
                "options": {}, "user_access_level": "editor",
            })
        })
        .collect();
    Ok(Json(limit_offset_page(
        &state, &headers, &uri, &q.0, all, limit, offset,
    )))
}
