//! Serving the built single-page app beside the API, optionally under a sub-path, with the
//! SPA fallback to `index.html` so deep links survive a reload, and the headers a hardened
//! static host sends (including, when the `csp` switch is on, a strict Content-Security-Policy
//! on the page). Assets with precompressed siblings (`app.wasm.br`, `app.wasm.gz`, written by
//! `scripts/compress.mjs`) are served in the best encoding the browser accepts: brotli, then
//! gzip, then identity, with `Vary: Accept-Encoding`.

use crate::csp::CspSwitch;
use axum::body::{to_bytes, Body};
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
    /// Answer one non-API request; `csp` is the current `csp` switch.
    pub async fn serve(&self, request: Request, csp: Option<&CspSwitch>) -> Response {
        let mut response = self.serve_file(request, csp).await;
        // On every static answer, errors and redirects included, as a hardened static host
        // sends them: the browser tests then run with what a deploy would add.
        let headers = response.headers_mut();
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        response
    }

    async fn serve_file(&self, mut request: Request, csp: Option<&CspSwitch>) -> Response {
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
        let last = inner.rsplit('/').next().unwrap_or_default();
        let rewrite = self.base != "/";
        // Anything without an extension may end up as index.html through the SPA fallback.
        let maybe_page = !last.contains('.') || last == "index.html";
        if maybe_page {
            // The page's headers follow the csp switch while the file stays the same; a 304
            // would keep the headers the browser stored with it, so the page is always whole.
            for name in [
                header::IF_MODIFIED_SINCE,
                header::IF_NONE_MATCH,
                header::IF_UNMODIFIED_SINCE,
                header::IF_MATCH,
            ] {
                request.headers_mut().remove(name);
            }
        }
        if maybe_page && (rewrite || csp.is_some()) {
            // A HEAD answer has no body to rewrite or hash and would keep the file's length;
            // fetch it as GET: axum sets Content-Length from the final body, then drops it.
            if request.method() == Method::HEAD {
                *request.method_mut() = Method::GET;
            }
            // A byte range of the file would not match the rewritten page or its hashes.
            request.headers_mut().remove(header::RANGE);
            request.headers_mut().remove(header::IF_RANGE);
        }
        let method = request.method().clone();
        let headers = request.headers().clone();
        let served = ServeDir::new(&self.dir)
            .append_index_html_on_directories(true)
            // Equal preferences go to brotli, then gzip (tower-http ranks brotli first).
            .precompressed_br()
            .precompressed_gzip()
            .try_call(request)
            .await;
        let mut response = match served {
            Ok(r) => r.map(Body::new),
            Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
        };
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
        if name == "index.html" && response.status() == StatusCode::OK {
            // Without a validator the browser never asks conditionally (see above).
            response.headers_mut().remove(header::LAST_MODIFIED);
            if rewrite || csp.is_some() {
                response = self.finish_page(response, csp).await;
            }
        }
        if response.status().is_success() && self.has_precompressed(&inner) {
            // The answer depends on Accept-Encoding: caches must keep one per encoding.
            response
                .headers_mut()
                .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        if NO_CACHE.contains(&name) && response.status().is_success() {
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        }
        self.fix_redirect(&mut response);
        response
    }

    /// The page as deployed: its `<base href="/">` pointing at the base path, as a deploy to
    /// a sub-path edits it (so the app's relative asset and route URLs resolve under it), and
    /// with the policy for the scripts of that final text when `csp` is on.
    async fn finish_page(&self, response: Response, csp: Option<&CspSwitch>) -> Response {
        let (mut parts, body) = response.into_parts();
        let html = match to_bytes(body, usize::MAX).await {
            Ok(html) => html.to_vec(),
            Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
        };
        let html = if self.base == "/" {
            html
        } else {
            rewrite_base_href(&html, &self.base)
        };
        if let Some(csp) = csp {
            match HeaderValue::from_str(&csp.policy(&html)) {
                Ok(policy) => {
                    parts
                        .headers
                        .insert(header::CONTENT_SECURITY_POLICY, policy);
                }
                // Sources are checked to be visible ASCII when set, so this cannot happen;
                // failing loudly beats serving the page without the policy the test expects.
                Err(e) => {
                    return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response()
                }
            }
        }
        parts
            .headers
            .insert(header::CONTENT_LENGTH, HeaderValue::from(html.len()));
        Response::from_parts(parts, Body::from(html))
    }

    /// Whether the file at `path` (relative to the base, as served) has a `.br` or `.gz`
    /// sibling, so its answer varies with Accept-Encoding.
    fn has_precompressed(&self, path: &str) -> bool {
        let relative = path.trim_start_matches('/');
        // ServeDir refused anything that climbs out of the folder; this only reads metadata.
        if relative.is_empty() || relative.split('/').any(|part| part == "..") {
            return false;
        }
        let file = self.dir.join(relative);
        ["br", "gz"].iter().any(|ext| {
            let mut sibling = file.clone().into_os_string();
            sibling.push(format!(".{ext}"));
            PathBuf::from(sibling).is_file()
        })
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

/// The app's `index.html` as built for `/`: the base element this module rewrites.
const BASE_ROOT: &[u8] = b"<base href=\"/\"";

/// `html` with its first `<base href="/"` (either `<base href="/" />` or `<base href="/">`)
/// pointing at `base` instead; unchanged when there is none.
pub fn rewrite_base_href(html: &[u8], base: &str) -> Vec<u8> {
    let Some(at) = html
        .windows(BASE_ROOT.len())
        .position(|window| window == BASE_ROOT)
    else {
        return html.to_vec();
    };
    let mut out = Vec::with_capacity(html.len() + base.len() * 2);
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(b"<base href=\"");
    // Base paths are free text from a flag; keep them inside the attribute.
    for c in base.chars() {
        match c {
            '&' => out.extend_from_slice(b"&amp;"),
            '"' => out.extend_from_slice(b"&quot;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '>' => out.extend_from_slice(b"&gt;"),
            c => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    out.push(b'"');
    out.extend_from_slice(&html[at + BASE_ROOT.len()..]);
    out
}

#[cfg(test)]
mod tests {
    use super::rewrite_base_href;

    fn rewrite(html: &str, base: &str) -> String {
        String::from_utf8(rewrite_base_href(html.as_bytes(), base)).unwrap()
    }

    #[test]
    fn base_href_is_pointed_at_the_base_path() {
        assert_eq!(
            rewrite("<head><base href=\"/\" /><title>x</title>", "/console/"),
            "<head><base href=\"/console/\" /><title>x</title>"
        );
        assert_eq!(
            rewrite("<base href=\"/\"><a href=\"/\">", "/a/b/"),
            "<base href=\"/a/b/\"><a href=\"/\">"
        );
        assert_eq!(
            rewrite("<base href=\"/\">", "/a\"<b>&/"),
            "<base href=\"/a&quot;&lt;b&gt;&amp;/\">"
        );
        for untouched in ["<title>x</title>", "<base href=\"/other/\">", ""] {
            assert_eq!(rewrite(untouched, "/console/"), untouched);
        }
    }
}
