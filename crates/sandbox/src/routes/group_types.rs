//! Endpoints 1, 2 and 8: list group types, delete one, update their display names.

use super::{json_body, parse_index, Shared};
use crate::api_error::ApiError;
use crate::auth::{authorize, Family, Need};
use crate::model::{GroupType, Store};
use crate::validate::{char_field, python_type};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::Value;

fn group_types_of(store: &Store, project: i64) -> Result<Vec<GroupType>, ApiError> {
    store
        .projects
        .get(&project)
        .map(|p| p.group_types.clone())
        .ok_or_else(ApiError::not_found)
}

/// `GET groups_types/`: the array, sorted by index, not paginated.
pub async fn list(
    State(state): State<Shared>,
    Path(project): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Vec<GroupType>>, ApiError> {
    let pid = authorize(
        &state,
        &headers,
        &project,
        Family::GroupTypes,
        Need::Scope("group:read"),
    )?;
    state.read(|s| group_types_of(s, pid)).map(Json)
}

/// `DELETE groups_types/{gti}/`: removes the mapping only; its metrics stay.
pub async fn remove(
    State(state): State<Shared>,
    Path((project, gti)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let pid = authorize(
        &state,
        &headers,
        &project,
        Family::GroupTypes,
        Need::Scope("group:write"),
    )?;
    let not_found = || ApiError::not_found_with("Group type not found");
    let index = parse_index(&gti).ok_or_else(not_found)?;
    state.write(|s| {
        let project = s.projects.get_mut(&pid).ok_or_else(ApiError::not_found)?;
        let before = project.group_types.len();
        project
            .group_types
            .retain(|gt| gt.group_type_index != index);
        if project.group_types.len() == before {
            return Err(not_found());
        }
        Ok(StatusCode::NO_CONTENT)
    })
}

/// `PATCH groups_types/update_metadata/`: rows applied one by one without a transaction, as
/// PostHog does, so a failing row leaves the earlier ones saved.
pub async fn update_metadata(
    State(state): State<Shared>,
    Path(project): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Vec<GroupType>>, ApiError> {
    let pid = authorize(
        &state,
        &headers,
        &project,
        Family::GroupTypes,
        Need::Unscoped,
    )?;
    let body = json_body(&headers, &body)?;
    let Value::Array(rows) = body else {
        return Err(ApiError::validation(
            "not_a_list",
            format!(
                "Expected a list of items but got type \"{}\".",
                python_type(&body)
            ),
            None,
        ));
    };
    state.write(|s| {
        let project = s.projects.get_mut(&pid).ok_or_else(ApiError::not_found)?;
        for row in &rows {
            // PostHog looks the row up with `GroupTypeMapping.objects.get(...)` and does not
            // catch the miss (nor a row that is not an object): an unhandled exception, 500.
            let obj = row.as_object().ok_or_else(ApiError::server_error)?;
            let index = obj
                .get("group_type_index")
                .and_then(index_value)
                .ok_or_else(ApiError::server_error)?;
            let gt = project
                .group_types
                .iter_mut()
                .find(|gt| gt.group_type_index == index)
                .ok_or_else(ApiError::server_error)?;
            let singular = obj
                .get("name_singular")
                .map(|v| char_field(v, "name_singular", 400, true))
                .transpose()?;
            let plural = obj
                .get("name_plural")
                .map(|v| char_field(v, "name_plural", 400, true))
                .transpose()?;
            if let Some(name) = singular {
                gt.name_singular = name;
            }
            if let Some(name) = plural {
                gt.name_plural = name;
            }
        }
        Ok(Json(project.group_types.clone()))
    })
}

/// Django coerces the lookup value: `0` and `"0"` both find index 0.
fn index_value(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}
