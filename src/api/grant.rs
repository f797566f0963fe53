//! Signing in with PostHog (OAuth 2.0 with PKCE), the transport side: the discovery read,
//! the token requests, and the tokens of the one sign-in this tab holds. Requests read the
//! Bearer header from here at the moment they are sent ([`authorization`]), so a refresh
//! changes no `Connection` and no screen notices it.
//!
//! Refreshes run one at a time: PostHog rotates refresh tokens and treats a used one as
//! stolen (it revokes the whole sign-in), so two refreshes racing would sign the user out.

use std::cell::RefCell;

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use gloo_net::http::{Method, RequestBuilder};
use leptos::prelude::{set_timeout_with_handle, TimeoutHandle};
use posthog_groups::connection::KeyStorage;
use posthog_groups::oauth::{
    decode_discovery, decode_token_error, decode_tokens, refresh_request, revoke_request,
    Endpoints, PendingSignIn, Scopes, SignInError, Tokens,
};
use posthog_groups::{ApiError, Host};
use serde::{Deserialize, Serialize};
use web_sys::RequestCredentials;

use crate::browser::{self, StorageArea};

/// Where a kept sign-in lives (sessionStorage or localStorage, as the key-storage policy and
/// the user chose); never both.
const STORED_GRANT: &str = "groups-console.sign-in";

/// A sign-in: its tokens and where they may be sent.
#[derive(Clone, Serialize, Deserialize)]
pub struct Grant {
    /// The number connections know the sign-in by (see `ApiKey::grant`).
    pub id: u64,
    /// The data host the access token is for, and the only one it is sent to.
    pub host: String,
    /// The client id, repeated on refresh and revoke.
    pub client_id: String,
    /// Where refreshes go (on the host's own origin: see [`discover`]).
    pub token_endpoint: String,
    /// Where sign-out revokes, when the server has one.
    pub revocation_endpoint: Option<String>,
    /// The tokens in hand.
    pub tokens: Tokens,
    /// Where the grant is kept beyond memory, as for a key.
    pub kept: KeyStorage,
}

type Refresh = Shared<LocalBoxFuture<'static, Result<(), ApiError>>>;

thread_local! {
    static GRANT: RefCell<Option<Grant>> = const { RefCell::new(None) };
    static REFRESHING: RefCell<Option<Refresh>> = const { RefCell::new(None) };
    static TIMER: RefCell<Option<TimeoutHandle>> = const { RefCell::new(None) };
}

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// Reads the host's discovery document. Its endpoints must be on the host's own origin
/// (the core's `decode_discovery`): the browser is sent, and the code, verifier and tokens
/// go, nowhere but the host the user chose.
pub async fn discover(host: &Host) -> Result<Endpoints, SignInError> {
    let url = host.url("/.well-known/oauth-authorization-server");
    let answer = RequestBuilder::new(&url)
        .header("Accept", "application/json")
        .credentials(RequestCredentials::Omit)
        .build()
        .map_err(|e| SignInError::BadDiscovery(e.to_string()))?
        .send()
        .await;
    let response = answer.map_err(|_| {
        SignInError::BadDiscovery(format!(
            "{host} could not be reached, or does not allow this page to read its sign-in settings"
        ))
    })?;
    if response.status() == 404 {
        return Err(SignInError::BadDiscovery(format!(
            "{host} does not offer sign-in with OAuth (no /.well-known/oauth-authorization-server)"
        )));
    }
    let body = response.text().await.unwrap_or_default();
    decode_discovery(&body, host)
}

/// POSTs a form to the authorization server: status and body, or `None` when nothing came
/// back (offline, refused by CORS).
async fn post_form(url: &str, body: String) -> Option<(u16, String)> {
    let request = RequestBuilder::new(url)
        .method(Method::POST)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .credentials(RequestCredentials::Omit)
        .body(body)
        .ok()?;
    let response = request.send().await.ok()?;
    let status = response.status();
    Some((status, response.text().await.unwrap_or_default()))
}

/// Exchanges the callback's `code` for tokens.
pub async fn exchange(pending: &PendingSignIn, code: &str) -> Result<Tokens, SignInError> {
    let endpoint = &pending.endpoints.token_endpoint;
    match post_form(endpoint, pending.token_request(code)).await {
        None => Err(SignInError::TokenRefused(
            "no answer".into(),
            Some(format!("{endpoint} could not be reached")),
        )),
        Some((200, body)) => decode_tokens(&body, &Scopes::wanted(), now_ms()),
        Some((status, body)) => Err(decode_token_error(status, &body)),
    }
}

/// Holds `grant` as this tab's sign-in, keeps it where `kept` says (and nowhere else), and
/// schedules its refresh.
pub fn hold(grant: Grant) {
    store(&grant);
    take_up(grant);
}

/// Makes `grant` this tab's sign-in, with its refresh scheduled.
fn take_up(grant: Grant) {
    schedule(&grant);
    GRANT.with(|g| *g.borrow_mut() = Some(grant));
}

fn store(grant: &Grant) {
    for area in [StorageArea::Session, StorageArea::Local] {
        browser::storage_remove(area, STORED_GRANT);
    }
    let area = match grant.kept {
        KeyStorage::Memory => return,
        KeyStorage::Session => StorageArea::Session,
        KeyStorage::Device => StorageArea::Local,
    };
    if let Ok(text) = serde_json::to_string(grant) {
        browser::storage_set(area, STORED_GRANT, &text);
    }
}

/// The sign-in kept in this tab or on this device, as a reload finds it: read and checked,
/// not yet taken up (see [`resume`]). `Err` names the host as written when what is kept
/// fails the checks (a host or endpoints today's rules refuse).
pub fn kept() -> Option<Result<(Host, Grant), String>> {
    let grant = [StorageArea::Session, StorageArea::Local]
        .into_iter()
        .find_map(|area| browser::storage_get(area, STORED_GRANT))
        .and_then(|text| serde_json::from_str::<Grant>(&text).ok())?;
    // What comes back from storage is checked as if a script had written it: the host by
    // today's rules, and the endpoints the tokens will go to on that host.
    let Ok(host) = Host::parse(&grant.host) else {
        return Some(Err(grant.host));
    };
    let on_host = std::iter::once(&grant.token_endpoint)
        .chain(grant.revocation_endpoint.as_ref())
        .all(|url| host.owns_url(url));
    Some(if on_host {
        Ok((host, grant))
    } else {
        Err(grant.host)
    })
}

/// Takes up a kept sign-in (from [`kept`]) once its host is known to be allowed.
pub fn resume(grant: Grant) {
    take_up(grant);
}

/// Removes a kept sign-in without telling its host: used when the host may no longer be
/// sent anything, so not even a revocation goes there.
pub fn discard_kept() {
    drop_grant();
}

/// Drops sign-in `id` from this tab, without revoking it (another tab signed it out, and
/// revoked it there), and from storage where it is still the one kept.
pub fn drop_ended(id: u64) {
    if with_grant(id, |_| ()).is_some() {
        TIMER.with(|t| {
            if let Some(t) = t.borrow_mut().take() {
                t.clear();
            }
        });
        GRANT.with(|g| *g.borrow_mut() = None);
    }
    for area in [StorageArea::Session, StorageArea::Local] {
        let stored = browser::storage_get(area, STORED_GRANT)
            .and_then(|text| serde_json::from_str::<Grant>(&text).ok());
        if stored.is_some_and(|g| g.id == id) {
            browser::storage_remove(area, STORED_GRANT);
        }
    }
}

/// What was granted to sign-in `id`: its scopes and the projects chosen at consent.
pub fn granted(id: u64) -> Option<(Scopes, Option<Vec<i64>>)> {
    with_grant(id, |g| (g.tokens.scopes.clone(), g.tokens.projects.clone()))
}

fn with_grant<T>(id: u64, f: impl FnOnce(&Grant) -> T) -> Option<T> {
    GRANT.with(|g| g.borrow().as_ref().filter(|g| g.id == id).map(f))
}

/// The `Authorization` header for sign-in `id`, refreshing first when its access token has
/// run out. `SignInEnded` when this tab holds no such sign-in, or its refresh was refused.
pub async fn authorization(id: u64) -> Result<String, ApiError> {
    let expired = with_grant(id, |g| g.tokens.expired(now_ms())).ok_or(ApiError::SignInEnded)?;
    if expired {
        refresh(id).await?;
    }
    current(id).ok_or(ApiError::SignInEnded)
}

/// The `Authorization` header for sign-in `id` as it is now, without refreshing.
pub fn current(id: u64) -> Option<String> {
    with_grant(id, |g| format!("Bearer {}", g.tokens.access))
}

/// After the server refused `sent` (the header a request carried) for sign-in `id`:
/// refreshes, unless another request already did since, and says whether to try again.
pub async fn refused(id: u64, sent: &str) -> Result<(), ApiError> {
    match current(id) {
        None => Err(ApiError::SignInEnded),
        Some(now) if now != sent => Ok(()),
        Some(_) => refresh(id).await,
    }
}

/// Refreshes sign-in `id`. One refresh at a time: a caller that arrives meanwhile waits
/// for the one in flight.
async fn refresh(id: u64) -> Result<(), ApiError> {
    let running = REFRESHING.with(|r| r.borrow().clone());
    let flight = running.unwrap_or_else(|| {
        let flight = async move {
            let result = run_refresh(id).await;
            // Cleared by the refresh itself, once, so that no later refresh can start
            // while this one's answer is still being taken up.
            REFRESHING.with(|r| *r.borrow_mut() = None);
            result
        }
        .boxed_local()
        .shared();
        REFRESHING.with(|r| *r.borrow_mut() = Some(flight.clone()));
        flight
    });
    flight.await
}

async fn run_refresh(id: u64) -> Result<(), ApiError> {
    let Some(grant) = with_grant(id, Clone::clone) else {
        return Err(ApiError::SignInEnded);
    };
    // Another tab of this device may have refreshed the same sign-in: its refresh token
    // replaced ours, which PostHog would now take as stolen. Take up its tokens instead.
    if let Some(newer) = stored_newer(&grant) {
        take_up(newer);
        return Ok(());
    }
    let Some(refresh_token) = grant.tokens.refresh.clone() else {
        end(id);
        return Err(ApiError::SignInEnded);
    };
    let body = refresh_request(&refresh_token, &grant.client_id);
    match post_form(&grant.token_endpoint, body).await {
        // Offline or unreachable: the sign-in may still be good; the request says why.
        None => Err(ApiError::Network {
            host: grant.host.clone(),
            host_reachable: None,
        }),
        Some((200, body)) => match decode_tokens(&body, &grant.tokens.scopes, now_ms()) {
            Ok(mut tokens) => {
                // A server that does not rotate (PostHog's own for some clients) sends
                // no new refresh token: the old one stays good. The projects chosen at
                // consent do not change on refresh.
                if tokens.refresh.is_none() {
                    tokens.refresh = Some(refresh_token);
                }
                if tokens.projects.is_none() {
                    tokens.projects = grant.tokens.projects.clone();
                }
                let still_held = with_grant(id, |_| ()).is_some();
                if still_held {
                    hold(Grant { tokens, ..grant });
                }
                Ok(())
            }
            Err(e) => Err(ApiError::Decode {
                path: String::new(),
                message: e.to_string(),
            }),
        },
        // The server's trouble, not the sign-in's: it may work on the next try.
        Some((status, _)) if status >= 500 || status == 429 => {
            Err(ApiError::Server { status, body: None })
        }
        // `invalid_grant` and the like: the refresh token is expired, used or revoked.
        Some(_) => {
            end(id);
            Err(ApiError::SignInEnded)
        }
    }
}

/// The same sign-in as kept on this device, when another tab refreshed it since.
fn stored_newer(grant: &Grant) -> Option<Grant> {
    let text = browser::storage_get(StorageArea::Local, STORED_GRANT)?;
    let stored: Grant = serde_json::from_str(&text).ok()?;
    let newer = stored.id == grant.id
        && stored.tokens.refresh != grant.tokens.refresh
        && !stored.tokens.expired(now_ms());
    newer.then_some(stored)
}

/// Ends sign-in `id` because the server no longer takes it: every request for it then
/// fails with `SignInEnded`, whose message sends the user to sign in again.
fn end(id: u64) {
    if with_grant(id, |_| ()).is_some() {
        drop_grant();
    }
}

fn drop_grant() {
    TIMER.with(|t| {
        if let Some(t) = t.borrow_mut().take() {
            t.clear();
        }
    });
    GRANT.with(|g| *g.borrow_mut() = None);
    for area in [StorageArea::Session, StorageArea::Local] {
        browser::storage_remove(area, STORED_GRANT);
    }
}

/// Refreshes `grant` shortly before its access token runs out, so a request never waits
/// for it.
fn schedule(grant: &Grant) {
    let id = grant.id;
    let wait = grant.tokens.refresh_in_ms(now_ms());
    let wait = std::time::Duration::from_millis(wait.min(i32::MAX as u64));
    let handle = set_timeout_with_handle(
        move || {
            leptos::task::spawn_local(async move {
                // A refusal ends the sign-in (and says so); a network failure is retried
                // by the next request, which finds the token expired.
                let _ = refresh(id).await;
            });
        },
        wait,
    )
    .ok();
    TIMER.with(|t| {
        if let Some(old) = t.replace(handle) {
            old.clear();
        }
    });
}

/// Signs out: revokes the refresh token (which ends the whole sign-in at PostHog, access
/// tokens included) and the access token, then forgets both. The tokens are forgotten
/// whatever the server answers.
pub async fn sign_out() {
    let Some(grant) = GRANT.with(|g| g.borrow().clone()) else {
        return;
    };
    drop_grant();
    if let Some(endpoint) = &grant.revocation_endpoint {
        if let Some(refresh) = &grant.tokens.refresh {
            post_form(
                endpoint,
                revoke_request(refresh, "refresh_token", &grant.client_id),
            )
            .await;
        }
        post_form(
            endpoint,
            revoke_request(&grant.tokens.access, "access_token", &grant.client_id),
        )
        .await;
    }
}
