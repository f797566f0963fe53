//! Endpoints 3 to 7 and PUT: a group type's usage metrics. The server does not check that a
//! group type exists at `{gti}`, as PostHog does not.

use super::{json_body, parse_index, Shared};
use crate::api_error::ApiError;
use crate::auth::{authorize, Family, Need};
use crate::model::{Metric, Project, Store};
use crate::validate::{validate_metric, Mode};
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::Json;
use serde_json::{json, Value};

const DEFAULT_LIMIT: usize = 100;

/// Authorize and resolve `(project, gti)`; an index that is not a number is a 404.
fn scope(
    state: &Shared,
    headers: &HeaderMap,
    project: &str,
    gti: &str,
    scope: &'static str,
) -> Result<(i64, i64), ApiError> {
    let pid = authorize(state, headers, project, Family::Metrics, Need::Scope(scope))?;
    let index = parse_index(gti).ok_or_else(ApiError::not_found)?;
    Ok((pid, index))
}

fn project_mut(store: &mut Store, pid: i64) -> Result<&mut Project, ApiError> {
    store.projects.get_mut(&pid).ok_or_else(ApiError::not_found)
}

/// Position of metric `id` (any UUID spelling Django accepts) at `index`, or a 404.
fn position(project: &Project, index: i64, id: &str) -> Result<usize, ApiError> {
    let id = uuid::Uuid::parse_str(id)
        .map_err(|_| ApiError::not_found())?
        .to_string();
    project
        .metrics_at(index)
        .iter()
        .position(|m| m.id == id)
        .ok_or_else(ApiError::not_found)
}

/// The unique (project, group type index, name) constraint PostHog does not catch: 500.
fn check_unique(list: &[Metric], name: &str, except: Option<&str>) -> Result<(), ApiError> {
    match list
        .iter()
        .any(|m| m.name == name && Some(m.id.as_str()) != except)
    {
        true => Err(ApiError::server_error()),
        false => Ok(()),
    }
}

/// `GET .../metrics/?limit=&offset=`: a page in creation order with absolute links.
pub async fn list(
    State(state): State<Shared>,
    Path((project, gti)): Path<(String, String)>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Json<Value>, ApiError> {
    let (pid, index) = scope(&state, &headers, &project, &gti, "usage_metric:read")?;
    let params = query.map(|q| q.0).unwrap_or_default();
    let limit = paging_param(&params, "limit", 1)?.unwrap_or(DEFAULT_LIMIT);
    let offset = paging_param(&params, "offset", 0)?.unwrap_or(0);
    let all = state.read(|s| {
        s.projects
            .get(&pid)
            .map(|p| p.metrics_at(index).to_vec())
            .ok_or_else(ApiError::not_found)
    })?;
    let count = all.len();
    let results: Vec<Metric> = all.into_iter().skip(offset).take(limit).collect();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| state.local_addr.to_string());
    let base = format!("http://{host}{}/", uri.path().trim_end_matches('/'));
    let next = (offset.saturating_add(limit) < count)
        .then(|| format!("{base}?limit={limit}&offset={}", offset + limit));
    let previous = match offset {
        0 => None,
        o if o <= limit => Some(format!("{base}?limit={limit}")),
        o => Some(format!("{base}?limit={limit}&offset={}", o - limit)),
    };
    Ok(Json(json!({
        "count": count,
        "next": next,
        "previous": previous,
        "results": results,
    })))
}

/// A `limit`/`offset` query value: an integer of at least `min`, else a 400 naming it.
fn paging_param(
    params: &[(String, String)],
    name: &str,
    min: i64,
) -> Result<Option<usize>, ApiError> {
    let Some((_, raw)) = params.iter().rev().find(|(k, _)| k == name) else {
        return Ok(None);
    };
    let value: i64 = raw
        .trim()
        .parse()
        .map_err(|_| ApiError::validation("invalid", "A valid integer is required.", Some(name)))?;
    if value < min {
        return Err(ApiError::validation(
            "min_value",
            format!("Ensure this value is greater than or equal to {min}."),
            Some(name),
        ));
    }
    Ok(Some(usize::try_from(value).unwrap_or(usize::MAX)))
}

/// `POST .../metrics/`: 201 with the stored metric.
pub async fn create(
    State(state): State<Shared>,
    Path((project, gti)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Metric>), ApiError> {
    let (pid, index) = scope(&state, &headers, &project, &gti, "usage_metric:write")?;
    let mut metric = validate_metric(&json_body(&headers, &body)?, Mode::Create)?;
    state.write(|s| {
        let list = project_mut(s, pid)?.metrics.entry(index).or_default();
        check_unique(list, &metric.name, None)?;
        metric.id = uuid::Uuid::new_v4().to_string();
        list.push(metric.clone());
        Ok((StatusCode::CREATED, Json(metric)))
    })
}

/// `GET .../metrics/{id}/`.
pub async fn retrieve(
    State(state): State<Shared>,
    Path((project, gti, id)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Result<Json<Metric>, ApiError> {
    let (pid, index) = scope(&state, &headers, &project, &gti, "usage_metric:read")?;
    state.read(|s| {
        let project = s.projects.get(&pid).ok_or_else(ApiError::not_found)?;
        let at = position(project, index, &id)?;
        Ok(Json(project.metrics_at(index)[at].clone()))
    })
}

/// `PATCH .../metrics/{id}/`: fields not given keep their values.
pub async fn partial_update(
    State(state): State<Shared>,
    Path((project, gti, id)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Metric>, ApiError> {
    save(state, (project, gti, id), headers, body, true).await
}

/// `PUT .../metrics/{id}/`: `name` and `filters` required as on create.
pub async fn update(
    State(state): State<Shared>,
    Path((project, gti, id)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Metric>, ApiError> {
    save(state, (project, gti, id), headers, body, false).await
}

async fn save(
    state: Shared,
    (project, gti, id): (String, String, String),
    headers: HeaderMap,
    body: Bytes,
    partial: bool,
) -> Result<Json<Metric>, ApiError> {
    let (pid, index) = scope(&state, &headers, &project, &gti, "usage_metric:write")?;
    // DRF looks the object up before it reads the body, so a 404 wins over a bad body.
    let body = json_body(&headers, &body);
    state.write(|s| {
        let project = project_mut(s, pid)?;
        let at = position(project, index, &id)?;
        let list = project.metrics.entry(index).or_default();
        let existing = &list[at];
        let mode = if partial {
            Mode::Patch(existing)
        } else {
            Mode::Replace(existing)
        };
        let updated = validate_metric(&body?, mode)?;
        check_unique(list, &updated.name, Some(&updated.id))?;
        list[at] = updated.clone();
        Ok(Json(updated))
    })
}

/// `DELETE .../metrics/{id}/`: 204.
pub async fn remove(
    State(state): State<Shared>,
    Path((project, gti, id)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let (pid, index) = scope(&state, &headers, &project, &gti, "usage_metric:write")?;
    state.write(|s| {
        let project = project_mut(s, pid)?;
        let at = position(project, index, &id)?;
        project.metrics.entry(index).or_default().remove(at);
        Ok(StatusCode::NO_CONTENT)
    })
}
