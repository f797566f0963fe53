//! Serving the built single-page app beside the API, optionally under a sub-path, with the
//! SPA fallback to `index.html` so deep links survive a reload.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use std::path::PathBuf;
use tower_http::services::{ServeDir, ServeFile};

/// A folder served under a base path (`/` or `/sub/`).
#[derive(Debug, Clone)]
pub struct StaticSite {
    /// Folder holding `index.html` and the assets.
    pub dir: PathBuf,
    /// Normalised base path, `/` or `/sub/`.
    pub base: String,
}

/// Files that must be revalidated on every load: they name the hashed assets or hold settings.
const NO_CACHE: &[&str] = &["index.html", "config.json"];

impl StaticSite {
    /// Answer one non-API request.
    pub async fn serve(&self, mut request: Request) -> Response {
        let path = request.uri().path().to_string();
        let prefix = self.base.trim_end_matches('/');
        let inner = if prefix.is_empty() {
            path.clone()
        } else if path == "/" || path == prefix {
            return Redirect::temporary(&self.base).into_response();
        } else if let Some(rest) = path.strip_prefix(prefix).filter(|r| r.starts_with('/')) {
            rest.to_string()
        } else {
            return (StatusCode::NOT_FOUND, "Not found").into_response();
        };
        if request.method() != Method::GET && request.method() != Method::HEAD {
            return (StatusCode::METHOD_NOT_ALLOWED, "Method not allowed").into_response();
        }
        let query = request
            .uri()
            .query()
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        let Ok(uri) = format!("{inner}{query}").parse::<Uri>() else {
            return (StatusCode::BAD_REQUEST, "Bad path").into_response();
        };
        *request.uri_mut() = uri;
        let method = request.method().clone();
        let headers = request.headers().clone();
        let served = ServeDir::new(&self.dir)
            .append_index_html_on_directories(true)
            .try_call(request)
            .await;
        let mut response = match served {
            Ok(r) => r.map(Body::new),
            Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
        };
        let last = inner.rsplit('/').next().unwrap_or_default();
        let mut name = if last.is_empty() { "index.html" } else { last };
        // Missing paths without an extension are app routes; a missing asset stays a 404.
        if response.status() == StatusCode::NOT_FOUND && !last.contains('.') {
            let mut fallback = Request::new(Body::empty());
            *fallback.method_mut() = method;
            *fallback.headers_mut() = headers;
            match ServeFile::new(self.dir.join("index.html"))
                .try_call(fallback)
                .await
            {
                Ok(r) => response = r.map(Body::new),
                Err(e) => {
                    return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response()
                }
            }
            name = "index.html";
        }
        if NO_CACHE.contains(&name) && response.status().is_success() {
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        }
        self.fix_redirect(&mut response);
        response
    }

    /// ServeDir redirects `dir` to `dir/` relative to the stripped path; put the base back.
    fn fix_redirect(&self, response: &mut Response) {
        let prefix = self.base.trim_end_matches('/');
        if prefix.is_empty() || !response.status().is_redirection() {
            return;
        }
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .filter(|l| l.starts_with('/'))
            .map(|l| format!("{prefix}{l}"));
        if let Some(value) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
            response.headers_mut().insert(header::LOCATION, value);
        }
    }
}
