//! Sends a core [`Request`] with gloo-net: Bearer key, JSON, `credentials: omit`, a timeout,
//! and an abort when the reactive scope that started it is cleaned up (the view was left or
//! its inputs changed).

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use gloo_net::http::{Method as HttpMethod, RequestBuilder};
use leptos::prelude::{on_cleanup, set_timeout_with_handle, ArcRwSignal, Update};
use posthog_groups::error::classify;
use posthog_groups::retry::RetryPolicy;
use posthog_groups::{ApiError, Method, Request};
use send_wrapper::SendWrapper;
use web_sys::{AbortController, RequestCredentials, RequestMode};

use crate::state::connection::Connection;

/// How long a request may take before the app gives up and says so.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// After this long, a request counts as slow and the shell says the app is waiting.
pub const SLOW: Duration = Duration::from_secs(3);

thread_local! {
    // One counter for the whole app; transport code runs outside any reactive owner, so it
    // cannot reach a context.
    static SLOW_NOW: ArcRwSignal<usize> = ArcRwSignal::new(0);
}

/// How many requests are in flight for longer than [`SLOW`], for the shell's notice.
pub fn slow_requests() -> ArcRwSignal<usize> {
    SLOW_NOW.with(Clone::clone)
}

/// Counts a request as slow from [`SLOW`] after its start until it is dropped.
struct SlowWatch {
    counted: Rc<Cell<bool>>,
    timer: Option<leptos::prelude::TimeoutHandle>,
}

impl SlowWatch {
    fn start() -> SlowWatch {
        let counted = Rc::new(Cell::new(false));
        let flag = SendWrapper::new(counted.clone());
        let timer = set_timeout_with_handle(
            move || {
                flag.set(true);
                slow_requests().update(|n| *n += 1);
            },
            SLOW,
        )
        .ok();
        SlowWatch { counted, timer }
    }
}

impl Drop for SlowWatch {
    fn drop(&mut self) {
        if let Some(t) = self.timer.take() {
            t.clear();
        }
        if self.counted.get() {
            slow_requests().update(|n| *n = n.saturating_sub(1));
        }
    }
}

fn http_method(m: Method) -> HttpMethod {
    match m {
        Method::Get => HttpMethod::GET,
        Method::Post => HttpMethod::POST,
        Method::Patch => HttpMethod::PATCH,
        Method::Put => HttpMethod::PUT,
        Method::Delete => HttpMethod::DELETE,
    }
}

/// Aborts the fetch when dropped, so a future dropped mid-flight does not leave it running.
struct AbortOnDrop(Option<AbortController>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            c.abort();
        }
    }
}

/// Sends `req` and returns the status and body text. Reads (GET) are retried on network
/// failures, timeouts, 5xx and 429 as [`RetryPolicy`] says; writes are sent once, because
/// repeating a create blindly could make a second metric.
pub async fn send(conn: &Connection, req: &Request) -> Result<(u16, String), ApiError> {
    let policy = RetryPolicy::default();
    let _slow = SlowWatch::start();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let result = send_once(conn, req).await;
        if req.method != Method::Get {
            return result;
        }
        let error = match &result {
            Err(e) => e.clone(),
            Ok((status, body)) if *status >= 500 || *status == 429 => classify(*status, body),
            Ok(_) => return result,
        };
        match policy.delay(attempts, &error) {
            Some(wait) => crate::browser::sleep(wait).await,
            None => return result,
        }
    }
}

/// One attempt. Only transport failures are errors here; statuses are the decoder's business.
async fn send_once(conn: &Connection, req: &Request) -> Result<(u16, String), ApiError> {
    let controller = AbortController::new().ok();
    let signal = controller.as_ref().map(AbortController::signal);
    if let Some(c) = controller.clone() {
        // Leaving the view (or a refetch) cleans up the owner: stop the request with it.
        let c = SendWrapper::new(c);
        on_cleanup(move || c.abort());
    }
    let _abort_guard = AbortOnDrop(controller.clone());

    let timed_out = Rc::new(Cell::new(false));
    let timer = controller.clone().and_then(|c| {
        let flag = SendWrapper::new(timed_out.clone());
        let c = SendWrapper::new(c);
        set_timeout_with_handle(
            move || {
                flag.set(true);
                c.abort();
            },
            TIMEOUT,
        )
        .ok()
    });

    let builder = RequestBuilder::new(&conn.host.url(&req.path))
        .query(req.query.iter().map(|(k, v)| (*k, v)))
        .method(http_method(req.method))
        .header("Authorization", &conn.key.bearer())
        .header("Accept", "application/json")
        .credentials(RequestCredentials::Omit)
        .abort_signal(signal.as_ref());
    let built = match &req.body {
        Some(body) => builder
            .header("Content-Type", "application/json")
            .body(body.to_string()),
        None => builder.build(),
    };
    let result = match built {
        Ok(request) => request.send().await,
        Err(e) => Err(e),
    };
    if let Some(t) = timer {
        t.clear();
    }
    let response = match result {
        Ok(r) => r,
        Err(_) if timed_out.get() => {
            return Err(ApiError::Timeout {
                seconds: TIMEOUT.as_secs() as u32,
            })
        }
        Err(_) if signal.as_ref().is_some_and(|s| s.aborted()) => return Err(ApiError::Aborted),
        Err(_) => {
            let host = conn.host.to_string();
            // The browser reports a CSP block as an event, queued after the failure: let it
            // arrive, then tell a policy block (permanent) from a network one.
            crate::browser::sleep(Duration::ZERO).await;
            if crate::browser::blocked_by_policy(&host) {
                return Err(ApiError::BlockedByPolicy { host });
            }
            let host_reachable = Some(probe(&host).await);
            return Err(ApiError::Network {
                host,
                host_reachable,
            });
        }
    };
    let status = response.status();
    // A body that cannot be read as text is treated as empty; the decoder then says so.
    let body = response.text().await.unwrap_or_default();
    Ok((status, body))
}

/// Tells an unreachable host from one that refuses this page's origin: a `no-cors` request
/// (no key, no credentials) succeeds whenever the host answers at all.
async fn probe(host: &str) -> bool {
    let req = RequestBuilder::new(&format!("{host}/"))
        .mode(RequestMode::NoCors)
        .credentials(RequestCredentials::Omit)
        .build();
    match req {
        Ok(r) => r.send().await.is_ok(),
        Err(_) => false,
    }
}

/// Reads `config.json` beside `index.html` (relative to the document's base). A missing
/// file means the defaults; a file that cannot be used is an error that says why.
pub async fn load_config() -> Result<crate::state::config::AppConfig, String> {
    use crate::state::config::AppConfig;
    let request = RequestBuilder::new("config.json")
        .header("Accept", "application/json")
        .build();
    let response = match request {
        Ok(r) => r.send().await,
        Err(_) => return Ok(AppConfig::default()),
    };
    match response {
        Ok(r) if r.status() == 404 => Ok(AppConfig::default()),
        Ok(r) if r.ok() => AppConfig::parse(&r.text().await.unwrap_or_default()),
        Ok(r) => Err(format!(
            "config.json could not be loaded (status {})",
            r.status()
        )),
        // Offline or blocked: the app still works with its defaults.
        Err(_) => Ok(AppConfig::default()),
    }
}

/// Sends `req` with `keepalive`, so the browser finishes it after the page is gone. Used for
/// deletes still waiting for their undo period when the page is hidden or closed.
pub async fn send_keepalive(conn: &Connection, req: &Request) {
    let init = web_sys::RequestInit::new();
    init.set_method(req.method.as_str());
    // `keepalive` is not in web-sys's stable RequestInit API: set the field directly.
    let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &true.into());
    init.set_credentials(RequestCredentials::Omit);
    let headers = web_sys::Headers::new().ok();
    if let Some(h) = &headers {
        let _ = h.set("Authorization", &conn.key.bearer());
        if let Some(body) = &req.body {
            let _ = h.set("Content-Type", "application/json");
            init.set_body(&wasm_bindgen::JsValue::from_str(&body.to_string()));
        }
        init.set_headers(h);
    }
    let url = conn.host.url(&req.path_and_query());
    if let (Some(window), Ok(request)) = (
        web_sys::window(),
        web_sys::Request::new_with_str_and_init(&url, &init),
    ) {
        // If the page goes away this future is simply never finished; the browser still
        // completes the request.
        let _ = wasm_bindgen_futures::JsFuture::from(window.fetch_with_request(&request)).await;
    }
}
