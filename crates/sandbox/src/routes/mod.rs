//! The PostHog API routes under `/api/projects/{project_id}/` and `/api/personal_api_keys/`,
//! each with and without the trailing slash, and PostHog-shaped answers for unknown paths and
//! methods.

mod group_types;
mod metrics;
pub mod personal_api_keys;

use crate::api_error::ApiError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::http::{header, HeaderMap, Method};
use axum::routing::{any, MethodRouter};
use axum::Router;
use serde_json::Value;
use std::sync::Arc;

/// Shared state as the handlers receive it.
pub type Shared = Arc<AppState>;

/// All API routes (without middleware; see [`crate::gate`]).
pub fn api_router() -> Router<Shared> {
    use axum::routing::{delete, get, patch};
    const GT: &str = "/api/projects/{project}/groups_types";
    let mut r = Router::new();
    r = both(r, GT, get(group_types::list));
    r = both(
        r,
        &format!("{GT}/update_metadata"),
        patch(group_types::update_metadata),
    );
    r = both(r, &format!("{GT}/{{gti}}"), delete(group_types::remove));
    r = both(
        r,
        &format!("{GT}/{{gti}}/metrics"),
        get(metrics::list).post(metrics::create),
    );
    r = both(
        r,
        &format!("{GT}/{{gti}}/metrics/{{id}}"),
        get(metrics::retrieve)
            .patch(metrics::partial_update)
            .put(metrics::update)
            .delete(metrics::remove),
    );
    // Every method reaches these handlers: the viewset refuses a personal key's other actions
    // with a 403 before DRF would answer 405.
    const KEYS: &str = "/api/personal_api_keys";
    r = both_any(r, KEYS, any(personal_api_keys::collection));
    r = both_any(r, &format!("{KEYS}/{{id}}"), any(personal_api_keys::detail));
    r = both_any(
        r,
        &format!("{KEYS}/{{id}}/roll"),
        any(personal_api_keys::roll),
    );
    r.route("/api", any(not_found))
        .route("/api/", any(not_found))
        .route("/api/{*rest}", any(not_found))
}

/// Route `path` and `path/`: PostHog accepts both.
fn both(router: Router<Shared>, path: &str, methods: MethodRouter<Shared>) -> Router<Shared> {
    let methods = methods.fallback(method_not_allowed);
    router
        .route(path, methods.clone())
        .route(&format!("{path}/"), methods)
}

/// Route `path` and `path/` to a handler that takes every method itself.
fn both_any(router: Router<Shared>, path: &str, methods: MethodRouter<Shared>) -> Router<Shared> {
    router
        .route(path, methods.clone())
        .route(&format!("{path}/"), methods)
}

async fn not_found() -> ApiError {
    ApiError::not_found()
}

async fn method_not_allowed(method: Method) -> ApiError {
    ApiError::method_not_allowed(method.as_str())
}

/// Parse a request body the way DRF's JSON parser does: empty means `{}`, a body needs a JSON
/// content type (else 415), and bad JSON is a 400 parse error.
pub fn json_body(headers: &HeaderMap, body: &Bytes) -> Result<Value, ApiError> {
    if body.is_empty() {
        return Ok(Value::Object(serde_json::Map::new()));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence != "application/json" {
        return Err(ApiError::unsupported_media_type(content_type));
    }
    serde_json::from_slice(body).map_err(ApiError::parse_error)
}

/// A non-negative integer path segment (group type index), or `None`.
pub fn parse_index(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}
