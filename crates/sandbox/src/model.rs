//! The stored data, serialised with exactly the field names of the contract.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// A group type mapping, as `GET groups_types/` returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupType {
    /// Key used in code (`organization`); read-only.
    pub group_type: String,
    /// Position 0..=4; read-only.
    pub group_type_index: i64,
    /// Display name, singular.
    #[serde(default)]
    pub name_singular: Option<String>,
    /// Display name, plural.
    #[serde(default)]
    pub name_plural: Option<String>,
    /// Dashboard id, read-only for clients.
    #[serde(default)]
    pub detail_dashboard: Option<i64>,
    /// Column names, read-only for clients.
    #[serde(default)]
    pub default_columns: Option<Vec<String>>,
    /// ISO time the mapping appeared.
    #[serde(default)]
    pub created_at: Option<String>,
}

/// A usage metric, as the metrics endpoints return it (field order as in the contract).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// UUID string.
    pub id: String,
    /// Unique per (project, group type index).
    pub name: String,
    /// `numeric` or `currency`.
    pub format: String,
    /// Days.
    pub interval: i64,
    /// `number` or `sparkline`.
    pub display: String,
    /// `count` or `sum`.
    pub math: String,
    /// Property summed when math is `sum`.
    pub math_property: Option<String>,
    /// Stored exactly as given, unknown keys and key order included.
    pub filters: Value,
}

/// One project with its group types and metrics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Project {
    /// Numeric project id.
    pub id: i64,
    /// Display name (the API does not expose it; it helps reading the state).
    pub name: String,
    /// Kept sorted by `group_type_index`.
    pub group_types: Vec<GroupType>,
    /// Metrics by group type index, each list in creation order.
    pub metrics: BTreeMap<i64, Vec<Metric>>,
}

impl Project {
    /// The metrics stored at one group type index (empty when none).
    pub fn metrics_at(&self, index: i64) -> &[Metric] {
        self.metrics.get(&index).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// Everything the API can change: the projects.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Store {
    /// Projects by id.
    #[serde(serialize_with = "projects_as_list")]
    pub projects: BTreeMap<i64, Project>,
}

fn projects_as_list<S: serde::Serializer>(
    projects: &BTreeMap<i64, Project>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(projects.values())
}

/// A personal API key the sandbox accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKey {
    /// The secret (`phx_...`); never logged.
    pub value: String,
    /// Granted scopes (`*`, `group:read`, `usage_metric:write`, ...).
    pub scopes: Vec<String>,
    /// Projects the key is limited to; `None` means all.
    pub projects: Option<Vec<i64>>,
}

impl ApiKey {
    /// Whether the key grants `required` (`write` implies `read`, `*` grants all).
    pub fn has_scope(&self, required: &str) -> bool {
        let (object, action) = required.split_once(':').unwrap_or((required, ""));
        self.scopes.iter().any(|s| {
            s == "*"
                || s == required
                || (action == "read" && s.split_once(':') == Some((object, "write")))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(scopes: &[&str]) -> ApiKey {
        ApiKey {
            value: "k".into(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            projects: None,
        }
    }

    #[test]
    fn write_implies_read_and_star_grants_all() {
        assert!(key(&["usage_metric:write"]).has_scope("usage_metric:read"));
        assert!(!key(&["usage_metric:read"]).has_scope("usage_metric:write"));
        assert!(!key(&["group:write"]).has_scope("usage_metric:read"));
        assert!(key(&["*"]).has_scope("group:write"));
    }
}
