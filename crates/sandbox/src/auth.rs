//! Personal API key authentication and PostHog's permission order, as
//! `TeamAndOrgViewSetMixin` (posthog/api/routing.py) chains them: authentication (the key from
//! the `Authorization` header, else the body, else the query string: posthog/auth.py), then
//! `APIScopePermission` (an action without a scope, the organization's personal-key setting,
//! the project lookup, the key's projects, its scopes: posthog/permissions.py), then
//! `AccessControlPermission` (membership of the project's organization).

use crate::api_error::ApiError;
use crate::model::ApiKey;
use crate::routes::json_body;
use crate::state::AppState;
use crate::validate::python_int;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use serde_json::Value;

/// Which viewset an endpoint belongs to; they answer authentication failures differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `groups_types/` list, delete, update_metadata: DRF answers 403 (no `WWW-Authenticate`).
    GroupTypes,
    /// `groups_types/{gti}/metrics/...`: DRF answers 401.
    Metrics,
}

impl Family {
    /// The status of an authentication failure: 403 where the viewset's first authenticator
    /// (the sharing one, for groups_types) sends no `WWW-Authenticate`, else 401.
    pub fn auth_status(self) -> StatusCode {
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
    /// No scope is mapped to the action (update_metadata on Cloud, set_default_columns, a
    /// method the route does not map): every personal key is refused.
    Unscoped,
}

/// PostHog's `APIScopePermission` message for an action without a scope (capitals as its code
/// writes them; the contract's update_metadata line has them in lower case).
pub const NO_PERSONAL_KEY: &str = "This action does not support Personal API Key access";

/// Where a request carried its key; PostHog names it in "Personal API key found in request
/// {source} is invalid.".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `Authorization: Bearer …`.
    Header,
    /// A `personal_api_key` member of a JSON object body.
    Body,
    /// The `personal_api_key` query parameter.
    Query,
}

impl Source {
    fn words(self) -> &'static str {
        match self {
            Source::Header => "Authorization header",
            Source::Body => "body",
            Source::Query => "query string",
        }
    }
}

/// The credential a request presents, found once per request by the gate.
#[derive(Debug, Clone, PartialEq)]
pub enum Presented {
    /// No credential at all.
    Nothing,
    /// A personal API key and where it was found.
    Key(String, Source),
    /// A `pha_` OAuth access token in the `Authorization` header.
    OAuth(AccessToken),
    /// Reading the body to look for a key failed (DRF parses it during authentication when the
    /// header has no key): that parse error is the answer.
    Unreadable(ApiError),
}

/// An OAuth access token as presented; its `Debug` never shows it.
#[derive(Clone, PartialEq)]
pub struct AccessToken(pub String);

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken(********)")
    }
}

/// The request's [`Presented`] credential, as an extractor (the gate stores it).
#[derive(Debug, Clone, PartialEq)]
pub struct Caller(pub Presented);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let found = parts.extensions.get::<Caller>().cloned();
        Ok(found.unwrap_or_else(|| Caller(find_key(&parts.headers, parts.uri.query(), &[]))))
    }
}

/// PostHog's `PersonalAPIKeyAuthentication.find_key_with_source`: the header
/// (`^Bearer\s+(\S.+)$`, "Bearer" exactly as written), else `personal_api_key` in the body,
/// else in the query string. A `pha_` token in the header belongs to OAuth and ends the search.
pub fn find_key(headers: &HeaderMap, query: Option<&str>, body: &[u8]) -> Presented {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        if let Some(token) = value.to_str().ok().and_then(bearer_token) {
            return if token.starts_with("pha_") {
                Presented::OAuth(AccessToken(token.to_string()))
            } else {
                Presented::Key(token.to_string(), Source::Header)
            };
        }
    }
    if !body.is_empty() {
        match json_body(headers, &body.to_vec().into()) {
            Err(e) => return Presented::Unreadable(e),
            Ok(Value::Object(obj)) => {
                if let Some(v) = obj.get("personal_api_key") {
                    let text = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    return Presented::Key(text, Source::Body);
                }
            }
            Ok(_) => {}
        }
    }
    let from_query = query.and_then(|q| {
        form_pairs(q)
            .into_iter()
            .rev()
            .find(|(k, _)| k == "personal_api_key")
    });
    match from_query {
        Some((_, v)) => Presented::Key(v, Source::Query),
        None => Presented::Nothing,
    }
}

/// The token of `Bearer <token>` by PostHog's regex: "Bearer", one or more whitespace
/// characters, then a non-space character and at least one more; trimmed.
fn bearer_token(value: &str) -> Option<&str> {
    let rest = value.strip_prefix("Bearer")?;
    let token = rest.trim_start_matches([' ', '\t', '\x0b', '\x0c']);
    if token.len() == rest.len() || token.chars().count() < 2 {
        return None;
    }
    Some(token.trim())
}

/// `application/x-www-form-urlencoded` pairs of a query string, decoded.
pub fn form_pairs(query: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query).unwrap_or_default()
}

/// PostHog's `OAuthAccessTokenAuthentication` message for an unknown, expired or revoked token.
pub const INVALID_ACCESS_TOKEN: &str = "Invalid access token.";

/// The seed key the request presents, answering failures with `status` (an OAuth access token
/// is refused here: only [`authorize`] accepts one). Like PostHog's
/// `PersonalAPIKeyAuthentication`, a successful look-up counts as a use of the key
/// (`last_used_at`) even when a later permission check refuses the request.
pub fn authenticate<'a>(
    state: &'a AppState,
    caller: &Caller,
    status: StatusCode,
) -> Result<&'a ApiKey, ApiError> {
    let (token, source) = match &caller.0 {
        Presented::Nothing => return Err(ApiError::not_authenticated(status)),
        Presented::Unreadable(e) => return Err(e.clone()),
        Presented::OAuth(_) => {
            return Err(ApiError::authentication_failed(
                status,
                INVALID_ACCESS_TOKEN,
            ))
        }
        Presented::Key(token, source) => (token, *source),
    };
    let key = state
        .keys
        .iter()
        .find(|k| &k.value == token)
        .ok_or_else(|| {
            ApiError::authentication_failed(
                status,
                format!(
                    "Personal API key found in request {} is invalid.",
                    source.words()
                ),
            )
        })?;
    state.touch_key(&key.id);
    Ok(key)
}

/// Check the key (or OAuth access token) and its rights for `project` (numeric or
/// `@current`); returns the project id. A live access token acts as a personal key limited to
/// its granted scopes and the projects chosen on the consent page (its `scoped_teams`), as
/// PostHog's `APIScopePermission` treats both; the organization's personal-key setting does
/// not apply to it.
pub fn authorize(
    state: &AppState,
    caller: &Caller,
    project: &str,
    family: Family,
    need: Need,
) -> Result<i64, ApiError> {
    let oauth_key;
    let (key, is_oauth) = match &caller.0 {
        Presented::OAuth(AccessToken(token)) => {
            let granted = state.oauth.access(token).ok_or_else(|| {
                ApiError::authentication_failed(family.auth_status(), INVALID_ACCESS_TOKEN)
            })?;
            oauth_key = ApiKey {
                id: String::new(),
                label: String::new(),
                value: String::new(),
                created_at: String::new(),
                scopes: granted.scopes,
                projects: Some(granted.projects),
            };
            (&oauth_key, true)
        }
        _ => (authenticate(state, caller, family.auth_status())?, false),
    };
    let Need::Scope(scope) = need else {
        return Err(ApiError::permission_denied(NO_PERSONAL_KEY));
    };
    let project_id = resolve_project(state, project)?;
    let organization = state.read(|s| {
        s.projects
            .get(&project_id)
            .and_then(|p| s.organization_of(p))
            .cloned()
    });
    if let Some(org) = &organization {
        if !is_oauth
            && !org.members_can_use_personal_api_keys
            && org.membership.is_some()
            && !org.user_is_admin()
        {
            return Err(ApiError::permission_denied(format!(
                "Organization '{}' does not allow using personal API keys. Contact an admin to enable personal API keys for this organization.",
                org.name
            )));
        }
    }
    if let Some(allowed) = &key.projects {
        if !allowed.contains(&project_id) {
            return Err(ApiError::permission_denied(format!(
                "API key does not have access to the requested project: ID {project_id}."
            )));
        }
    }
    if !key.has_scope(scope) {
        return Err(ApiError::permission_denied(format!(
            "API key missing required scope '{scope}'"
        )));
    }
    if organization.is_none_or(|o| o.membership.is_none()) {
        return Err(ApiError::permission_denied(
            "You don't have access to the project.",
        ));
    }
    Ok(project_id)
}

/// The project a path names: `@current` is the user's current project (the lowest id in an
/// organization they belong to), a number must be a project; otherwise "Project not found.".
fn resolve_project(state: &AppState, project: &str) -> Result<i64, ApiError> {
    let not_found = || ApiError::not_found_with("Project not found.");
    state.read(|s| {
        let id = if project == "@current" {
            s.projects
                .values()
                .find(|p| s.organization_of(p).is_some_and(|o| o.membership.is_some()))
                .map(|p| p.id)
                .ok_or_else(not_found)?
        } else {
            python_int(project).ok_or_else(not_found)?
        };
        if s.projects.contains_key(&id) {
            Ok(id)
        } else {
            Err(not_found())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_follows_posthogs_regex() {
        assert_eq!(bearer_token("Bearer phx_abc"), Some("phx_abc"));
        assert_eq!(bearer_token("Bearer \t phx_abc  "), Some("phx_abc"));
        assert_eq!(bearer_token("bearer phx_abc"), None);
        assert_eq!(bearer_token("Bearerphx_abc"), None);
        assert_eq!(bearer_token("Bearer x"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Basic abc"), None);
    }
}
