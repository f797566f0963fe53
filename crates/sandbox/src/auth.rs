//! Personal API key authentication and PostHog's permission order: key, project, scope.

use crate::api_error::ApiError;
use crate::model::ApiKey;
use crate::state::AppState;
use axum::http::{header, HeaderMap, StatusCode};

/// Which viewset an endpoint belongs to; they answer authentication failures differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `groups_types/` list, delete, update_metadata: DRF answers 403 (no `WWW-Authenticate`).
    GroupTypes,
    /// `groups_types/{gti}/metrics/...`: DRF answers 401.
    Metrics,
}

impl Family {
    fn auth_status(self) -> StatusCode {
        match self {
            Family::GroupTypes => StatusCode::FORBIDDEN,
            Family::Metrics => StatusCode::UNAUTHORIZED,
        }
    }
}

/// What an endpoint requires of the key beyond being valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// A scope such as `usage_metric:write`.
    Scope(&'static str),
    /// No scope is mapped (update_metadata): refused to personal keys in cloud mode.
    Unscoped,
}

/// The bearer token of a request, if it has one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The seed key the request's bearer token names, answering failures with `status`. Like
/// PostHog's `PersonalAPIKeyAuthentication`, a successful look-up counts as a use of the key
/// (`last_used_at`) even when a later permission check refuses the request.
pub fn authenticate<'a>(
    state: &'a AppState,
    headers: &HeaderMap,
    status: StatusCode,
) -> Result<&'a ApiKey, ApiError> {
    let token = bearer(headers).ok_or_else(|| ApiError::not_authenticated(status))?;
    let key = state
        .keys
        .iter()
        .find(|k| k.value == token)
        .ok_or_else(|| ApiError::authentication_failed(status))?;
    state.touch_key(&key.id);
    Ok(key)
}

/// Check the key and its rights for `project` (numeric or `@current`); returns the project id.
pub fn authorize(
    state: &AppState,
    headers: &HeaderMap,
    project: &str,
    family: Family,
    need: Need,
) -> Result<i64, ApiError> {
    let key = authenticate(state, headers, family.auth_status())?;
    let project_id = resolve_project(state, key, project)?;
    match need {
        Need::Unscoped if state.switches().cloud_update_metadata => {
            return Err(ApiError::permission_denied(
                "This action does not support personal API key access",
            ));
        }
        _ => {}
    }
    if let Some(allowed) = &key.projects {
        if !allowed.contains(&project_id) {
            return Err(ApiError::permission_denied(format!(
                "API key does not have access to the requested project: ID {project_id}."
            )));
        }
    }
    if let Need::Scope(scope) = need {
        if !key.has_scope(scope) {
            return Err(ApiError::permission_denied(format!(
                "API key missing required scope '{scope}'"
            )));
        }
    }
    Ok(project_id)
}

/// `@current` is the key's first allowed project, else the lowest project id.
fn resolve_project(state: &AppState, key: &ApiKey, project: &str) -> Result<i64, ApiError> {
    let id = if project == "@current" {
        match key.projects.as_ref().and_then(|p| p.first()) {
            Some(id) => *id,
            None => state
                .read(|s| s.projects.keys().next().copied())
                .ok_or_else(ApiError::not_found)?,
        }
    } else {
        project.parse::<i64>().map_err(|_| ApiError::not_found())?
    };
    if state.read(|s| s.projects.contains_key(&id)) {
        Ok(id)
    } else {
        Err(ApiError::not_found())
    }
}
