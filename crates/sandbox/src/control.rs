//! `/_sandbox/...`: the control API for tests and tools (no auth; the sandbox is a loopback
//! tool). Lets a test read what the server stored and what the app sent, flip switches, and
//! read the CSP violations the browser reported.

use crate::api_error::ApiError;
use crate::routes::Shared;
use crate::state::LoggedRequest;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

/// The control routes (never delayed, failed or rate limited).
pub fn control_router() -> Router<Shared> {
    let routes = [
        ("/_sandbox/state", get(state_json)),
        ("/_sandbox/reset", axum::routing::post(reset)),
        ("/_sandbox/switches", get(switches).post(set_switches)),
        ("/_sandbox/requests", get(requests).delete(clear_requests)),
        ("/_sandbox/usage", get(usage)),
        ("/_sandbox/events", get(events)),
        ("/_sandbox/oauth", get(oauth)),
        (
            crate::csp::REPORT_PATH,
            get(csp_reports)
                .post(add_csp_report)
                .delete(clear_csp_reports),
        ),
    ];
    let mut router = Router::new();
    for (path, methods) in routes {
        let methods = methods.fallback(method_not_allowed);
        router = router
            .route(path, methods.clone())
            .route(&format!("{path}/"), methods);
    }
    router.route("/_sandbox/{*rest}", axum::routing::any(not_found))
}

/// `?project=1&group_type_index=0&group_key=acme` (or `&person_id=`): who a usage route is about.
fn usage_target(uri: &axum::http::Uri) -> Result<(i64, crate::usage::Target), ApiError> {
    let params = uri.query().map(crate::auth::form_pairs).unwrap_or_default();
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let project = get("project")
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| ApiError::validation("required", "project is required.", Some("project")))?;
    let query = serde_json::json!({"query": {
        "kind": "UsageMetricsQuery",
        "group_type_index": get("group_type_index").and_then(|i| i.parse::<i64>().ok()),
        "group_key": get("group_key"),
        "person_id": get("person_id"),
    }});
    Ok((project, crate::routes::query_target(&query)?))
}

/// What `POST query/` would answer now, without a key: `{"now", "results"}`, for tests.
async fn usage(State(state): State<Shared>, uri: axum::http::Uri) -> Result<Json<Value>, ApiError> {
    let (project, target) = usage_target(&uri)?;
    let (now, secs) = crate::clock::now_with_secs();
    let results = state.read(|s| {
        s.projects
            .get(&project)
            .map(|p| crate::usage::compute(p, state.anchor, secs, &target))
            .ok_or_else(ApiError::not_found)
    })?;
    Ok(Json(
        serde_json::json!({"now": crate::clock::iso_utc(now), "results": results}),
    ))
}

/// The synthetic events a group or person has: `{"anchor", "events"}`, so a test can count
/// them itself.
async fn events(
    State(state): State<Shared>,
    uri: axum::http::Uri,
) -> Result<Json<Value>, ApiError> {
    let (project, target) = usage_target(&uri)?;
    let events = state.read(|s| {
        s.projects
            .get(&project)
            .map(|p| crate::usage::events(p, state.anchor, &target))
            .ok_or_else(ApiError::not_found)
    })?;
    Ok(Json(serde_json::json!({
        "anchor": crate::clock::iso_of_secs(state.anchor),
        "events": events.iter().map(crate::usage::Event::to_json).collect::<Vec<_>>(),
    })))
}

/// The OAuth server's tokens (first 8 characters only) and clients.
async fn oauth(State(state): State<Shared>) -> Json<Value> {
    Json(state.oauth.snapshot())
}

async fn state_json(State(state): State<Shared>) -> Json<Value> {
    Json(serde_json::to_value(state.snapshot()).unwrap_or(Value::Null))
}

async fn reset(State(state): State<Shared>) -> Json<Value> {
    state.reset();
    state_json(State(state)).await
}

async fn switches(State(state): State<Shared>) -> Json<crate::config::Switches> {
    Json(state.switches())
}

async fn set_switches(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<Json<crate::config::Switches>, ApiError> {
    let patch: Value = if body.is_empty() {
        Value::Object(serde_json::Map::new())
    } else {
        serde_json::from_slice(&body).map_err(ApiError::parse_error)?
    };
    let mut switches = state.switches();
    switches.merge(&patch)?;
    state.set_switches(switches.clone());
    Ok(Json(switches))
}

async fn requests(State(state): State<Shared>) -> Json<Vec<LoggedRequest>> {
    Json(state.requests())
}

async fn clear_requests(State(state): State<Shared>) -> StatusCode {
    state.clear_requests();
    StatusCode::NO_CONTENT
}

async fn csp_reports(State(state): State<Shared>) -> Json<Vec<Value>> {
    Json(state.csp_reports())
}

/// Store one violation report: browsers post `application/csp-report` (`report-uri`) or
/// `application/reports+json` (Reporting API); tools may post plain JSON.
async fn add_csp_report(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let json = matches!(
        essence.as_str(),
        "application/csp-report" | "application/reports+json" | "application/json"
    ) || (essence.starts_with("application/") && essence.ends_with("+json"));
    if !json {
        return Err(ApiError::unsupported_media_type(content_type));
    }
    let report: Value = serde_json::from_slice(&body).map_err(ApiError::parse_error)?;
    state.add_csp_report(report);
    Ok(StatusCode::NO_CONTENT)
}

async fn clear_csp_reports(State(state): State<Shared>) -> StatusCode {
    state.clear_csp_reports();
    StatusCode::NO_CONTENT
}

async fn method_not_allowed(method: axum::http::Method) -> ApiError {
    ApiError::method_not_allowed(method.as_str())
}

async fn not_found() -> ApiError {
    ApiError::not_found()
}
