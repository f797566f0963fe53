//! Every way a call can fail, classified by PostHog's `code` (statuses differ between
//! endpoints for the same cause), with the server's own error body kept whole.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// PostHog's error envelope: `{"type", "code", "detail", "attr"}`. Every field is optional
/// here because a proxy or an older server may send less.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// `authentication_error`, `invalid_request`, `validation_error`, `throttled_error`, `server_error`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// Machine-readable cause, e.g. `authentication_failed`.
    #[serde(default)]
    pub code: Option<String>,
    /// Human-readable text from the server.
    #[serde(default)]
    pub detail: Option<String>,
    /// The field a validation error is about.
    #[serde(default)]
    pub attr: Option<String>,
}

impl ErrorBody {
    /// Reads an envelope leniently: non-string values become their JSON text, a non-object gives `None`.
    pub fn parse(body: &str) -> Option<ErrorBody> {
        let Value::Object(map) = serde_json::from_str::<Value>(body).ok()? else {
            return None;
        };
        let text = |key: &str| match map.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => Some(other.to_string()),
        };
        Some(ErrorBody {
            kind: text("type"),
            code: text("code"),
            detail: text("detail"),
            attr: text("attr"),
        })
    }
}

/// Why a request failed.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// The key was not sent (`not_authenticated`).
    MissingKey,
    /// The key is wrong or revoked (`authentication_failed`; 401 on metrics, 403 on group types).
    InvalidKey,
    /// The sign-in with PostHog is over: its refresh token expired or was revoked (or this
    /// tab no longer holds its tokens). Nothing was sent with it.
    SignInEnded,
    /// The credential was forgotten, signed out or replaced (in this tab or another one of
    /// this browser) after the screen took it up: the request was not sent.
    KeyForgotten,
    /// The key lacks a scope; `scope` is parsed from the detail when it names one.
    MissingScope {
        /// The scope to grant, such as `usage_metric:write`.
        scope: Option<String>,
        /// The server's error body.
        body: Box<ErrorBody>,
    },
    /// This action refuses personal API keys (PostHog Cloud's `update_metadata`).
    PersonalKeyNotAllowed,
    /// The key is limited to other projects.
    NoProjectAccess {
        /// The server's error body.
        body: Box<ErrorBody>,
    },
    /// Any other refusal (e.g. "You need admin access to project to modify this field.").
    PermissionDenied {
        /// The server's error body.
        body: Box<ErrorBody>,
    },
    /// The project, group type or metric does not exist.
    NotFound {
        /// The server's error body (empty when the server sent none).
        body: Box<ErrorBody>,
    },
    /// The server rejected a field; `attr` names it when the server does.
    Validation {
        /// The field, as the server names it (`name`, `math_property`, …).
        attr: Option<String>,
        /// The server's message.
        detail: String,
        /// The server's error body.
        body: Box<ErrorBody>,
    },
    /// Rate limited; `retry_after` seconds read from the detail (the header is not readable cross-origin).
    Throttled {
        /// Seconds to wait, when the server says.
        retry_after: Option<u32>,
    },
    /// The server failed (5xx).
    Server {
        /// HTTP status.
        status: u16,
        /// The server's error body, if it sent one.
        body: Option<Box<ErrorBody>>,
    },
    /// A status and body this client cannot classify.
    Unexpected {
        /// HTTP status.
        status: u16,
        /// The start of the body, for a bug report.
        excerpt: String,
    },
    /// A success whose body did not match the contract; `path` names where (`[2].group_type`).
    Decode {
        /// JSON path of the value that failed; empty for the whole body.
        path: String,
        /// What was wrong there.
        message: String,
    },
    /// The request never got an answer: the host is unreachable, or it refused this page's origin.
    Network {
        /// The host that was called.
        host: String,
        /// True when the host answered a plain probe, which points at a CORS refusal.
        host_reachable: Option<bool>,
    },
    /// This page's own Content-Security-Policy forbids connecting to the host: nothing was
    /// sent, and retrying cannot help.
    BlockedByPolicy {
        /// The host that was called.
        host: String,
    },
    /// No answer within the time limit.
    Timeout {
        /// The limit, in seconds.
        seconds: u32,
    },
    /// Cancelled by the app (the view was left); never shown to the user.
    Aborted,
}

impl ApiError {
    /// True for errors worth an automatic or manual retry of a read.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ApiError::Server { .. }
                | ApiError::Throttled { .. }
                | ApiError::Network { .. }
                | ApiError::Timeout { .. }
        )
    }

    /// Short title for the error, for headings and toasts.
    pub fn title(&self) -> &'static str {
        match self {
            ApiError::MissingKey | ApiError::InvalidKey => "The API key was not accepted",
            ApiError::SignInEnded => "Your sign-in has ended",
            ApiError::KeyForgotten => "Not connected",
            ApiError::MissingScope { .. } => "The API key is missing a scope",
            ApiError::PersonalKeyNotAllowed => {
                "This instance does not allow this with a personal API key"
            }
            ApiError::NoProjectAccess { .. } => "The API key cannot access this project",
            ApiError::PermissionDenied { .. } => "Permission denied",
            ApiError::NotFound { .. } => "Not found",
            ApiError::Validation { .. } => "The server rejected a value",
            ApiError::Throttled { .. } => "Too many requests",
            ApiError::Server { .. } => "The server had a problem",
            ApiError::Unexpected { .. } => "Unexpected answer from the server",
            ApiError::Decode { .. } => "The server's answer could not be read",
            ApiError::Network { .. } => "Could not reach the host",
            ApiError::BlockedByPolicy { .. } => "This page may not connect to that host",
            ApiError::Timeout { .. } => "The host took too long to answer",
            ApiError::Aborted => "Cancelled",
        }
    }
}

impl std::fmt::Display for ApiError {
    /// A plain sentence that says what happened and what to do. It never contains the key:
    /// nothing here holds it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::MissingKey => f.write_str("No API key was sent. Enter your personal API key."),
            ApiError::InvalidKey => f.write_str(
                "The personal API key is invalid or was revoked. Check it, and that it belongs to this host's region (US and EU cloud keys differ).",
            ),
            ApiError::MissingScope { scope: Some(scope), .. } => write!(
                f,
                "The API key lacks the scope '{scope}'. Edit the key in PostHog (Settings → Personal API keys) and grant it."
            ),
            ApiError::MissingScope { scope: None, body } => write!(
                f,
                "The API key lacks a required scope ({}).",
                body.detail.as_deref().unwrap_or("no detail")
            ),
            ApiError::PersonalKeyNotAllowed => f.write_str(
                "This PostHog instance allows this action only from its own settings page, not with a personal API key.",
            ),
            ApiError::NoProjectAccess { .. } => f.write_str(
                "The API key is limited to other projects. Check the project id, or allow this project on the key.",
            ),
            ApiError::PermissionDenied { body } => write!(
                f,
                "{}",
                body.detail.as_deref().unwrap_or("The server refused this request.")
            ),
            ApiError::NotFound { body } => write!(
                f,
                "{} Check the project id and the host's region.",
                body.detail.as_deref().unwrap_or("Not found.")
            ),
            ApiError::Validation { attr: Some(attr), detail, .. } => write!(f, "{attr}: {detail}"),
            ApiError::Validation { attr: None, detail, .. } => f.write_str(detail),
            ApiError::Throttled { retry_after: Some(1) } => {
                f.write_str("PostHog is rate limiting this key. Try again in a second.")
            }
            ApiError::Throttled { retry_after: Some(s) } => {
                write!(f, "PostHog is rate limiting this key. Try again in {s} seconds.")
            }
            ApiError::Throttled { retry_after: None } => {
                f.write_str("PostHog is rate limiting this key. Try again in a minute.")
            }
            ApiError::Server { status, .. } => write!(
                f,
                "The server answered {status}. Nothing you entered is lost; try again in a moment."
            ),
            ApiError::Unexpected { status, excerpt } => write!(
                f,
                "The server answered {status} with something unexpected: {excerpt}"
            ),
            ApiError::Decode { path, message } if path.is_empty() => {
                write!(f, "The answer did not match PostHog's API: {message}")
            }
            ApiError::Decode { path, message } => {
                write!(f, "The answer did not match PostHog's API at {path}: {message}")
            }
            ApiError::Network { host, host_reachable: Some(true) } => write!(
                f,
                "{host} is up but refused a request from this page's origin. A self-hosted PostHog must list this origin in CORS_ALLOWED_ORIGINS."
            ),
            ApiError::Network { host, .. } => write!(
                f,
                "Could not reach {host}. Check the address and your connection; if the host is up, it may refuse requests from this page's origin (CORS)."
            ),
            ApiError::BlockedByPolicy { host } => write!(
                f,
                "This page's Content-Security-Policy does not allow connecting to {host}, so nothing was sent. Ask whoever hosts this console to add {host} to connect-src (and to allowed_hosts in config.json)."
            ),
            ApiError::Timeout { seconds } => write!(
                f,
                "No answer within {seconds} seconds. The host may be down or slow; try again."
            ),
            ApiError::Aborted => f.write_str("The request was cancelled."),
            ApiError::SignInEnded => f.write_str(
                "Your sign-in with PostHog has ended: it expired or was revoked. Sign in again on the Connection screen.",
            ),
            ApiError::KeyForgotten => f.write_str(
                "Not connected: the key was forgotten or replaced, in this tab or another, so nothing was sent. Connect again on the Connection screen.",
            ),
        }
    }
}

impl std::error::Error for ApiError {}

/// Reads "… Expected available in 12 seconds." from a throttled detail.
fn retry_seconds(detail: &str) -> Option<u32> {
    let (_, rest) = detail.split_once("available in ")?;
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// Reads the scope from "API key missing required scope 'usage_metric:write'".
fn missing_scope(detail: &str) -> Option<String> {
    let (_, rest) = detail.split_once("scope '")?;
    let (scope, _) = rest.split_once('\'')?;
    (!scope.is_empty()).then(|| scope.to_owned())
}

/// At most `max` characters of `s`, cut on a character boundary.
pub fn excerpt(s: &str, max: usize) -> String {
    let trimmed = s.trim();
    match trimmed.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &trimmed[..cut]),
        None => trimmed.to_owned(),
    }
}

/// Classifies a non-success answer. The `code` decides first, because PostHog uses 401 or
/// 403 for the same cause depending on the endpoint; the status is the fallback.
pub fn classify(status: u16, body: &str) -> ApiError {
    let parsed = ErrorBody::parse(body);
    let envelope = Box::new(parsed.clone().unwrap_or_default());
    let detail = envelope.detail.clone().unwrap_or_default();
    match (envelope.code.as_deref(), envelope.kind.as_deref()) {
        (Some("not_authenticated"), _) => return ApiError::MissingKey,
        (Some("authentication_failed"), _) => return ApiError::InvalidKey,
        (Some("permission_denied"), _) => {
            return if detail.contains("missing required scope") {
                ApiError::MissingScope {
                    scope: missing_scope(&detail),
                    body: envelope,
                }
            } else if detail
                .to_ascii_lowercase()
                .contains("does not support personal api key")
            {
                // PostHog's code writes "Personal API Key"; its docs "personal API key".
                ApiError::PersonalKeyNotAllowed
            } else if detail.contains("does not have access to the requested project") {
                ApiError::NoProjectAccess { body: envelope }
            } else {
                ApiError::PermissionDenied { body: envelope }
            };
        }
        (Some("not_found"), _) => return ApiError::NotFound { body: envelope },
        (Some("throttled"), _) | (_, Some("throttled_error")) => {
            return ApiError::Throttled {
                retry_after: retry_seconds(&detail),
            }
        }
        (_, Some("validation_error")) if status < 500 => {
            return ApiError::Validation {
                attr: envelope.attr.clone(),
                detail,
                body: envelope,
            }
        }
        _ => {}
    }
    match status {
        500..=599 => ApiError::Server {
            status,
            body: parsed.map(Box::new),
        },
        401 => ApiError::InvalidKey,
        403 => ApiError::PermissionDenied { body: envelope },
        404 => ApiError::NotFound { body: envelope },
        429 => ApiError::Throttled {
            retry_after: retry_seconds(&detail),
        },
        400 if parsed.is_some() && !detail.is_empty() => ApiError::Validation {
            attr: envelope.attr.clone(),
            detail,
            body: envelope,
        },
        _ => ApiError::Unexpected {
            status,
            excerpt: excerpt(body, 200),
        },
    }
}
