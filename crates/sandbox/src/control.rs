//! `/_sandbox/...`: the control API for tests and tools (no auth; the sandbox is a loopback
//! tool). Lets a test read what the server stored and what the app sent, and flip switches.

use crate::api_error::ApiError;
use crate::routes::Shared;
use crate::state::LoggedRequest;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
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

async fn method_not_allowed(method: axum::http::Method) -> ApiError {
    ApiError::method_not_allowed(method.as_str())
}

async fn not_found() -> ApiError {
    ApiError::not_found()
}
