//! One builder per endpoint. Each returns plain data (method, path, query, JSON body) that any
//! HTTP client can send; the host and the key are added by the transport.

use serde_json::Value;

use crate::model::{GroupTypeNames, MetricDraft, MetricPatch};
use crate::usage::GroupRef;

/// HTTP method of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Read.
    Get,
    /// Create.
    Post,
    /// Partial update.
    Patch,
    /// Full update.
    Put,
    /// Delete.
    Delete,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// A request to send, relative to the host.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// HTTP method.
    pub method: Method,
    /// Absolute path starting with `/api/`, ending with `/`.
    pub path: String,
    /// Query parameters, in order.
    pub query: Vec<(&'static str, String)>,
    /// JSON body, if the endpoint takes one.
    pub body: Option<Value>,
}

impl Request {
    /// The path with its query string, ready to append to the host.
    pub fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            return self.path.clone();
        }
        let query: Vec<String> = self
            .query
            .iter()
            .map(|(k, v)| format!("{k}={}", encode_component(v)))
            .collect();
        format!("{}?{}", self.path, query.join("&"))
    }
}

/// A project id as PostHog accepts it in a path: digits, or `@current` for the key's project.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProjectId(String);

impl ProjectId {
    /// Validates user input (trimmed); the error says what is accepted.
    pub fn parse(input: &str) -> Result<ProjectId, String> {
        let id = input.trim();
        if id == "@current"
            || (!id.is_empty() && id.len() <= 18 && id.bytes().all(|b| b.is_ascii_digit()))
        {
            Ok(ProjectId(id.to_owned()))
        } else if id.is_empty() {
            Err("Enter the project id (a number, found in your project's settings).".into())
        } else {
            Err(
                "A project id is a number, such as 12345 (or @current for the key's project)."
                    .into(),
            )
        }
    }

    /// The id as it goes in the path.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ProjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters, so an id from the server
/// or the URL can never change the path it is put in.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn groups_path(project: &ProjectId, rest: &str) -> String {
    format!("/api/projects/{}/groups_types/{rest}", project.as_str())
}

fn metrics_path(project: &ProjectId, index: u32, id: Option<&str>) -> String {
    match id {
        Some(id) => groups_path(
            project,
            &format!("{index}/metrics/{}/", encode_component(id)),
        ),
        None => groups_path(project, &format!("{index}/metrics/")),
    }
}

fn json<T: serde::Serialize>(value: &T) -> Option<Value> {
    // Serialising these plain structs cannot fail: no maps with non-string keys, no floats.
    serde_json::to_value(value).ok()
}

/// Endpoint 1: `GET groups_types/`.
pub fn list_group_types(project: &ProjectId) -> Request {
    Request {
        method: Method::Get,
        path: groups_path(project, ""),
        query: vec![],
        body: None,
    }
}

/// Whether `req` is endpoint 1, the group type list (whose last answer also names types on
/// screens that do not read it).
pub fn is_group_type_list(req: &Request) -> bool {
    req.method == Method::Get
        && req.query.is_empty()
        && req.path.starts_with("/api/projects/")
        && req.path.ends_with("/groups_types/")
        && req.path.matches('/').count() == 5
}

/// Endpoint 2: `DELETE groups_types/{index}/`.
pub fn delete_group_type(project: &ProjectId, index: u32) -> Request {
    Request {
        method: Method::Delete,
        path: groups_path(project, &format!("{index}/")),
        query: vec![],
        body: None,
    }
}

/// Endpoint 3: `GET groups_types/{index}/metrics/?limit=&offset=`.
pub fn list_metrics(project: &ProjectId, index: u32, limit: u64, offset: u64) -> Request {
    Request {
        method: Method::Get,
        path: metrics_path(project, index, None),
        query: vec![("limit", limit.to_string()), ("offset", offset.to_string())],
        body: None,
    }
}

/// Endpoint 4: `POST groups_types/{index}/metrics/`.
pub fn create_metric(project: &ProjectId, index: u32, draft: &MetricDraft) -> Request {
    Request {
        method: Method::Post,
        path: metrics_path(project, index, None),
        query: vec![],
        body: json(draft),
    }
}

/// Endpoint 5: `GET groups_types/{index}/metrics/{id}/`.
pub fn get_metric(project: &ProjectId, index: u32, id: &str) -> Request {
    Request {
        method: Method::Get,
        path: metrics_path(project, index, Some(id)),
        query: vec![],
        body: None,
    }
}

/// Endpoint 6: `PATCH groups_types/{index}/metrics/{id}/` with only the changed fields.
pub fn update_metric(project: &ProjectId, index: u32, id: &str, patch: &MetricPatch) -> Request {
    Request {
        method: Method::Patch,
        path: metrics_path(project, index, Some(id)),
        query: vec![],
        body: json(patch),
    }
}

/// `PUT groups_types/{index}/metrics/{id}/`: full update (on the server, not in the published list).
pub fn replace_metric(project: &ProjectId, index: u32, id: &str, draft: &MetricDraft) -> Request {
    Request {
        method: Method::Put,
        path: metrics_path(project, index, Some(id)),
        query: vec![],
        body: json(draft),
    }
}

/// Endpoint 7: `DELETE groups_types/{index}/metrics/{id}/`.
pub fn delete_metric(project: &ProjectId, index: u32, id: &str) -> Request {
    Request {
        method: Method::Delete,
        path: metrics_path(project, index, Some(id)),
        query: vec![],
        body: None,
    }
}

/// Endpoint 8: `PATCH groups_types/update_metadata/` with one row per renamed group type.
/// An empty slice is the harmless permission probe of the contract.
pub fn update_metadata(project: &ProjectId, rows: &[GroupTypeNames]) -> Request {
    Request {
        method: Method::Patch,
        path: groups_path(project, "update_metadata/"),
        query: vec![],
        body: json(&rows),
    }
}

/// `GET /api/personal_api_keys/@current/`: the key's own record (scopes, projects), readable
/// by any personal key without a scope. Not under a project.
pub fn current_key() -> Request {
    Request {
        method: Method::Get,
        path: "/api/personal_api_keys/@current/".into(),
        query: vec![],
        body: None,
    }
}

/// `GET groups/?group_type_index=&search=&cursor=`: one page of a type's groups whose name
/// or key matches `search` (all of them when it is blank), from `cursor` on (a `next`
/// link's, see [`crate::usage::cursor_of`]).
pub fn list_groups(
    project: &ProjectId,
    group_type_index: u32,
    search: &str,
    cursor: Option<&str>,
) -> Request {
    let mut query = vec![("group_type_index", group_type_index.to_string())];
    let search = search.trim();
    if !search.is_empty() {
        query.push(("search", search.to_owned()));
    }
    if let Some(c) = cursor {
        query.push(("cursor", c.to_owned()));
    }
    Request {
        method: Method::Get,
        path: format!("/api/projects/{}/groups/", project.as_str()),
        query,
        body: None,
    }
}

/// The kind of query PostHog's group page runs for its usage metrics.
pub const USAGE_METRICS_QUERY: &str = "UsageMetricsQuery";

/// `POST query/` with a `UsageMetricsQuery` for one group: every metric PostHog computes for
/// it, in one request. A read, though it is a POST.
pub fn usage_metrics(project: &ProjectId, group: &GroupRef) -> Request {
    Request {
        method: Method::Post,
        path: format!("/api/projects/{}/query/", project.as_str()),
        query: vec![],
        body: Some(serde_json::json!({
            "query": {
                "kind": USAGE_METRICS_QUERY,
                "group_type_index": group.index,
                "group_key": group.key,
            }
        })),
    }
}

/// Whether `req` is a [`usage_metrics`] query: it changes nothing, so it is cached and
/// retried as a read, and drops no kept answer.
pub fn is_usage_metrics_query(req: &Request) -> bool {
    req.method == Method::Post
        && req.path.ends_with("/query/")
        && req
            .body
            .as_ref()
            .and_then(|b| b.get("query"))
            .and_then(|q| q.get("kind"))
            .and_then(Value::as_str)
            == Some(USAGE_METRICS_QUERY)
}
