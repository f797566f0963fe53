//! The OAuth routes (PostHog's paths, `posthog/oauth2_urls.py`): discovery, authorization
//! (consent page), token, revocation, introspection. None of them goes through the API gate:
//! they are not in the request log and nothing about them is logged.
//!
//! oxide-auth runs the protocol; around it the sandbox adds what the crate leaves to its user:
//! fetching and checking the Client ID Metadata Document, error pages that name the problem,
//! `error_description`s, the RFC 7636 verifier syntax check, refusing a refresh by another
//! client (the crate only checks that for authenticated clients), code-replay and
//! refresh-replay revocation of a whole token family (django-oauth-toolkit's
//! `REFRESH_TOKEN_REUSE_PROTECTION`), and PostHog's `scoped_teams` in the token answer.

use super::page::{self, Consent};
use super::{owner_id, sorted_scopes, Client, Inner, Kind, Life, SUPPORTED_SCOPES};
use crate::auth::form_pairs;
use crate::routes::Shared;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use oxide_auth::code_grant::error::AuthorizationErrorType;
use oxide_auth::endpoint::{
    AccessTokenFlow, AuthorizationFlow, OwnerConsent, OwnerSolicitor, QueryParameter, RefreshFlow,
    Solicitation, Template, WebResponse,
};
use oxide_auth::frontends::simple::endpoint::{Generic, ResponseCreator, Vacant};
use oxide_auth::frontends::simple::extensions::{AddonList, Extended, Pkce};
use oxide_auth_axum::{OAuthRequest, OAuthResponse};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// How long a consent page's CSRF token stays valid.
const CSRF_LIFETIME: Duration = Duration::from_secs(3600);
/// How long fetching a client's metadata document may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(3);
/// Largest metadata document read.
const MAX_DOCUMENT_BYTES: usize = 64 * 1024;

/// The OAuth routes; all but the authorization endpoint answer CORS for any origin.
pub fn oauth_router() -> Router<Shared> {
    let mut cors = Router::new()
        .route("/.well-known/oauth-authorization-server", get(discovery))
        .route("/.well-known/openid-configuration", get(discovery));
    for (path, handler) in [
        ("/oauth/token", post(token)),
        ("/oauth/revoke", post(revoke)),
        ("/oauth/introspect", post(introspect)),
        ("/oauth/register", post(register)),
    ] {
        cors = cors
            .route(path, handler.clone())
            .route(&format!("{path}/"), handler);
    }
    let cors = cors.layer(crate::cors::any_origin());
    let authorize = get(authorize).post(authorize);
    Router::new()
        .route("/oauth/authorize", authorize.clone())
        .route("/oauth/authorize/", authorize)
        .merge(cors)
}

/// `scheme://host` the request was sent to (the sandbox itself speaks http only).
fn issuer(headers: &HeaderMap, state: &Shared) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| state.local_addr.to_string());
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|p| *p == "https")
        .unwrap_or("http");
    format!("{scheme}://{host}")
}

/// RFC 8414 metadata (also served as `openid-configuration`, as PostHog does).
async fn discovery(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let issuer = issuer(&headers, &state);
    json_answer(
        StatusCode::OK,
        json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/oauth/authorize/"),
            "token_endpoint": format!("{issuer}/oauth/token/"),
            "revocation_endpoint": format!("{issuer}/oauth/revoke/"),
            "introspection_endpoint": format!("{issuer}/oauth/introspect/"),
            "registration_endpoint": format!("{issuer}/oauth/register/"),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "revocation_endpoint_auth_methods_supported": ["none"],
            "introspection_endpoint_auth_methods_supported": ["none"],
            "scopes_supported": SUPPORTED_SCOPES,
            "client_id_metadata_document_supported": true,
        }),
    )
}

/// JSON with `Cache-Control: no-store` (RFC 6749 §5.1).
fn json_answer(status: StatusCode, body: Value) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// An RFC 6749 §5.2 error.
fn token_error(error: &str, description: impl Into<String>) -> Response {
    let status = if error == "invalid_client" {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::BAD_REQUEST
    };
    json_answer(
        status,
        json!({"error": error, "error_description": description.into()}),
    )
}

// ---------------------------------------------------------------- authorization endpoint

/// Fetch and check a Client ID Metadata Document; the message says what is wrong.
async fn fetch_client(client_id: &str) -> Result<Client, String> {
    let url = url::Url::parse(client_id).map_err(|_| {
        format!(
            "client_id {client_id:?} is not a URL: it must be the URL of the client's \
             metadata document (Client ID Metadata Document)."
        )
    })?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => {
            return Err(format!(
                "client_id {client_id} must be an https URL (http only on a loopback host: \
                 127.0.0.1, localhost or [::1])."
            ))
        }
    }
    if url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "client_id {client_id} must not contain a fragment or user information."
        ));
    }
    let http = reqwest::Client::builder()
        .timeout(FETCH_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("The sandbox cannot make HTTP requests: {e}"))?;
    let unfetchable = |why: String| {
        format!("Could not fetch the client's metadata document at {client_id}: {why}.")
    };
    let response = http
        .get(url.clone())
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| {
            unfetchable(if url.scheme() == "https" {
                "the sandbox has no TLS client; serve the document over http on a loopback host"
                    .into()
            } else if e.is_timeout() {
                format!("no answer within {} s", FETCH_TIMEOUT.as_secs())
            } else {
                "the connection failed".into()
            })
        })?;
    if response.status() != reqwest::StatusCode::OK {
        return Err(unfetchable(format!(
            "it answered HTTP {}, not 200",
            response.status().as_u16()
        )));
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|_| unfetchable("reading the answer failed".into()))?;
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(unfetchable(format!(
            "it is larger than {MAX_DOCUMENT_BYTES} bytes"
        )));
    }
    let doc: Value = serde_json::from_slice(&bytes)
        .map_err(|_| format!("The client's metadata document at {client_id} is not JSON."))?;
    let invalid =
        |why: &str| format!("The client's metadata document at {client_id} is invalid: {why}.");
    let obj = doc
        .as_object()
        .ok_or_else(|| invalid("it is not a JSON object"))?;
    match obj.get("client_id").and_then(Value::as_str) {
        Some(id) if id == client_id => {}
        Some(id) => {
            return Err(invalid(&format!(
                "its client_id {id:?} is not the URL it was fetched from"
            )))
        }
        None => return Err(invalid("client_id is missing")),
    }
    // PostHog's cimd.py: the name is optional, and a missing or empty one is "CIMD Client".
    let client_name = obj
        .get("client_name")
        .and_then(Value::as_str)
        .filter(|n| !n.trim().is_empty())
        .unwrap_or("CIMD Client");
    let redirect_uris = obj
        .get("redirect_uris")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .and_then(|a| {
            a.iter()
                .map(|u| u.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
        })
        .ok_or_else(|| invalid("redirect_uris must be a non-empty array of strings"))?;
    let logo_uri = match obj.get("logo_uri") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(invalid("logo_uri must be a string")),
    };
    Ok(Client {
        client_id: client_id.to_string(),
        client_name: client_name.to_string(),
        redirect_uris,
        logo_uri,
    })
}

/// Headers of every authorization-endpoint answer: never cached, never framed.
fn page_headers(mut response: Response, csp: &str) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if let Ok(value) = HeaderValue::from_str(csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// The 400 page for a request that must not be redirected.
fn error_page(message: &str) -> Response {
    page_headers(
        html(StatusCode::BAD_REQUEST, page::error_page(message)),
        &page::csp(None),
    )
}

/// The projects of organizations the demo user belongs to.
fn member_projects(state: &Shared) -> Vec<(i64, String)> {
    state.read(|s| {
        s.projects
            .values()
            .filter(|p| s.organization_of(p).is_some_and(|o| o.membership.is_some()))
            .map(|p| (p.id, p.name.clone()))
            .collect()
    })
}

/// `GET` shows the consent page, `POST` takes its answer. Until the client and redirect URI
/// are known good every error is a 400 page; after, oxide-auth redirects to the client.
async fn authorize(
    State(state): State<Shared>,
    method: Method,
    uri: Uri,
    request: OAuthRequest,
) -> Response {
    let params = uri.query().map(form_pairs).unwrap_or_default();
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let Some(client_id) = param("client_id") else {
        return error_page("The request has no client_id.");
    };
    let client = match fetch_client(&client_id).await {
        Ok(client) => client,
        Err(message) => return error_page(&message),
    };
    let Some(redirect_uri) = param("redirect_uri") else {
        return error_page("The request has no redirect_uri.");
    };
    if !client.redirect_uris.contains(&redirect_uri) {
        return error_page(&format!(
            "redirect_uri {redirect_uri} is not one of the redirect_uris of the client's \
             metadata document ({}).",
            client.redirect_uris.join(", ")
        ));
    }
    let redirect_origin = url::Url::parse(&redirect_uri)
        .ok()
        .map(|u| u.origin().ascii_serialization())
        .filter(|o| o != "null");
    let projects = member_projects(&state);
    let action = match uri.query() {
        Some(q) => format!("{}?{q}", uri.path()),
        None => uri.path().to_string(),
    };
    let client_host = url::Url::parse(&client.client_id)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            })
        })
        .unwrap_or_default();
    let csp = page::csp(redirect_origin.as_deref());
    let result = {
        let mut inner = state.oauth.lock();
        inner.registry.insert(client.clone());
        let Inner {
            registry,
            codes,
            csrf,
            ..
        } = &mut *inner;
        csrf.retain(|_, at| at.elapsed() < CSRF_LIFETIME);
        let solicitor = ConsentSolicitor {
            get: method == Method::GET,
            client: &client,
            client_host: &client_host,
            projects: &projects,
            action: &action,
            csrf,
        };
        let endpoint = Extended::extend_with(
            Generic {
                registrar: &*registry,
                authorizer: &mut *codes,
                issuer: Vacant,
                solicitor,
                scopes: Vacant,
                response: Describe { params: &params },
            },
            pkce(),
        );
        AuthorizationFlow::prepare(endpoint).and_then(|mut flow| flow.execute(request))
    };
    match result {
        Ok(response) => page_headers(
            rename_error_pairs(response.into_response(), &redirect_uri),
            &csp,
        ),
        Err(_) => page_headers(
            html(
                StatusCode::INTERNAL_SERVER_ERROR,
                page::error_page("The sandbox failed to process the authorization request."),
            ),
            &csp,
        ),
    }
}

/// oxide-auth 0.6 writes an error redirect's description as `description` (and `uri`), where
/// RFC 6749 §4.1.2.1 names them `error_description` and `error_uri`: rename the pairs it added
/// after `error` (the redirect URI's own query is left as it is).
fn rename_error_pairs(mut response: Response, redirect_uri: &str) -> Response {
    let Some(location) = response
        .headers()
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .and_then(|l| url::Url::parse(l).ok())
    else {
        return response;
    };
    let own = url::Url::parse(redirect_uri)
        .map(|u| u.query_pairs().count())
        .unwrap_or(0);
    let mut pairs: Vec<(String, String)> = location
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let Some(error_at) = pairs
        .iter()
        .enumerate()
        .skip(own)
        .find(|(_, (k, _))| k == "error")
        .map(|(i, _)| i)
    else {
        return response;
    };
    for (key, _) in pairs.iter_mut().skip(error_at + 1) {
        match key.as_str() {
            "description" => *key = "error_description".into(),
            "uri" => *key = "error_uri".into(),
            _ => {}
        }
    }
    let mut fixed = location.clone();
    fixed.query_pairs_mut().clear().extend_pairs(&pairs);
    if let Ok(value) = HeaderValue::from_str(fixed.as_str()) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// PKCE required, S256 only (oxide-auth refuses `plain` unless allowed).
fn pkce() -> AddonList {
    let mut addons = AddonList::new();
    addons.push_authorization(Pkce::required());
    addons.push_access_token(Pkce::required());
    addons
}

/// oxide-auth's response creator: adds an `error_description` to the error redirects it makes.
struct Describe<'a> {
    params: &'a [(String, String)],
}

impl Describe<'_> {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    fn describe(&self, kind: AuthorizationErrorType) -> String {
        match kind {
            AuthorizationErrorType::InvalidRequest => match (
                self.param("code_challenge"),
                self.param("code_challenge_method"),
            ) {
                (None, _) => {
                    "code_challenge is required (PKCE with code_challenge_method=S256).".into()
                }
                (Some(_), None) => "code_challenge_method is required and must be S256.".into(),
                (Some(_), Some(m)) => format!(
                    "code_challenge_method {m} is not supported: use S256 (plain is refused)."
                ),
            },
            AuthorizationErrorType::InvalidScope => match self.param("scope") {
                None => "scope is required.".into(),
                Some(scope) => {
                    let unknown: Vec<&str> = scope
                        .split(' ')
                        .filter(|s| !s.is_empty() && !SUPPORTED_SCOPES.contains(s))
                        .collect();
                    format!(
                        "Unknown scope: {}. Supported: {}.",
                        unknown.join(" "),
                        SUPPORTED_SCOPES.join(" ")
                    )
                }
            },
            AuthorizationErrorType::UnsupportedResponseType => "response_type must be code.".into(),
            AuthorizationErrorType::AccessDenied => "The user denied access.".into(),
            _ => "The authorization request failed.".into(),
        }
    }
}

impl ResponseCreator<OAuthRequest> for Describe<'_> {
    fn create(&mut self, _: &mut OAuthRequest, mut kind: Template) -> OAuthResponse {
        if let Some(error) = kind.authorization_error() {
            let description = self.describe(error.kind());
            error.explain(description);
        }
        OAuthResponse::default()
    }
}

/// The demo user's consent: the page on GET, the form's decision on POST.
struct ConsentSolicitor<'a> {
    get: bool,
    client: &'a Client,
    client_host: &'a str,
    projects: &'a [(i64, String)],
    action: &'a str,
    csrf: &'a mut std::collections::HashMap<String, Instant>,
}

fn html_response(status: StatusCode, body: &str) -> OAuthResponse {
    let mut response = OAuthResponse::default()
        .content_type("text/html; charset=utf-8")
        .unwrap_or_default()
        .body(body);
    if status == StatusCode::BAD_REQUEST {
        let _ = response.client_error();
    }
    response
}

impl ConsentSolicitor<'_> {
    fn page(&mut self, scopes: Vec<String>, error: Option<&str>) -> OAuthResponse {
        let token = uuid::Uuid::new_v4().simple().to_string();
        self.csrf.insert(token.clone(), Instant::now());
        let body = page::consent_page(&Consent {
            client_name: &self.client.client_name,
            client_host: self.client_host,
            client_id: &self.client.client_id,
            scopes,
            projects: self.projects,
            action: self.action,
            csrf: &token,
            error,
        });
        html_response(StatusCode::OK, &body)
    }
}

impl OwnerSolicitor<OAuthRequest> for ConsentSolicitor<'_> {
    fn check_consent(
        &mut self,
        request: &mut OAuthRequest,
        solicitation: Solicitation,
    ) -> OwnerConsent<OAuthResponse> {
        let scopes = sorted_scopes(&solicitation.pre_grant().scope);
        if self.get {
            return OwnerConsent::InProgress(self.page(scopes, None));
        }
        let value = |name: &str| {
            request
                .body()
                .and_then(|b| b.unique_value(name))
                .map(|v| v.into_owned())
        };
        let token = value("csrf_token").filter(|t| {
            self.csrf
                .get(t)
                .is_some_and(|at| at.elapsed() < CSRF_LIFETIME)
        });
        let Some(token) = token else {
            return OwnerConsent::InProgress(html_response(
                StatusCode::BAD_REQUEST,
                &page::error_page(
                    "The consent form's CSRF token is missing, expired or wrong. \
                     Go back to the application and start again.",
                ),
            ));
        };
        match value("decision").as_deref() {
            Some("deny") => {
                self.csrf.remove(&token);
                OwnerConsent::Denied
            }
            Some("allow") => {
                let chosen: Vec<i64> = self
                    .projects
                    .iter()
                    .map(|(id, _)| *id)
                    .filter(|id| value(&format!("project_{id}")).is_some())
                    .collect();
                if chosen.is_empty() {
                    return OwnerConsent::InProgress(
                        self.page(scopes, Some("Choose at least one project.")),
                    );
                }
                self.csrf.remove(&token);
                OwnerConsent::Authorized(owner_id(&chosen))
            }
            _ => OwnerConsent::InProgress(html_response(
                StatusCode::BAD_REQUEST,
                &page::error_page("The consent form was sent without a decision (Allow or Deny)."),
            )),
        }
    }
}

// ---------------------------------------------------------------- token endpoint

/// RFC 7636 §4.1: 43–128 characters of `A-Z a-z 0-9 - . _ ~`.
fn valid_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// The flow's answer: status and JSON body.
async fn read_answer(response: OAuthResponse) -> (StatusCode, Value) {
    let response = response.into_response();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), MAX_DOCUMENT_BYTES)
        .await
        .unwrap_or_default();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// `POST /oauth/token/`: `authorization_code` and `refresh_token` grants, form-encoded.
async fn token(State(state): State<Shared>, request: OAuthRequest) -> Response {
    let Some(body) = request.body() else {
        return token_error(
            "invalid_request",
            "Send the parameters form-encoded (application/x-www-form-urlencoded).",
        );
    };
    let value = |name: &str| {
        body.unique_value(name)
            .map(|v| v.into_owned())
            .filter(|v| !v.is_empty())
    };
    let grant_type = value("grant_type");
    let client_id = value("client_id");
    let switches = state.switches();
    let lifetimes = (
        switches.oauth_access_seconds,
        switches.oauth_refresh_seconds,
    );
    match grant_type.as_deref() {
        None => token_error("invalid_request", "grant_type is required."),
        Some("authorization_code") => {
            let (code, redirect, verifier) =
                (value("code"), value("redirect_uri"), value("code_verifier"));
            for (name, present) in [
                ("code", code.is_some()),
                ("redirect_uri", redirect.is_some()),
                ("client_id", client_id.is_some()),
                ("code_verifier", verifier.is_some()),
            ] {
                if !present {
                    return token_error("invalid_request", format!("{name} is required."));
                }
            }
            if !verifier.as_deref().is_some_and(valid_verifier) {
                return token_error(
                    "invalid_request",
                    "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636).",
                );
            }
            exchange_code(&state, request, code.unwrap_or_default(), lifetimes).await
        }
        Some("refresh_token") => {
            let refresh = value("refresh_token");
            let (Some(refresh), Some(client_id)) = (refresh.clone(), client_id) else {
                let missing = if refresh.is_none() {
                    "refresh_token"
                } else {
                    "client_id"
                };
                return token_error("invalid_request", format!("{missing} is required."));
            };
            refresh_tokens(&state, request, &refresh, &client_id, lifetimes).await
        }
        Some(other) => token_error(
            "unsupported_grant_type",
            format!(
                "grant_type {other} is not supported: use authorization_code or refresh_token."
            ),
        ),
    }
}

/// The success answer, in PostHog's shape (`token_type` "Bearer", `scoped_teams`).
fn token_answer(state: &Shared, access: &str, access_seconds: u64) -> Response {
    let inner = state.oauth.lock();
    let entry = inner.tokens.entry(access);
    let family = entry.map(|e| e.family);
    let refresh = family.and_then(|f| {
        inner
            .tokens
            .entries()
            .iter()
            .rev()
            .find(|e| e.family == f && e.kind == Kind::Refresh && e.life == Life::Live)
    });
    json_answer(
        StatusCode::OK,
        json!({
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": access_seconds,
            "refresh_token": refresh.map(|r| r.token.clone()),
            "scope": entry.map(|e| e.scopes.join(" ")).unwrap_or_default(),
            "scoped_teams": entry.map(|e| e.projects.clone()).unwrap_or_default(),
            "scoped_organizations": [],
        }),
    )
}

async fn exchange_code(
    state: &Shared,
    request: OAuthRequest,
    code: String,
    (access_seconds, refresh_seconds): (u64, u64),
) -> Response {
    let result = {
        let mut inner = state.oauth.lock();
        inner.tokens.access_seconds = access_seconds;
        inner.tokens.refresh_seconds = refresh_seconds;
        // RFC 6749 §4.1.2: a code used twice revokes what was issued for it.
        if let Some(family) = inner.used_codes.get(&code).copied() {
            inner.tokens.revoke_family(family);
            return token_error(
                "invalid_grant",
                "The authorization code was already used; the tokens issued for it are now revoked.",
            );
        }
        let Inner {
            registry,
            codes,
            tokens,
            ..
        } = &mut *inner;
        let endpoint = Extended::extend_with(
            Generic {
                registrar: &*registry,
                authorizer: &mut *codes,
                issuer: &mut *tokens,
                solicitor: Vacant,
                scopes: Vacant,
                response: Vacant,
            },
            pkce(),
        );
        AccessTokenFlow::prepare(endpoint).and_then(|mut flow| flow.execute(request))
    };
    let Ok(response) = result else {
        return token_error("server_error", "The sandbox failed to issue the token.");
    };
    let (status, body) = read_answer(response).await;
    match body["access_token"].as_str() {
        Some(access) if status.is_success() => {
            {
                let mut inner = state.oauth.lock();
                if let Some(family) = inner.tokens.entry(access).map(|e| e.family) {
                    inner.used_codes.insert(code, family);
                }
            }
            token_answer(state, access, access_seconds)
        }
        // With the parameters checked above, oxide-auth's `invalid_request` means the code is
        // unknown, used or expired, or the verifier does not match: RFC 6749/7636 `invalid_grant`.
        _ => match body["error"].as_str() {
            Some("invalid_request") => token_error(
                "invalid_grant",
                "The authorization code is invalid, expired or already used, or code_verifier does not match its code_challenge.",
            ),
            Some("invalid_grant") => token_error(
                "invalid_grant",
                "The authorization code was not issued to this client_id and redirect_uri, or it has expired.",
            ),
            Some("invalid_client") => token_error(
                "invalid_client",
                "Unknown client_id: a client is known once the authorization endpoint fetched its metadata document.",
            ),
            Some(other) => token_error(other, "The token request was refused."),
            None => token_error("server_error", "The sandbox failed to issue the token."),
        },
    }
}

async fn refresh_tokens(
    state: &Shared,
    request: OAuthRequest,
    refresh: &str,
    client_id: &str,
    (access_seconds, refresh_seconds): (u64, u64),
) -> Response {
    let result = {
        let mut inner = state.oauth.lock();
        inner.tokens.access_seconds = access_seconds;
        inner.tokens.refresh_seconds = refresh_seconds;
        if let Some(entry) = inner.tokens.entry(refresh).cloned() {
            if entry.kind != Kind::Refresh {
                return token_error(
                    "invalid_grant",
                    "This is an access token, not a refresh token.",
                );
            }
            // django-oauth-toolkit's REFRESH_TOKEN_REUSE_PROTECTION: a rotated refresh token
            // presented again revokes every token of its family.
            if entry.life == Life::Rotated {
                inner.tokens.revoke_family(entry.family);
                return token_error(
                    "invalid_grant",
                    "The refresh token was already used; every token issued from it is now revoked.",
                );
            }
            // oxide-auth checks the client only when it authenticated; public clients do not.
            if entry.client_id != client_id {
                return token_error(
                    "invalid_grant",
                    "The refresh token was issued to another client.",
                );
            }
        }
        let Inner {
            registry, tokens, ..
        } = &mut *inner;
        let endpoint = Generic {
            registrar: &*registry,
            authorizer: Vacant,
            issuer: &mut *tokens,
            solicitor: Vacant,
            scopes: Vacant,
            response: Vacant,
        };
        RefreshFlow::prepare(endpoint).and_then(|mut flow| flow.execute(request))
    };
    let Ok(response) = result else {
        return token_error("server_error", "The sandbox failed to refresh the token.");
    };
    let (status, body) = read_answer(response).await;
    match body["access_token"].as_str() {
        Some(access) if status.is_success() => token_answer(state, access, access_seconds),
        _ => match body["error"].as_str() {
            Some("invalid_grant") | Some("invalid_request") => token_error(
                "invalid_grant",
                "The refresh token is invalid, expired or revoked.",
            ),
            Some("invalid_scope") => token_error(
                "invalid_scope",
                "The scope asked for is more than was granted.",
            ),
            Some("invalid_client") => token_error("invalid_client", "Unknown client_id."),
            Some(other) => token_error(other, "The refresh request was refused."),
            None => token_error("server_error", "The sandbox failed to refresh the token."),
        },
    }
}

// ---------------------------------------------------------------- revocation, introspection

fn form(body: &Bytes) -> impl Fn(&str) -> Option<String> {
    let pairs = form_pairs(&String::from_utf8_lossy(body));
    move |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    }
}

/// RFC 7009: always 200. A refresh token takes its whole family (and its access tokens); an
/// access token goes alone; a token of another client than `client_id` is left alone.
async fn revoke(State(state): State<Shared>, body: Bytes) -> Response {
    let value = form(&body);
    if let Some(token) = value("token") {
        let mut inner = state.oauth.lock();
        let owner_ok = match (inner.tokens.entry(&token), value("client_id")) {
            (Some(entry), Some(client)) => entry.client_id == client,
            _ => true,
        };
        if owner_ok {
            inner.tokens.revoke(&token);
        }
    }
    let mut response = StatusCode::OK.into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// RFC 7662, without client authentication (public clients).
async fn introspect(State(state): State<Shared>, body: Bytes) -> Response {
    let value = form(&body);
    let inner = state.oauth.lock();
    let answer = value("token")
        .and_then(|t| inner.tokens.entry(&t).cloned())
        .filter(|e| {
            e.active()
                && (e.kind == Kind::Refresh || inner.tokens.live_access(&e.token).is_some())
        })
        .map(|e| {
            json!({
                "active": true,
                "scope": e.scopes.join(" "),
                "client_id": e.client_id,
                "exp": e.expires_at.timestamp(),
                "token_type": match e.kind { Kind::Access => "access_token", Kind::Refresh => "refresh_token" },
                "scoped_teams": e.projects,
            })
        })
        .unwrap_or_else(|| json!({"active": false}));
    drop(inner);
    json_answer(StatusCode::OK, answer)
}

/// Dynamic client registration is not modelled: clients are metadata-document URLs.
async fn register() -> Response {
    json_answer(
        StatusCode::NOT_IMPLEMENTED,
        json!({
            "error": "unsupported",
            "error_description": "Dynamic client registration is not supported in the sandbox: \
                                  use the URL of a Client ID Metadata Document as client_id.",
        }),
    )
}
