//! What happens to every API request around its handler: the request log, the added latency,
//! the per-key rate limit, injected failures and malformed answers (the `corrupt` switch). Control and static routes skip all of it.

use crate::api_error::ApiError;
use crate::auth::{find_key, Caller, Presented};
use crate::corrupt::CorruptMode;
use crate::routes::Shared;
use crate::state::LoggedRequest;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::time::Duration;

/// Largest request body the sandbox reads.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The middleware itself (install with `axum::middleware::from_fn_with_state`).
pub async fn gate(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let mut entry = LoggedRequest {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(redact_query),
        body: Value::Null,
        authorization: parts.headers.contains_key(header::AUTHORIZATION),
        origin: parts
            .headers
            .get(header::ORIGIN)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
        status: 0,
    };
    let corrupt = switches_corrupt(&state, &parts.method);
    let path = parts.uri.path().to_string();
    let response = match to_bytes(body, MAX_BODY_BYTES).await {
        Err(_) => ApiError::too_large().into_response(),
        Ok(bytes) => {
            entry.body = logged_body(&bytes);
            // Found once, as PostHog's authentication looks (header, body, query string); the
            // key is also the rate-limit identity, and requests without one share a window.
            let presented = find_key(&parts.headers, parts.uri.query(), &bytes);
            let who = match &presented {
                Presented::Key(value, _) => value.clone(),
                Presented::OAuth(token) => token.0.clone(),
                _ => "<anonymous>".to_string(),
            };
            let mut request = Request::from_parts(parts, Body::from(bytes));
            request.extensions_mut().insert(Caller(presented));
            let is_write = !matches!(
                *request.method(),
                axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
            );
            let fault = if is_write {
                state.take_write_fault()
            } else {
                None
            };
            let switches = state.switches();
            // The failure rate, for the methods it applies to.
            let failure_rate = match &switches.failure_methods {
                Some(methods) if !methods.iter().any(|m| m == request.method().as_str()) => 0.0,
                _ => switches.failure_rate,
            };
            if switches.latency_ms > 0 {
                tokio::time::sleep(Duration::from_millis(switches.latency_ms)).await;
            }
            match (fault, switches.rate_limit_per_minute.filter(|n| *n > 0)) {
                (Some(429), _) => ApiError::throttled(1).into_response(),
                (Some(_), _) => ApiError::server_error().into_response(),
                (None, limit) => match limit {
                    Some(limit) => match state.take_rate_slot(&who, limit) {
                        Ok(()) => run(failure_rate, request, next).await,
                        Err(seconds) => ApiError::throttled(seconds).into_response(),
                    },
                    None => run(failure_rate, request, next).await,
                },
            }
        }
    };
    let response = match corrupt {
        Some(mode) => crate::corrupt::apply(mode, &path, response).await,
        None => response,
    };
    entry.status = response.status().as_u16();
    state.log_request(entry);
    response
}

/// The `corrupt` switch, for GET requests only.
fn switches_corrupt(state: &Shared, method: &axum::http::Method) -> Option<CorruptMode> {
    (method == axum::http::Method::GET)
        .then(|| state.switches().corrupt)
        .flatten()
}

/// Call the handler, unless this request is picked to fail (then nothing changes).
async fn run(failure_rate: f64, request: Request, next: Next) -> Response {
    if failure_rate > 0.0 && rand::random::<f64>() < failure_rate {
        return ApiError::server_error().into_response();
    }
    next.run(request).await
}

/// What the log shows in place of a key sent in a query string or body.
pub const REDACTED: &str = "********";

/// JSON as JSON, nothing as null, anything else as its text; a `personal_api_key` member is
/// redacted (a key is never kept).
fn logged_body(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    let mut body = serde_json::from_slice(bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()));
    if let Some(key) = body.get_mut("personal_api_key") {
        *key = Value::String(REDACTED.into());
    }
    body
}

/// The raw query string with the value of every `personal_api_key` parameter redacted.
fn redact_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if name == "personal_api_key" => format!("{name}={REDACTED}"),
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}
