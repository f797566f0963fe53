//! Endpoints 1, 2 and 8 (list group types, delete one, update their display names) and the two
//! actions that take no personal key, as `GroupsTypesViewSet` (ee/clickhouse/views/groups.py).

use super::{json_body, parse_index, Shared};
use crate::api_error::ApiError;
use crate::auth::{authorize, Caller, Family, Need};
use crate::model::{GroupType, Project, Store};
use crate::validate::{char_field, python_str, python_type};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::{Map, Value};

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
    caller: Caller,
) -> Result<Json<Vec<GroupType>>, ApiError> {
    let pid = authorize(
        &state,
        &caller,
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
    caller: Caller,
) -> Result<StatusCode, ApiError> {
    let pid = authorize(
        &state,
        &caller,
        &project,
        Family::GroupTypes,
        Need::Scope("group:write"),
    )?;
    // PostHog's destroy does `int(kwargs["group_type_index"])` without catching the
    // ValueError: an index that is not a number is an unhandled error.
    let index = parse_index(&gti).ok_or_else(ApiError::server_error)?;
    let not_found = || ApiError::not_found_with("Group type not found");
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

/// `PUT set_default_columns` / `PUT create_detail_dashboard`: no scope is declared, so a
/// personal key never gets past the permission check.
pub async fn unscoped_action(
    State(state): State<Shared>,
    Path(project): Path<String>,
    caller: Caller,
) -> ApiError {
    match authorize(
        &state,
        &caller,
        &project,
        Family::GroupTypes,
        Need::Unscoped,
    ) {
        Err(e) => e,
        // Unreachable with personal keys; said plainly should a future credential get here.
        Ok(_) => ApiError::server_error(),
    }
}

/// `PATCH groups_types/update_metadata/`: each row is looked up (an unknown or missing index is
/// an unhandled error, 500), validated with the group type serializer (first error, 400) and
/// saved, one at a time without a transaction, so a failing row leaves the earlier ones saved.
/// On Cloud the action has no scope (403 for every personal key); where personal keys may
/// rename (the sandbox's default mode) the key needs `group:write`.
pub async fn update_metadata(
    State(state): State<Shared>,
    Path(project): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Vec<GroupType>>, ApiError> {
    let need = match state.switches().cloud_update_metadata {
        true => Need::Unscoped,
        false => Need::Scope("group:write"),
    };
    let pid = authorize(&state, &caller, &project, Family::GroupTypes, need)?;
    // PostHog iterates `request.data` as a list: an empty object (or an empty body, or "")
    // has nothing to iterate; anything else that is not a list of objects fails on
    // `row["group_type_index"]` as an unhandled error.
    let rows = match json_body(&headers, &body)? {
        Value::Array(rows) => rows,
        Value::Object(o) if o.is_empty() => Vec::new(),
        Value::String(s) if s.is_empty() => Vec::new(),
        _ => return Err(ApiError::server_error()),
    };
    state.write(|s| {
        let project = s.projects.get_mut(&pid).ok_or_else(ApiError::not_found)?;
        for row in &rows {
            let obj = row.as_object().ok_or_else(ApiError::server_error)?;
            let index = obj
                .get("group_type_index")
                .and_then(index_value)
                .ok_or_else(ApiError::server_error)?;
            let at = project
                .group_types
                .iter()
                .position(|gt| gt.group_type_index == index)
                .ok_or_else(ApiError::server_error)?;
            let names = validate_row(obj, project)?;
            let gt = &mut project.group_types[at];
            if let Some(name) = names.singular {
                gt.name_singular = name;
            }
            if let Some(name) = names.plural {
                gt.name_plural = name;
            }
        }
        Ok(Json(project.group_types.clone()))
    })
}

/// The names a row sets (outer `None`: not given; inner `None`: set to null).
struct Names {
    singular: Option<Option<String>>,
    plural: Option<Option<String>>,
}

/// `GroupTypeSerializer(instance, data=row).is_valid()`: the writable fields in its order
/// (`group_type` and `group_type_index` are read-only and ignored), the first error wins.
/// Only the names are stored afterwards; the other fields are validated and dropped.
fn validate_row(row: &Map<String, Value>, project: &Project) -> Result<Names, ApiError> {
    let name = |attr: &str| {
        row.get(attr)
            .map(|v| char_field(v, attr, 400, true))
            .transpose()
    };
    let singular = name("name_singular")?;
    let plural = name("name_plural")?;
    match row.get("detail_dashboard") {
        None | Some(Value::Null) => {}
        Some(v) => check_dashboard(v, project)?,
    }
    match row.get("default_columns") {
        None | Some(Value::Null) | Some(Value::Array(_)) => {}
        Some(other) => {
            return Err(ApiError::validation(
                "not_a_list",
                format!(
                    "Expected a list of items but got type \"{}\".",
                    python_type(other)
                ),
                Some("default_columns"),
            ))
        }
    }
    match row.get("created_at") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if is_iso_datetime(s) => {}
        Some(_) => return Err(ApiError::validation(
            "invalid_input",
            "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].",
            Some("created_at"),
        )),
    }
    Ok(Names { singular, plural })
}

/// DRF's `PrimaryKeyRelatedField` over the project's dashboards.
fn check_dashboard(v: &Value, project: &Project) -> Result<(), ApiError> {
    let id = match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => crate::validate::python_int(s),
        _ => None,
    };
    let incorrect = || {
        ApiError::validation(
            "incorrect_type",
            format!(
                "Incorrect type. Expected pk value, received {}.",
                python_type(v)
            ),
            Some("detail_dashboard"),
        )
    };
    let id = id.ok_or_else(incorrect)?;
    if project.dashboards.contains(&id) {
        return Ok(());
    }
    Err(ApiError::validation(
        "does_not_exist",
        format!("Invalid pk \"{}\" - object does not exist.", python_str(v)),
        Some("detail_dashboard"),
    ))
}

/// What Django's `parse_datetime` takes: `YYYY-MM-DD`, then optionally `T` or a space and
/// `hh:mm[:ss[.fraction]]`, then optionally `Z` or `±hh[:mm]`.
fn is_iso_datetime(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range.clone())
            .is_some_and(|s| s.len() == range.len() && s.iter().all(u8::is_ascii_digit))
    };
    let date = digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10);
    if !date {
        return false;
    }
    let mut rest = &text[10..];
    if rest.is_empty() {
        return true;
    }
    if !(rest.starts_with('T') || rest.starts_with(' ')) {
        return false;
    }
    rest = &rest[1..];
    let t = rest.as_bytes();
    let two = |at: usize| {
        t.get(at..at + 2)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    if !(two(0) && t.get(2) == Some(&b':') && two(3)) {
        return false;
    }
    let mut at = 5;
    if t.get(at) == Some(&b':') {
        if !two(at + 1) {
            return false;
        }
        at += 3;
        if matches!(t.get(at), Some(b'.' | b',')) {
            let start = at + 1;
            at = start;
            while t.get(at).is_some_and(u8::is_ascii_digit) {
                at += 1;
            }
            if at == start {
                return false;
            }
        }
    }
    let zone = &rest[at..];
    let zb = zone.as_bytes();
    zone.is_empty()
        || zone == "Z"
        || (matches!(zb.first(), Some(b'+' | b'-'))
            && zb
                .get(1..3)
                .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
            && match zb.len() {
                3 => true,
                5 => zb[3..5].iter().all(u8::is_ascii_digit),
                6 => zb[3] == b':' && zb[4..6].iter().all(u8::is_ascii_digit),
                _ => false,
            })
}

/// Django coerces the lookup value: `0` and `"0"` both find index 0.
fn index_value(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => crate::validate::python_int(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::is_iso_datetime;

    #[test]
    fn datetimes_as_django_parses_them() {
        for ok in [
            "2023-03-14",
            "2023-03-14T09:26",
            "2023-03-14T09:26:53Z",
            "2023-03-14 09:26:53.123456+02:00",
            "2023-03-14T09:26:53-0500",
        ] {
            assert!(is_iso_datetime(ok), "{ok}");
        }
        for bad in [
            "",
            "yesterday",
            "2023-3-14",
            "2023-03-14T9:26",
            "2023-03-14T09:26:53+2",
        ] {
            assert!(!is_iso_datetime(bad), "{bad}");
        }
    }
}
