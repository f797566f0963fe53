//! The transport: sends a core [`Request`] with gloo-net (Bearer key, JSON,
//! `credentials: omit`, a timeout, retries for reads) and aborts it when nobody waits for
//! it any more. What is kept, shared and adopted is the read layer's business
//! ([`super::read`]), which is the only caller of this module's senders.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use gloo_net::http::{Method as HttpMethod, RequestBuilder};
use leptos::prelude::{on_cleanup, set_timeout_with_handle, ArcRwSignal, Update};
use posthog_groups::error::classify;
use posthog_groups::retry::RetryPolicy;
use posthog_groups::{ApiError, Connection, Method, Request};
use send_wrapper::SendWrapper;
use web_sys::{AbortController, RequestCredentials, RequestMode};

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
pub(super) struct SlowWatch {
    counted: Rc<Cell<bool>>,
    timer: Option<leptos::prelude::TimeoutHandle>,
}

impl SlowWatch {
    /// Starts counting; the request counts as slow after [`SLOW`].
    pub(super) fn start() -> SlowWatch {
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

/// Stops one request: its attempt in flight and any later retry.
#[derive(Default)]
pub(super) struct Cancel {
    cancelled: Cell<bool>,
    current: RefCell<Option<AbortController>>,
}

impl Cancel {
    /// Aborts the attempt in flight, and any later one.
    pub(super) fn abort(&self) {
        self.cancelled.set(true);
        if let Some(c) = self.current.borrow_mut().take() {
            c.abort();
        }
    }
}

/// A request's answer: status and body text, or why there is none.
pub(super) type Answer = Result<(u16, String), ApiError>;

thread_local! {
    // The fingerprints of credentials forgotten, signed out or replaced in this tab or
    // another: a screen, a retry or a pending delete that still holds one sends nothing.
    static ENDED: RefCell<std::collections::HashSet<u64>> = RefCell::new(Default::default());
}

/// Ends the credential whose fingerprint is `fingerprint` ([`posthog_groups::ApiKey::fingerprint`]):
/// no request carrying it is sent from now on ([`ApiError::KeyForgotten`]).
pub fn end_credential(fingerprint: u64) {
    ENDED.with(|e| e.borrow_mut().insert(fingerprint));
}

/// Lets a credential the user connects with again be sent again.
pub fn renew_credential(fingerprint: u64) {
    ENDED.with(|e| e.borrow_mut().remove(&fingerprint));
}

fn ended(conn: &Connection) -> bool {
    ENDED.with(|e| e.borrow().contains(&conn.key.fingerprint()))
}

/// One caller waiting for a request. When the caller's view is left (its reactive owner is
/// cleaned up) or its future is dropped, it stops waiting and calls `on_last` when it was
/// the last one waiting (which aborts the request).
pub(super) struct Waiter {
    released: Rc<Cell<bool>>,
    release: Rc<dyn Fn()>,
}

impl Waiter {
    /// Joins the `waiters` of a request; `on_last` runs when the last of them leaves.
    pub(super) fn join(waiters: Rc<Cell<usize>>, on_last: impl Fn() + 'static) -> Waiter {
        waiters.set(waiters.get() + 1);
        let released = Rc::new(Cell::new(false));
        let flag = released.clone();
        let release: Rc<dyn Fn()> = Rc::new(move || {
            if flag.replace(true) {
                return;
            }
            waiters.set(waiters.get().saturating_sub(1));
            if waiters.get() == 0 {
                on_last();
            }
        });
        let on_leave = SendWrapper::new(release.clone());
        on_cleanup(move || (on_leave.as_ref())());
        Waiter { released, release }
    }

    /// The answer arrived: nothing to abort any more.
    pub(super) fn done(self) {
        self.released.set(true);
    }
}

impl Drop for Waiter {
    fn drop(&mut self) {
        (self.release)();
    }
}

/// Sends the write `req` once (repeating a create blindly could make a second metric),
/// aborted if the view that sent it is left before the answer.
pub(super) async fn write(conn: &Connection, req: &Request) -> Answer {
    let cancel = Rc::new(Cancel::default());
    let stop = cancel.clone();
    let waiter = Waiter::join(Rc::new(Cell::new(0)), move || stop.abort());
    let _slow = SlowWatch::start();
    let answer = send_once(conn, req, &cancel).await;
    waiter.done();
    answer
}

/// Sends the read `req`, again on network failures, timeouts, 5xx and 429 as
/// [`RetryPolicy`] says, until `cancel` stops it.
pub(super) async fn read_with_retries(conn: &Connection, req: &Request, cancel: &Cancel) -> Answer {
    let policy = RetryPolicy::default();
    let _slow = SlowWatch::start();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let result = send_once(conn, req, cancel).await;
        let error = match &result {
            Err(e) => e.clone(),
            Ok((status, body)) if *status >= 500 || *status == 429 => classify(*status, body),
            Ok(_) => return result,
        };
        match policy.delay(attempts, &error) {
            Some(wait) => crate::browser::sleep(wait).await,
            None => return result,
        }
        if cancel.cancelled.get() {
            return Err(ApiError::Aborted);
        }
    }
}

/// One attempt. Only transport failures are errors here; statuses are the decoder's business.
/// A sign-in's token the server refused (401) is refreshed once and the request sent again:
/// a 401 means nothing was done, so even a write may be repeated.
async fn send_once(conn: &Connection, req: &Request, cancel: &Cancel) -> Answer {
    let Some(id) = conn.key.grant_id() else {
        let header = conn.key.bearer().unwrap_or_default();
        return send_with(conn, req, cancel, &header).await;
    };
    let header = super::grant::authorization(id).await?;
    let answer = send_with(conn, req, cancel, &header).await;
    if !matches!(answer, Ok((401, _))) {
        return answer;
    }
    super::grant::refused(id, &header).await?;
    let header = super::grant::authorization(id).await?;
    send_with(conn, req, cancel, &header).await
}

async fn send_with(
    conn: &Connection,
    req: &Request,
    cancel: &Cancel,
    authorization: &str,
) -> Answer {
    if cancel.cancelled.get() {
        return Err(ApiError::Aborted);
    }
    // Checked at the last moment, on every attempt: the key may have been forgotten in
    // another tab while this request waited for a retry or a refresh.
    if ended(conn) {
        return Err(ApiError::KeyForgotten);
    }
    let controller = AbortController::new().ok();
    let signal = controller.as_ref().map(AbortController::signal);
    cancel.current.replace(controller.clone());

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
        .header("Authorization", authorization)
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

/// GETs a file beside `index.html` (relative to the document's base), without a key: its
/// status and text, or `None` when it could not be fetched at all (offline, blocked).
pub async fn get_beside_app(path: &str) -> Option<(u16, String)> {
    // config.json is asked for by the start-up script in index.html, with the page.
    if path == "config.json" {
        if let Some(early) = crate::browser::early::take_config() {
            if let Some(answer) = early.answer().await {
                return Some(answer);
            }
        }
    }
    let request = RequestBuilder::new(path)
        .header("Accept", "application/json")
        .build()
        .ok()?;
    let response = request.send().await.ok()?;
    let status = response.status();
    Some((status, response.text().await.unwrap_or_default()))
}

/// Sends `req` with `keepalive`, so the browser finishes it after the page is gone. Used for
/// deletes still waiting for their undo period when the page is hidden or closed.
pub async fn send_keepalive(conn: &Connection, req: &Request) {
    if ended(conn) {
        return;
    }
    let init = web_sys::RequestInit::new();
    init.set_method(req.method.as_str());
    // `keepalive` is not in web-sys's stable RequestInit API: set the field directly.
    let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &true.into());
    init.set_credentials(RequestCredentials::Omit);
    let authorization = match conn.key.grant_id() {
        None => conn.key.bearer().unwrap_or_default(),
        // The token in hand, without a refresh: the page is going, and a refresh could
        // not finish before the browser stops running it.
        Some(id) => match super::grant::current(id) {
            Some(header) => header,
            None => return,
        },
    };
    let headers = web_sys::Headers::new().ok();
    if let Some(h) = &headers {
        let _ = h.set("Authorization", &authorization);
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
