//! CORS for the API and the control routes: any origin by default, as PostHog Cloud answers,
//! or only the origins of the `cors_allowed_origins` switch, to imitate a self-hosted PostHog
//! whose `CORS_ALLOWED_ORIGINS` does not list the page's origin.

use crate::routes::Shared;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Duration;
use tower_http::cors::{Any, CorsLayer};

/// Any origin, no credentials; preflights are answered here and never reach the handlers.
pub fn any_origin() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PATCH,
            Method::PUT,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .max_age(Duration::from_secs(86_400))
}

/// Middleware placed outside [`any_origin`] that narrows its answers to the allowed origins.
///
/// With the switch set, a listed `Origin` gets itself echoed back (as django-cors-headers
/// does) and any other request loses every `Access-Control-*` header, so the browser blocks
/// the answer. Post-processing the any-origin layer keeps the default answers byte-for-byte
/// what they were and the preflights out of the request log either way.
pub async fn restrict_origins(
    State(state): State<Shared>,
    request: Request,
    next: Next,
) -> Response {
    let Some(allowed) = state.switches().cors_allowed_origins else {
        return next.run(request).await;
    };
    let listed = request
        .headers()
        .get(header::ORIGIN)
        .filter(|origin| {
            origin
                .to_str()
                .is_ok_and(|origin| allowed.iter().any(|a| a == origin))
        })
        .cloned();
    let mut response = next.run(request).await;
    match listed {
        Some(origin) => {
            response
                .headers_mut()
                .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        }
        None => strip_cors_headers(response.headers_mut()),
    }
    response
}

/// Remove every `Access-Control-*` header (the `Vary` header stays: it is about caching).
fn strip_cors_headers(headers: &mut axum::http::HeaderMap) {
    let names: Vec<HeaderName> = headers
        .keys()
        .filter(|name| name.as_str().starts_with("access-control-"))
        .cloned()
        .collect();
    for name in names {
        headers.remove(name);
    }
}

/// Whether `origin` has the `scheme://host[:port]` form a browser sends in `Origin`, so a
/// value that could never match (a trailing slash, a path, no scheme) is refused up front.
pub fn is_origin(origin: &str) -> bool {
    let Some((scheme, host)) = origin.split_once("://") else {
        return false;
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '/' | '?' | '#'));
    scheme_ok && host_ok && HeaderValue::from_str(origin).is_ok()
}

#[cfg(test)]
mod tests {
    use super::is_origin;

    #[test]
    fn origins_are_scheme_and_host_only() {
        for good in [
            "http://127.0.0.1:5000",
            "https://app.example",
            "tauri://localhost",
            "http://[::1]:8080",
        ] {
            assert!(is_origin(good), "{good}");
        }
        for bad in [
            "",
            "127.0.0.1:5000",
            "http://",
            "http://app.example/",
            "http://app.example/path",
            "http://app example",
            "://app.example",
            "1http://app.example",
        ] {
            assert!(!is_origin(bad), "{bad}");
        }
    }
}
