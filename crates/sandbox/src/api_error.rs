//! The error envelope every API answer uses on failure, shaped like PostHog's
//! (drf-exceptions-hog): `{"type", "code", "detail", "attr"}`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// One failed API answer: status plus PostHog's error envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status of the answer.
    pub status: StatusCode,
    /// Envelope `type` (`validation_error`, `authentication_error`, ...).
    pub kind: &'static str,
    /// Envelope `code` (`required`, `not_found`, ...).
    pub code: String,
    /// Human-readable `detail`.
    pub detail: String,
    /// Field the error is about, if any.
    pub attr: Option<String>,
    /// Seconds for a `Retry-After` header (throttling only).
    pub retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, kind: &'static str, code: &str, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            kind,
            code: code.to_string(),
            detail: detail.into(),
            attr: None,
            retry_after: None,
        }
    }

    /// 404 with PostHog's generic detail "Not found.".
    pub fn not_found() -> Self {
        Self::not_found_with("Not found.")
    }

    /// 404 with a specific detail (group types say "Group type not found").
    pub fn not_found_with(detail: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "invalid_request",
            "not_found",
            detail,
        )
    }

    /// 400 validation error about one field (or none, for whole-body problems).
    pub fn validation(code: &str, detail: impl Into<String>, attr: Option<&str>) -> Self {
        let mut e = Self::new(StatusCode::BAD_REQUEST, "validation_error", code, detail);
        e.attr = attr.map(str::to_string);
        e
    }

    /// 500 exactly as PostHog answers an unhandled exception (e.g. a database constraint).
    pub fn server_error() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "error",
            "A server error occurred.",
        )
    }

    /// No credentials; the status differs per endpoint family (401 metrics, 403 groups_types).
    pub fn not_authenticated(status: StatusCode) -> Self {
        Self::new(
            status,
            "authentication_error",
            "not_authenticated",
            "Authentication credentials were not provided.",
        )
    }

    /// Unknown key (the detail says where it was found); the status differs per endpoint
    /// family (401 metrics, 403 groups_types).
    pub fn authentication_failed(status: StatusCode, detail: impl Into<String>) -> Self {
        Self::new(
            status,
            "authentication_error",
            "authentication_failed",
            detail,
        )
    }

    /// 403 for a key that is valid but not allowed to do this.
    pub fn permission_denied(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "authentication_error",
            "permission_denied",
            detail,
        )
    }

    /// 429 with the wait in both the detail and `Retry-After` (browsers cannot read the header).
    pub fn throttled(seconds: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled_error",
            "throttled",
            format!("Request was throttled. Expected available in {seconds} seconds."),
        );
        e.retry_after = Some(seconds);
        e
    }

    /// 400 for a body that is not valid JSON, as DRF's JSON parser reports it.
    pub fn parse_error(reason: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "parse_error",
            format!("JSON parse error - {reason}"),
        )
    }

    /// 415 for a body sent without a JSON content type (DRF refuses to parse it).
    pub fn unsupported_media_type(content_type: &str) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "invalid_request",
            "unsupported_media_type",
            format!("Unsupported media type \"{content_type}\" in request."),
        )
    }

    /// 405 for a known path with a method it does not take.
    pub fn method_not_allowed(method: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            "method_not_allowed",
            format!("Method \"{method}\" not allowed."),
        )
    }

    /// 413 for a body over the sandbox's size limit.
    pub fn too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request",
            "request_too_large",
            "Request body is too large.",
        )
    }

    /// The JSON envelope, without the status.
    pub fn body(&self) -> serde_json::Value {
        json!({"type": self.kind, "code": self.code, "detail": self.detail, "attr": self.attr})
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body())).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            // DRF sends its first authenticator's `authenticate_header` on every 401 (PostHog's
            // are "Bearer"); without one the status would have been 403.
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
