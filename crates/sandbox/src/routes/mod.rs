//! The PostHog API routes under `/api/projects/{project_id}/` and `/api/personal_api_keys/`,
//! each with and without the trailing slash, and PostHog-shaped answers for unknown paths and
//! methods.

mod definitions;
mod group_types;
mod groups;
mod metrics;
mod query;
pub use query::target_of as query_target;
pub mod personal_api_keys;

use crate::api_error::ApiError;
use crate::auth::{authorize, Caller, Family, Need};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Method, Uri};
use axum::routing::{any, MethodRouter};
use axum::Router;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// Shared state as the handlers receive it.
pub type Shared = Arc<AppState>;

/// All API routes (without middleware; see [`crate::gate`]).
pub fn api_router() -> Router<Shared> {
    use axum::routing::{delete, get, patch, put};
    const GT: &str = "/api/projects/{project}/groups_types";
    let groups = Kind {
        family: Family::GroupTypes,
        detail: false,
        write: "group:write",
    };
    let group = Kind {
        detail: true,
        ..groups
    };
    let metrics = Kind {
        family: Family::Metrics,
        detail: false,
        write: "usage_metric:write",
    };
    let metric = Kind {
        detail: true,
        ..metrics
    };
    let mut r = Router::new();
    r = both(r, GT, get(group_types::list), groups);
    r = both(
        r,
        &format!("{GT}/update_metadata"),
        patch(group_types::update_metadata),
        groups,
    );
    // Two actions PostHog's frontend uses with a session; they declare no scope, so every
    // personal key is refused (a 403, before anything is read).
    for action in ["set_default_columns", "create_detail_dashboard"] {
        r = both(
            r,
            &format!("{GT}/{action}"),
            put(group_types::unscoped_action),
            groups,
        );
    }
    r = both(
        r,
        &format!("{GT}/{{gti}}"),
        delete(group_types::remove),
        group,
    );
    r = both(
        r,
        &format!("{GT}/{{gti}}/metrics"),
        get(metrics::list).post(metrics::create),
        metrics,
    );
    r = both(
        r,
        &format!("{GT}/{{gti}}/metrics/{{id}}"),
        get(metrics::retrieve)
            .patch(metrics::partial_update)
            .put(metrics::update)
            .delete(metrics::remove),
        metric,
    );
    let project_level = Kind {
        family: Family::Metrics,
        detail: false,
        write: "group:write",
    };
    r = both(
        r,
        "/api/projects/{project}/groups",
        get(groups::list),
        project_level,
    );
    let queries = Kind {
        family: Family::GroupTypes,
        detail: false,
        write: "query:write",
    };
    r = both(
        r,
        "/api/projects/{project}/query",
        axum::routing::post(query::run),
        queries,
    );
    // What the metric editor's pickers read, each viewset with its own scope.
    for (path, scope_object, handler) in [
        (
            "event_definitions",
            "event_definition:write",
            get(definitions::event_definitions),
        ),
        (
            "property_definitions",
            "property_definition:write",
            get(definitions::property_definitions),
        ),
        ("actions", "action:write", get(definitions::actions)),
        (
            "warehouse_tables",
            "warehouse_table:write",
            get(definitions::warehouse_tables),
        ),
    ] {
        let kind = Kind {
            family: Family::Metrics,
            detail: false,
            write: scope_object,
        };
        r = both(
            r,
            &format!("/api/projects/{{project}}/{path}"),
            handler,
            kind,
        );
    }
    // Every method reaches these handlers: the viewset refuses a personal key's other actions
    // with a 403 before DRF would answer 405.
    const KEYS: &str = "/api/personal_api_keys";
    r = both_any(r, KEYS, any(personal_api_keys::collection));
    r = both_any(r, &format!("{KEYS}/{{id}}"), any(personal_api_keys::detail));
    r = both_any(
        r,
        &format!("{KEYS}/{{id}}/roll"),
        any(personal_api_keys::roll),
    );
    r.route("/api", any(not_found))
        .route("/api/", any(not_found))
        .route("/api/{*rest}", any(not_found))
}

/// What a route is to PostHog's permission check when a method it does not map arrives.
#[derive(Debug, Clone, Copy)]
struct Kind {
    family: Family,
    /// A detail route (one object) rather than a list or a `detail=False` action.
    detail: bool,
    /// The viewset's write scope.
    write: &'static str,
}

/// Route `path` and `path/` (PostHog accepts both). A method the route does not map has no
/// action, so `APIScopePermission` finds no scope for it and refuses a personal key (403)
/// before DRF would answer 405; only PATCH on a non-detail route is the action "patch", which
/// needs the write scope and then meets the 405.
fn both(
    router: Router<Shared>,
    path: &str,
    methods: MethodRouter<Shared>,
    kind: Kind,
) -> Router<Shared> {
    let methods = methods.fallback(
        move |State(state): State<Shared>,
              Path(params): Path<HashMap<String, String>>,
              caller: Caller,
              method: Method| async move {
            let need = if method == Method::PATCH && !kind.detail {
                Need::Scope(kind.write)
            } else {
                Need::Unscoped
            };
            let project = params.get("project").map(String::as_str).unwrap_or("");
            match authorize(&state, &caller, project, kind.family, need) {
                Err(e) => e,
                Ok(_) => ApiError::method_not_allowed(method.as_str()),
            }
        },
    );
    router
        .route(path, methods.clone())
        .route(&format!("{path}/"), methods)
}

/// Route `path` and `path/` to a handler that takes every method itself.
fn both_any(router: Router<Shared>, path: &str, methods: MethodRouter<Shared>) -> Router<Shared> {
    router
        .route(path, methods.clone())
        .route(&format!("{path}/"), methods)
}

async fn not_found() -> ApiError {
    ApiError::not_found()
}

/// Parse a request body the way DRF's JSON parser does: empty means `{}`, a body needs a JSON
/// content type (else 415), and bad JSON is a 400 parse error.
pub fn json_body(headers: &HeaderMap, body: &Bytes) -> Result<Value, ApiError> {
    if body.is_empty() {
        return Ok(Value::Object(serde_json::Map::new()));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence != "application/json" {
        return Err(ApiError::unsupported_media_type(content_type));
    }
    serde_json::from_slice(body).map_err(ApiError::parse_error)
}

/// DRF's page size (PostHog's `PAGE_SIZE`).
pub const DEFAULT_LIMIT: usize = 100;

/// A `limit`/`offset` value as DRF's `_positive_int` reads it: Python's `int()`, refused when
/// negative (or zero, for `limit`); a refused or missing value means the default, never a 400.
pub fn paging_param(params: &[(String, String)], name: &str, strict: bool) -> Option<usize> {
    let (_, raw) = params.iter().rev().find(|(k, _)| k == name)?;
    let value = crate::validate::python_int(raw)?;
    if value < 0 || (strict && value == 0) {
        return None;
    }
    Some(usize::try_from(value).unwrap_or(usize::MAX))
}

/// The page `offset..offset + limit` of `all`, as DRF's LimitOffsetPagination writes it:
/// links are the request's own absolute URL with `limit` and `offset` replaced (other
/// parameters kept, all sorted by name, as `replace_query_param` re-encodes them).
pub fn limit_offset_page(
    state: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    params: &[(String, String)],
    all: Vec<Value>,
    limit: usize,
    offset: usize,
) -> Value {
    let count = all.len();
    let results: Vec<Value> = all.into_iter().skip(offset).take(limit).collect();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| state.local_addr.to_string());
    let link = |changes: &[(&str, Option<usize>)]| {
        let mut pairs: Vec<(String, String)> = params
            .iter()
            .filter(|(k, _)| !changes.iter().any(|(name, _)| name == k))
            .cloned()
            .collect();
        for (name, value) in changes {
            if let Some(v) = value {
                pairs.push((name.to_string(), v.to_string()));
            }
        }
        // parse_qs groups repeated names; sorted() then orders by name, keeping each name's
        // values in the order given.
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        format!("http://{host}{}?{query}", uri.path())
    };
    let next = (offset.saturating_add(limit) < count)
        .then(|| link(&[("limit", Some(limit)), ("offset", Some(offset + limit))]));
    let previous = match offset {
        0 => None,
        o if o <= limit => Some(link(&[("limit", Some(limit)), ("offset", None)])),
        o => Some(link(&[("limit", Some(limit)), ("offset", Some(o - limit))])),
    };
    serde_json::json!({
        "count": count,
        "next": next,
        "previous": previous,
        "results": results,
    })
}

/// A group type index path segment as Python's `int()` reads it (`-1` too), or `None`.
pub fn parse_index(text: &str) -> Option<i64> {
    crate::validate::python_int(text)
}
