//! `/api/personal_api_keys/...`: what PostHog's `PersonalAPIKeyViewSet`
//! (posthog/api/personal_api_key.py) answers a personal API key. Such a key may only
//! `retrieve` itself, by `@current` or by its own id; every other action (list, create,
//! update, delete, roll, or a method the route does not map) is refused by
//! `PersonalApiKeySelfAccessPermission` before DRF looks at the method, so it is a 403 and never
//! a 405. Authentication comes first (401 with or without a bad key, as the viewset's first
//! authenticator sends `WWW-Authenticate`); no scope is needed.

use super::Shared;
use crate::api_error::ApiError;
use crate::auth::{authenticate, Caller};
use crate::clock::iso_utc;
use crate::model::{ApiKey, SEED_USER_ID};
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::Json;
use serde::Serialize;

/// What `@current` stands for in place of a key id.
pub const CURRENT: &str = "@current";

/// The message of PostHog's `PersonalApiKeySelfAccessPermission` (capitals as PostHog writes them).
pub const SELF_ACCESS_ONLY: &str = "This action does not support Personal API Key access";

/// One key as PostHog's `PersonalAPIKeySerializer` writes it, fields in its order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyRecord {
    /// The key's record id (not the secret).
    pub id: String,
    /// The name the user gave the key.
    pub label: String,
    /// The secret: only ever sent in the answer that creates or rolls a key, so always null here.
    pub value: Option<String>,
    /// `phx_...abcd`.
    pub mask_value: String,
    /// ISO time the key was created.
    pub created_at: String,
    /// ISO time the key last authenticated a request (this one counts).
    pub last_used_at: Option<String>,
    /// The user the key acts for.
    pub user_id: i64,
    /// Granted scopes; `["*"]` for an all-access key.
    pub scopes: Vec<String>,
    /// Project ids the key is limited to; empty when it is not limited.
    pub scoped_teams: Vec<i64>,
    /// Organization UUIDs the key is limited to; empty when it is not limited.
    pub scoped_organizations: Vec<String>,
    /// ISO time the key was last rolled; the sandbox never rolls keys.
    pub last_rolled_at: Option<String>,
}

impl KeyRecord {
    fn of(key: &ApiKey, last_used_at: std::time::SystemTime) -> Self {
        KeyRecord {
            id: key.id.clone(),
            label: key.label.clone(),
            value: None,
            mask_value: key.mask_value(),
            created_at: key.created_at.clone(),
            last_used_at: Some(iso_utc(last_used_at)),
            user_id: SEED_USER_ID,
            // PostHog's serializer turns a stored null into ["*"]; seed scopes are never empty.
            scopes: key.scopes.clone(),
            // The frontend creates unlimited keys with `scoped_teams: []` and the serializer
            // writes back what was stored, so [] (null only for keys older than the field).
            scoped_teams: key.projects.clone().unwrap_or_default(),
            scoped_organizations: Vec::new(),
            last_rolled_at: None,
        }
    }
}

/// Any method on `/api/personal_api_keys/` (list and create): refused to personal keys.
pub async fn collection(State(state): State<Shared>, caller: Caller) -> Result<(), ApiError> {
    route_open(&state)?;
    authenticate(&state, &caller, StatusCode::UNAUTHORIZED)?;
    Err(ApiError::permission_denied(SELF_ACCESS_ONLY))
}

/// Any method on `/api/personal_api_keys/{id}/`: GET (and HEAD) retrieve, the rest refused.
pub async fn detail(
    State(state): State<Shared>,
    Path(id): Path<String>,
    method: Method,
    caller: Caller,
) -> Result<Json<KeyRecord>, ApiError> {
    route_open(&state)?;
    let key = authenticate(&state, &caller, StatusCode::UNAUTHORIZED)?;
    if method != Method::GET && method != Method::HEAD {
        return Err(ApiError::permission_denied(SELF_ACCESS_ONLY));
    }
    if id != CURRENT && id != key.id {
        // Every seed key belongs to the one sandbox user, so another seed key's id is found
        // (then refused by the object permission); any other id is not among the user's keys.
        return Err(if state.keys.iter().any(|k| k.id == id) {
            ApiError::permission_denied(SELF_ACCESS_ONLY)
        } else {
            ApiError::not_found()
        });
    }
    let last_used_at = state.touch_key(&key.id);
    Ok(Json(KeyRecord::of(key, last_used_at)))
}

/// Any method on `/api/personal_api_keys/{id}/roll/`: the `roll` action, refused to personal keys.
pub async fn roll(State(state): State<Shared>, caller: Caller) -> Result<(), ApiError> {
    collection(State(state), caller).await
}

/// With the `current_key_route` switch off, the sandbox is an instance where this route does
/// not exist: every path under it answers 404 before any authentication, as a URL that
/// resolves to no view does.
fn route_open(state: &Shared) -> Result<(), ApiError> {
    if state.switches().current_key_route {
        Ok(())
    } else {
        Err(ApiError::not_found())
    }
}
