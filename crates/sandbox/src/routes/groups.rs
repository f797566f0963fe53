//! `GET groups/?group_type_index=N&search=&cursor=` (scope `group:read`), as PostHog's
//! `GroupsViewSet.list` (ee/clickhouse/views/groups.py): newest first, 100 a page, forward-only
//! keyset pagination with an opaque cursor (`previous` is always null).

use super::Shared;
use crate::api_error::ApiError;
use crate::auth::{authorize, form_pairs, Caller, Family, Need};
use crate::model::Group;
use crate::usage::parse_time;
use crate::validate::python_int;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Uri};
use axum::Json;
use base64::Engine;
use serde_json::{json, Value};

/// Groups a page holds.
pub const PAGE: usize = 100;

/// The list of one group type's groups.
pub async fn list(
    State(state): State<Shared>,
    Path(project): Path<String>,
    caller: Caller,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Json<Value>, ApiError> {
    let pid = authorize(
        &state,
        &caller,
        &project,
        Family::Metrics,
        Need::Scope("group:read"),
    )?;
    let params = uri.query().map(form_pairs).unwrap_or_default();
    let param = |name: &str| {
        params
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let index_text = param("group_type_index");
    if index_text.is_empty() {
        return Err(ApiError::validation(
            "invalid_input",
            "You must pass ?group_type_index= in this URL. To get a list of valid group types, call /api/:project_id/groups_types/.",
            Some("group_type_index"),
        ));
    }
    let index = python_int(&index_text).ok_or_else(|| {
        ApiError::validation(
            "invalid_input",
            "A valid integer is required.",
            Some("group_type_index"),
        )
    })?;
    let search = param("search").to_lowercase();
    let key_contains = param("group_key").to_lowercase();
    let after = decode_cursor(&param("cursor"));
    let mut groups: Vec<Group> = state.read(|s| {
        s.projects
            .get(&pid)
            .and_then(|p| p.groups.get(&index).cloned())
            .unwrap_or_default()
    });
    groups.retain(|g| {
        let name = g
            .group_properties
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_lowercase();
        let key = g.group_key.to_lowercase();
        (search.is_empty() || name.contains(&search) || key.contains(&search))
            && (key_contains.is_empty() || key.contains(&key_contains))
    });
    // Newest first, then by key: the keyset the cursor continues from.
    let order = |g: &Group| (std::cmp::Reverse(created_us(g)), g.group_key.clone());
    groups.sort_by_key(order);
    if let Some((c, k)) = &after {
        groups.retain(|g| order(g) > (std::cmp::Reverse(*c), k.clone()));
    }
    let more = groups.len() > PAGE;
    groups.truncate(PAGE);
    let next = match (more, groups.last()) {
        (true, Some(last)) => {
            let cursor = encode_cursor(created_us(last), &last.group_key);
            let mut pairs = vec![
                ("group_type_index".to_string(), index.to_string()),
                ("cursor".to_string(), cursor),
            ];
            for name in ["search", "group_key"] {
                let v = param(name);
                if !v.is_empty() {
                    pairs.push((name.to_string(), v));
                }
            }
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_string)
                .unwrap_or_else(|| state.local_addr.to_string());
            let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
            Some(format!("http://{host}{}?{query}", uri.path()))
        }
        _ => None,
    };
    let results: Vec<Value> = groups
        .into_iter()
        .map(|g| {
            json!({"group_type_index": index, "group_key": g.group_key,
                   "group_properties": g.group_properties, "created_at": g.created_at})
        })
        .collect();
    Ok(Json(
        json!({"next": next, "previous": null, "results": results}),
    ))
}

fn created_us(g: &Group) -> i64 {
    parse_time(&g.created_at).unwrap_or(0) * 1_000_000
}

/// PostHog's cursor: URL-safe base64 of `{"c": created_at µs, "k": group_key}`.
fn encode_cursor(created_us: i64, key: &str) -> String {
    let text = json!({"c": created_us, "k": key}).to_string();
    base64::engine::general_purpose::URL_SAFE.encode(text)
}

/// A cursor back to its keyset position; anything unreadable restarts from the first page,
/// as PostHog's `_decode_groups_cursor` does.
fn decode_cursor(cursor: &str) -> Option<(i64, String)> {
    if cursor.is_empty() {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE
        .decode(cursor)
        .ok()?;
    let data: Value = serde_json::from_slice(&bytes).ok()?;
    let key = data.get("k")?.as_str()?.to_string();
    let c = data.get("c").and_then(Value::as_i64).unwrap_or(0);
    Some((c, key))
}
