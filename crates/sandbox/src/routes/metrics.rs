//! Endpoints 3 to 7 and PUT: a group type's usage metrics. The server does not check that a
//! group type exists at `{gti}`, as PostHog does not.

use super::{json_body, parse_index, Shared};
use crate::api_error::ApiError;
use crate::auth::{authorize, form_pairs, Caller, Family, Need};
use crate::model::{Metric, Project, Store};
use crate::validate::{check_storable, validate_metric, Context, Mode};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::Json;
use serde_json::{json, Value};

/// Authorize and resolve `(project, gti)`; an index that is not a number is a 404 (the
/// queryset filter's ValueError, which PostHog turns into NotFound).
fn scope(
    state: &Shared,
    caller: &Caller,
    project: &str,
    gti: &str,
    scope: &'static str,
) -> Result<(i64, i64), ApiError> {
    let pid = authorize(state, caller, project, Family::Metrics, Need::Scope(scope))?;
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

/// `GET .../metrics/?limit=&offset=`: a page in creation order, as DRF's
/// LimitOffsetPagination writes it: links are the request's own absolute URL with `limit` and
/// `offset` replaced (other parameters kept, all sorted by name, as `replace_query_param`
/// re-encodes them).
pub async fn list(
    State(state): State<Shared>,
    Path((project, gti)): Path<(String, String)>,
    caller: Caller,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Json<Value>, ApiError> {
    let (pid, index) = scope(&state, &caller, &project, &gti, "usage_metric:read")?;
    let params = uri.query().map(form_pairs).unwrap_or_default();
    let limit = super::paging_param(&params, "limit", true).unwrap_or(super::DEFAULT_LIMIT);
    let offset = super::paging_param(&params, "offset", false).unwrap_or(0);
    let all = state.read(|s| {
        s.projects
            .get(&pid)
            .map(|p| p.metrics_at(index).to_vec())
            .ok_or_else(ApiError::not_found)
    })?;
    let results: Vec<Value> = all.iter().map(|m| json!(m)).collect();
    Ok(Json(super::limit_offset_page(
        &state, &headers, &uri, &params, results, limit, offset,
    )))
}

/// `POST .../metrics/`: 201 with the stored metric.
pub async fn create(
    State(state): State<Shared>,
    Path((project, gti)): Path<(String, String)>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Metric>), ApiError> {
    let pid = authorize(
        &state,
        &caller,
        &project,
        Family::Metrics,
        Need::Scope("usage_metric:write"),
    )?;
    let body = json_body(&headers, &body)?;
    state.write(|s| {
        let project = project_mut(s, pid)?;
        let ctx = Context {
            tables: &project.warehouse_tables,
        };
        let mut metric = validate_metric(&body, Mode::Create, ctx)?;
        // Validation passes before the save: only then does an index that is not a number
        // (an unhandled ValueError), an interval Postgres cannot hold, or a duplicate name
        // (an IntegrityError) fail, each as a 500 with nothing stored.
        let index = parse_index(&gti).ok_or_else(ApiError::server_error)?;
        check_storable(&metric)?;
        let list = project.metrics.entry(index).or_default();
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
    caller: Caller,
) -> Result<Json<Metric>, ApiError> {
    let (pid, index) = scope(&state, &caller, &project, &gti, "usage_metric:read")?;
    state.read(|s| {
        let project = s.projects.get(&pid).ok_or_else(ApiError::not_found)?;
        let at = position(project, index, &id)?;
        Ok(Json(project.metrics_at(index)[at].clone()))
    })
}

/// `PATCH .../metrics/{id}/`: fields not given keep their values.
pub async fn partial_update(
    State(state): State<Shared>,
    Path(path): Path<(String, String, String)>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Metric>, ApiError> {
    save(state, path, caller, headers, body, true).await
}

/// `PUT .../metrics/{id}/`: a full update (`name` and `filters` required as on create, the
/// other fields back to their defaults when not given).
pub async fn update(
    State(state): State<Shared>,
    Path(path): Path<(String, String, String)>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Metric>, ApiError> {
    save(state, path, caller, headers, body, false).await
}

async fn save(
    state: Shared,
    (project, gti, id): (String, String, String),
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
    partial: bool,
) -> Result<Json<Metric>, ApiError> {
    let (pid, index) = scope(&state, &caller, &project, &gti, "usage_metric:write")?;
    // DRF looks the object up before it reads the body, so a 404 wins over a bad body.
    let body = json_body(&headers, &body);
    state.write(|s| {
        let project = project_mut(s, pid)?;
        let at = position(project, index, &id)?;
        let existing = &project.metrics_at(index)[at];
        let mode = if partial {
            Mode::Patch(existing)
        } else {
            Mode::Replace(existing)
        };
        let ctx = Context {
            tables: &project.warehouse_tables,
        };
        let updated = validate_metric(&body?, mode, ctx)?;
        check_storable(&updated)?;
        let list = project.metrics.entry(index).or_default();
        check_unique(list, &updated.name, Some(&updated.id))?;
        list[at] = updated.clone();
        Ok(Json(updated))
    })
}

/// `DELETE .../metrics/{id}/`: 204.
pub async fn remove(
    State(state): State<Shared>,
    Path((project, gti, id)): Path<(String, String, String)>,
    caller: Caller,
) -> Result<StatusCode, ApiError> {
    let (pid, index) = scope(&state, &caller, &project, &gti, "usage_metric:write")?;
    state.write(|s| {
        let project = project_mut(s, pid)?;
        let at = position(project, index, &id)?;
        project.metrics.entry(index).or_default().remove(at);
        Ok(StatusCode::NO_CONTENT)
    })
}
