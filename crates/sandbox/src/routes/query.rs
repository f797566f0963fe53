//! `POST query/` with a `UsageMetricsQuery` (scope `query:read`; PostHog's `QueryViewSet` counts
//! its `create` as a read): the values PostHog's group and person pages show, computed by
//! [`crate::usage`]. Any other query kind is refused: the sandbox runs no HogQL.

use super::{json_body, Shared};
use crate::api_error::ApiError;
use crate::auth::{authorize, Caller, Family, Need};
use crate::clock::iso_utc;
use crate::usage::{compute, Target};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use serde_json::{json, Value};

/// Run the query.
pub async fn run(
    State(state): State<Shared>,
    Path(project): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    // QueryViewSet shares `retrieve`, so its first authenticator is the sharing one: 403.
    let pid = authorize(
        &state,
        &caller,
        &project,
        Family::GroupTypes,
        Need::Scope("query:read"),
    )?;
    let body = json_body(&headers, &body)?;
    let target = target_of(&body)?;
    let (now, now_secs) = crate::clock::now_with_secs();
    let results = state.read(|s| {
        s.projects
            .get(&pid)
            .map(|p| compute(p, state.anchor, now_secs, &target))
            .unwrap_or_default()
    });
    let refreshed = iso_utc(now);
    Ok(Json(json!({
        "results": results,
        "hogql": null,
        "timings": [],
        "is_cached": false,
        "last_refresh": refreshed,
        "query_status": null,
        "modifiers": {},
    })))
}

fn bad(detail: impl Into<String>) -> ApiError {
    ApiError::validation("invalid_input", detail, None)
}

/// The group or person a `{"query": {...}}` body asks about, with the runner's own refusals.
pub fn target_of(body: &Value) -> Result<Target, ApiError> {
    let query = body
        .get("query")
        .filter(|q| q.is_object())
        .ok_or_else(|| bad("The request needs a \"query\" object."))?;
    match query.get("kind").and_then(Value::as_str) {
        Some("UsageMetricsQuery") => {}
        Some(kind) => {
            return Err(bad(format!(
                "The sandbox runs only UsageMetricsQuery, not {kind}."
            )))
        }
        None => return Err(bad("The query needs a \"kind\".")),
    }
    let key = query
        .get("group_key")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty());
    let index = query.get("group_type_index").and_then(Value::as_i64);
    let person = query
        .get("person_id")
        .and_then(Value::as_str)
        .filter(|p| !p.is_empty());
    match ((key, index), person) {
        ((Some(_), Some(_)), Some(_)) => Err(bad(
            "UsageMetricsQuery must have either group_key or person_id, not both",
        )),
        ((Some(key), Some(index)), None) => Ok(Target::Group {
            index,
            key: key.to_string(),
        }),
        (_, Some(person)) => Ok(Target::Person(person.to_string())),
        _ => Err(bad(
            "UsageMetricsQuery must have either group_key or person_id",
        )),
    }
}
