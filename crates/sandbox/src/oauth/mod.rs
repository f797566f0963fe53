//! An OAuth 2.0 authorization server as PostHog's (django-oauth-toolkit behind
//! `posthog/oauth2_urls.py`): the authorization code grant with PKCE (S256 only), public clients
//! named by a Client ID Metadata Document URL, refresh tokens with rotation and reuse
//! protection, revocation (RFC 7009) and introspection (RFC 7662).
//!
//! The protocol checks are oxide-auth's: its `Generic` endpoint with the `Pkce::required()`
//! addon runs the authorization, token and refresh flows; [`Registry`] is its `Registrar`,
//! an `AuthMap` keeps the codes, and [`TokenStore`] is its `Issuer` (a `TokenMap` plus the
//! bookkeeping oxide-auth does not do: token families, separate refresh expiry, revocation of
//! a family). What the sandbox adds around the crate is named where it is done (see
//! [`http`]).

pub mod http;
mod page;

use chrono::{DateTime, Utc};
use oxide_auth::primitives::authorizer::{AuthMap, Authorizer};
use oxide_auth::primitives::generator::{RandomGenerator, TagGrant};
use oxide_auth::primitives::grant::Grant;
use oxide_auth::primitives::issuer::{IssuedToken, Issuer, RefreshedToken, TokenMap};
use oxide_auth::primitives::registrar::{
    BoundClient, ClientUrl, PreGrant, RegisteredUrl, Registrar, RegistrarError,
};
use oxide_auth::primitives::scope::Scope;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

/// Scopes a client may ask for: PostHog's `*` (all access), the scope objects the console
/// uses, and a few more.
pub const SUPPORTED_SCOPES: &[&str] = &[
    "*",
    "group:read",
    "group:write",
    "usage_metric:read",
    "usage_metric:write",
    "query:read",
    "event_definition:read",
    "property_definition:read",
    "action:read",
    "warehouse_table:read",
    "project:read",
    "organization:read",
    "user:read",
];

/// Default lifetime of an access token (django-oauth-toolkit's `ACCESS_TOKEN_EXPIRE_SECONDS`).
pub const DEFAULT_ACCESS_SECONDS: u64 = 3600;
/// Default lifetime of a refresh token: 30 days.
pub const DEFAULT_REFRESH_SECONDS: u64 = 30 * 24 * 3600;

/// A client as its metadata document describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Client {
    /// The document's URL, which is the client id.
    pub client_id: String,
    /// Shown on the consent page.
    pub client_name: String,
    /// Exact redirect URIs the client may use.
    pub redirect_uris: Vec<String>,
    /// Optional logo (not shown: the consent page loads nothing from elsewhere).
    #[serde(skip)]
    pub logo_uri: Option<String>,
}

/// The clients whose metadata document the sandbox fetched; oxide-auth's registrar.
#[derive(Debug, Default)]
pub struct Registry {
    clients: BTreeMap<String, Client>,
}

impl Registry {
    /// Remember (or refresh) a client after its document was fetched.
    pub fn insert(&mut self, client: Client) {
        self.clients.insert(client.client_id.clone(), client);
    }

    /// A known client.
    pub fn get(&self, client_id: &str) -> Option<&Client> {
        self.clients.get(client_id)
    }
}

impl Registrar for Registry {
    /// The redirect URI must be given and equal, character for character, to one the document
    /// lists (no default redirect: the document may list several).
    fn bound_redirect<'a>(&self, bound: ClientUrl<'a>) -> Result<BoundClient<'a>, RegistrarError> {
        let client = self
            .clients
            .get(bound.client_id.as_ref())
            .ok_or(RegistrarError::Unspecified)?;
        let uri = bound.redirect_uri.ok_or(RegistrarError::Unspecified)?;
        if !client.redirect_uris.iter().any(|r| r == uri.as_str()) {
            return Err(RegistrarError::Unspecified);
        }
        Ok(BoundClient {
            client_id: bound.client_id,
            redirect_uri: Cow::Owned(RegisteredUrl::Exact(uri.into_owned())),
        })
    }

    /// A scope is required and every scope in it must be one the sandbox knows
    /// (else `invalid_scope`).
    fn negotiate(
        &self,
        client: BoundClient,
        scope: Option<Scope>,
    ) -> Result<PreGrant, RegistrarError> {
        let scope = scope.ok_or(RegistrarError::Unspecified)?;
        if scope.iter().any(|s| !SUPPORTED_SCOPES.contains(&s)) {
            return Err(RegistrarError::Unspecified);
        }
        Ok(PreGrant {
            client_id: client.client_id.into_owned(),
            redirect_uri: client.redirect_uri.into_owned(),
            scope,
        })
    }

    /// Public clients only (`token_endpoint_auth_methods_supported: ["none"]`).
    fn check(&self, client_id: &str, passphrase: Option<&[u8]>) -> Result<(), RegistrarError> {
        match (self.clients.contains_key(client_id), passphrase) {
            (true, None) => Ok(()),
            _ => Err(RegistrarError::Unspecified),
        }
    }
}

/// oxide-auth's `RandomGenerator` (OS randomness), its base64 made URL-safe, behind a prefix:
/// `pha_` for access tokens and `phr_` for refresh tokens (a `TokenMap` tags the access token
/// of a pair with an even counter and the refresh token with the next one), none for codes.
pub struct Prefixed {
    random: RandomGenerator,
    tokens: bool,
}

impl Prefixed {
    fn tokens() -> Self {
        Prefixed {
            random: RandomGenerator::new(32),
            tokens: true,
        }
    }

    fn codes() -> Self {
        Prefixed {
            random: RandomGenerator::new(24),
            tokens: false,
        }
    }
}

impl TagGrant for Prefixed {
    fn tag(&mut self, usage: u64, grant: &Grant) -> Result<String, ()> {
        let raw = self.random.tag(usage, grant)?;
        let safe: String = raw
            .chars()
            .filter(|c| *c != '=')
            .map(|c| match c {
                '+' => '-',
                '/' => '_',
                c => c,
            })
            .collect();
        let prefix = match (self.tokens, usage % 2) {
            (false, _) => "",
            (true, 0) => "pha_",
            (true, _) => "phr_",
        };
        Ok(format!("{prefix}{safe}"))
    }
}

/// Access or refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// `pha_…`
    Access,
    /// `phr_…`
    Refresh,
}

/// What became of a token, beyond its expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Life {
    /// Usable until it expires.
    Live,
    /// A refresh token that was exchanged: presenting it again revokes its family.
    Rotated,
    /// Revoked (by the revocation endpoint, a code replay or a refresh-token replay).
    Revoked,
}

/// One issued token and what it grants.
#[derive(Debug, Clone)]
pub struct Entry {
    token: String,
    /// Access or refresh.
    pub kind: Kind,
    /// Every token descending from one authorization code shares a family.
    pub family: u64,
    /// The client it was issued to.
    pub client_id: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Projects chosen on the consent page (PostHog's `scoped_teams`).
    pub projects: Vec<i64>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// Live, rotated or revoked.
    pub life: Life,
}

impl Entry {
    /// Live and not expired.
    pub fn active(&self) -> bool {
        self.life == Life::Live && self.expires_at > Utc::now()
    }
}

/// A scope's tokens in alphabetical order (oxide-auth keeps them in a set).
pub fn sorted_scopes(scope: &Scope) -> Vec<String> {
    let mut scopes: Vec<String> = scope.iter().map(str::to_string).collect();
    scopes.sort();
    scopes
}

/// The owner id oxide-auth carries from the consent to the code and the tokens: the sandbox's
/// one user and the projects chosen on the consent page.
pub fn owner_id(projects: &[i64]) -> String {
    let ids: Vec<String> = projects.iter().map(i64::to_string).collect();
    format!("user:1 projects:{}", ids.join(","))
}

/// The projects of an [`owner_id`].
pub fn projects_of(owner_id: &str) -> Vec<i64> {
    owner_id
        .split_once("projects:")
        .map(|(_, ids)| ids.split(',').filter_map(|id| id.parse().ok()).collect())
        .unwrap_or_default()
}

/// oxide-auth's issuer: a `TokenMap` for the tokens, plus families, separate refresh expiry and
/// revocation, which django-oauth-toolkit has and the crate does not.
pub struct TokenStore {
    map: TokenMap<Prefixed>,
    entries: Vec<Entry>,
    next_family: u64,
    /// Lifetime of access tokens issued from now on (the `oauth_access_seconds` switch).
    pub access_seconds: u64,
    /// Lifetime of refresh tokens issued from now on (the `oauth_refresh_seconds` switch).
    pub refresh_seconds: u64,
}

impl Default for TokenStore {
    fn default() -> Self {
        TokenStore {
            map: TokenMap::new(Prefixed::tokens()),
            entries: Vec::new(),
            next_family: 1,
            access_seconds: DEFAULT_ACCESS_SECONDS,
            refresh_seconds: DEFAULT_REFRESH_SECONDS,
        }
    }
}

fn seconds(n: u64) -> chrono::Duration {
    chrono::Duration::seconds(
        i64::try_from(n)
            .unwrap_or(i64::MAX / 1000)
            .min(10 * 365 * 86_400),
    )
}

impl TokenStore {
    /// The entry of a token.
    pub fn entry(&self, token: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.token == token)
    }

    /// Every token, oldest first.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    fn record(
        &mut self,
        kind: Kind,
        token: &str,
        family: u64,
        grant: &Grant,
        expires_at: DateTime<Utc>,
    ) {
        self.entries.push(Entry {
            token: token.to_string(),
            kind,
            family,
            client_id: grant.client_id.clone(),
            scopes: sorted_scopes(&grant.scope),
            projects: projects_of(&grant.owner_id),
            expires_at,
            life: Life::Live,
        });
    }

    fn record_pair(
        &mut self,
        access: &str,
        refresh: Option<&str>,
        until: DateTime<Utc>,
        family: u64,
        grant: &Grant,
    ) {
        self.record(Kind::Access, access, family, grant, until);
        if let Some(refresh) = refresh {
            let refresh_until = Utc::now() + seconds(self.refresh_seconds);
            self.record(Kind::Refresh, refresh, family, grant, refresh_until);
        }
    }

    /// Revoke every token of a family.
    pub fn revoke_family(&mut self, family: u64) {
        for entry in self.entries.iter_mut().filter(|e| e.family == family) {
            self.map.revoke(&entry.token);
            entry.life = Life::Revoked;
        }
    }

    /// RFC 7009: a refresh token takes its family with it, an access token goes alone; an
    /// unknown token is ignored.
    pub fn revoke(&mut self, token: &str) {
        let Some(entry) = self.entries.iter_mut().find(|e| e.token == token) else {
            return;
        };
        match entry.kind {
            Kind::Refresh => {
                let family = entry.family;
                self.revoke_family(family);
            }
            Kind::Access => {
                entry.life = Life::Revoked;
                self.map.revoke(token);
            }
        }
    }

    /// A live access token's entry (its grant still in the `TokenMap`, not expired).
    pub fn live_access(&self, token: &str) -> Option<&Entry> {
        let entry = self.entry(token)?;
        let in_map = self.map.recover_token(token).ok().flatten().is_some();
        (entry.kind == Kind::Access && entry.active() && in_map).then_some(entry)
    }
}

impl Issuer for TokenStore {
    fn issue(&mut self, grant: Grant) -> Result<IssuedToken, ()> {
        self.map.valid_for(seconds(self.access_seconds));
        let issued = self.map.issue(grant.clone())?;
        let family = self.next_family;
        self.next_family += 1;
        self.record_pair(
            &issued.token,
            issued.refresh.as_deref(),
            issued.until,
            family,
            &grant,
        );
        Ok(issued)
    }

    fn refresh(&mut self, refresh: &str, grant: Grant) -> Result<RefreshedToken, ()> {
        let family = self
            .entry(refresh)
            .filter(|e| e.kind == Kind::Refresh && e.life == Life::Live)
            .map(|e| e.family)
            .ok_or(())?;
        self.map.valid_for(seconds(self.access_seconds));
        let refreshed = self.map.refresh(refresh, grant.clone())?;
        // The TokenMap dropped the old pair; say so, and keep the old refresh token known so
        // that presenting it again is recognised as a replay.
        for entry in self.entries.iter_mut().filter(|e| e.family == family) {
            match entry.kind {
                Kind::Refresh if entry.token == refresh => entry.life = Life::Rotated,
                Kind::Access if entry.life == Life::Live => entry.life = Life::Revoked,
                _ => {}
            }
        }
        self.record_pair(
            &refreshed.token,
            refreshed.refresh.as_deref(),
            refreshed.until,
            family,
            &grant,
        );
        Ok(refreshed)
    }

    fn recover_token<'a>(&'a self, token: &'a str) -> Result<Option<Grant>, ()> {
        self.map.recover_token(token)
    }

    /// The grant with the refresh token's own expiry (the `TokenMap` keeps the access token's,
    /// and oxide-auth's refresh flow refuses a grant past its `until`).
    fn recover_refresh<'a>(&'a self, token: &'a str) -> Result<Option<Grant>, ()> {
        let Some(entry) = self.entry(token).filter(|e| e.life == Life::Live) else {
            return Ok(None);
        };
        Ok(self.map.recover_refresh(token)?.map(|mut grant| {
            grant.until = entry.expires_at;
            grant
        }))
    }
}

/// How long an authorization code lives: PostHog's `AUTHORIZATION_CODE_EXPIRE_SECONDS`.
pub const CODE_SECONDS: i64 = 5 * 60;

/// oxide-auth's `AuthMap` with PostHog's code lifetime (the crate's flow sets ten minutes).
pub struct Codes(AuthMap<Prefixed>);

impl Authorizer for Codes {
    fn authorize(&mut self, mut grant: Grant) -> Result<String, ()> {
        grant.until = Utc::now() + chrono::Duration::seconds(CODE_SECONDS);
        self.0.authorize(grant)
    }

    fn extract(&mut self, code: &str) -> Result<Option<Grant>, ()> {
        self.0.extract(code)
    }
}

/// Everything the OAuth server keeps (in memory only; `POST /_sandbox/reset` clears it).
pub struct Inner {
    /// Clients whose documents were fetched.
    pub registry: Registry,
    /// Authorization codes (single use, [`CODE_SECONDS`]).
    pub codes: Codes,
    /// Tokens.
    pub tokens: TokenStore,
    /// CSRF tokens of consent pages shown, and when.
    pub csrf: HashMap<String, Instant>,
    /// Codes already exchanged, with the family they started: a replay revokes it.
    pub used_codes: HashMap<String, u64>,
}

impl Default for Inner {
    fn default() -> Self {
        Inner {
            registry: Registry::default(),
            codes: Codes(AuthMap::new(Prefixed::codes())),
            tokens: TokenStore::default(),
            csrf: HashMap::new(),
            used_codes: HashMap::new(),
        }
    }
}

/// The OAuth server's state, behind one lock (oxide-auth's flows are synchronous; the lock is
/// never held across an await).
#[derive(Default)]
pub struct OAuth {
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for OAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print tokens or codes.
        f.write_str("OAuth { .. }")
    }
}

/// What a live access token grants, for the API's permission checks.
#[derive(Debug, Clone, PartialEq)]
pub struct Granted {
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Chosen projects.
    pub projects: Vec<i64>,
}

impl OAuth {
    /// The state, locked.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forget every client, code and token.
    pub fn reset(&self) {
        *self.lock() = Inner::default();
    }

    /// What a live access token grants; `None` for an unknown, expired or revoked one.
    pub fn access(&self, token: &str) -> Option<Granted> {
        let inner = self.lock();
        inner.tokens.live_access(token).map(|e| Granted {
            scopes: e.scopes.clone(),
            projects: e.projects.clone(),
        })
    }

    /// `GET /_sandbox/oauth`: tokens (by their first 8 characters only) and clients.
    pub fn snapshot(&self) -> serde_json::Value {
        let inner = self.lock();
        let tokens: Vec<serde_json::Value> = inner
            .tokens
            .entries()
            .iter()
            .map(|e| {
                serde_json::json!({
                    "kind": e.kind,
                    "prefix": e.token.chars().take(8).collect::<String>(),
                    "family": e.family,
                    "client_id": e.client_id,
                    "scopes": e.scopes,
                    "projects": e.projects,
                    "expires_at": e.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    "active": e.active(),
                    "rotated": e.life == Life::Rotated,
                })
            })
            .collect();
        let clients: Vec<&Client> = inner.registry.clients.values().collect();
        serde_json::json!({"tokens": tokens, "clients": clients})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant() -> Grant {
        Grant {
            owner_id: owner_id(&[1]),
            client_id: "http://127.0.0.1/client.json".into(),
            scope: "group:read".parse().unwrap(),
            redirect_uri: "http://127.0.0.1/cb".parse().unwrap(),
            until: Utc::now(),
            extensions: Default::default(),
        }
    }

    #[test]
    fn tokens_are_prefixed_and_url_safe() {
        let mut tokens = Prefixed::tokens();
        for usage in 0..20 {
            let t = tokens.tag(usage, &grant()).unwrap();
            let prefix = if usage % 2 == 0 { "pha_" } else { "phr_" };
            assert!(t.starts_with(prefix), "{t}");
            assert!(t[4..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            assert!(t.len() > 40);
        }
    }

    #[test]
    fn codes_live_five_minutes_and_once() {
        let mut codes = Codes(AuthMap::new(Prefixed::codes()));
        let code = codes.authorize(grant()).unwrap();
        let stored = codes.extract(&code).unwrap().unwrap();
        let left = stored.until - Utc::now();
        assert!(left <= chrono::Duration::seconds(CODE_SECONDS));
        assert!(left > chrono::Duration::seconds(CODE_SECONDS - 5));
        assert!(codes.extract(&code).unwrap().is_none());
    }

    #[test]
    fn owner_id_carries_projects() {
        assert_eq!(projects_of(&owner_id(&[1, 2])), vec![1, 2]);
        assert_eq!(projects_of(&owner_id(&[])), Vec::<i64>::new());
    }
}
