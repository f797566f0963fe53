//! The stored data, serialised with exactly the field names of the contract.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
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

/// A usage metric, as the metrics endpoints return it, fields in the order of
/// `GroupUsageMetricSerializer.Meta.fields` (the contract's example has `filters` last).
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
    /// Stored exactly as given, unknown keys and key order included.
    pub filters: Value,
    /// `count` or `sum`.
    pub math: String,
    /// Property summed when math is `sum`.
    pub math_property: Option<String>,
}

/// A data-warehouse table of a project: what a `data_warehouse` metric names in
/// `filters.table_name` (PostHog looks it up by exact name among the project's tables that are
/// not deleted, `products/warehouse_sources`' `DataWarehouseTable`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarehouseTable {
    /// Table name as HogQL sees it (`stripe_charges`).
    pub name: String,
    /// Column names. PostHog does not check `timestamp_field`/`key_field` against them (both may
    /// be HogQL expressions); they are here for reading and for computing values.
    #[serde(default)]
    pub columns: Vec<String>,
}

/// A group of a type, as `GET groups/` returns it (without its `group_type_index`, which the
/// project's map gives).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// The key events carry in `$group_<index>`.
    pub group_key: String,
    /// Properties; PostHog's UI and search use `name`.
    #[serde(default)]
    pub group_properties: Map<String, Value>,
    /// ISO time the group appeared.
    pub created_at: String,
}

/// An action: a named set of steps, each an event name and properties (PostHog's `Action`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// Numeric id, as metrics' `filters.actions[].id` names it.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// The steps: an event matches the action when it matches any step.
    pub steps: Vec<ActionStep>,
}

/// One step of an [`Action`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionStep {
    /// Event name; null matches any event.
    #[serde(default)]
    pub event: Option<String>,
    /// Property filters of the step.
    #[serde(default)]
    pub properties: Value,
}

/// An organization: projects belong to one; the sandbox's one user belongs to some.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// UUID string, as PostHog's `Organization.id`.
    pub id: String,
    /// Display name (PostHog quotes it in the personal-key restriction message).
    pub name: String,
    /// The user's membership level (`member`, `admin`, `owner`), or null: not a member, so
    /// every project of it answers "You don't have access to the project.".
    #[serde(default)]
    pub membership: Option<String>,
    /// PostHog's `members_can_use_personal_api_keys` (an organization security setting): when
    /// false, a member below admin may not use personal keys on its projects.
    #[serde(default = "yes")]
    pub members_can_use_personal_api_keys: bool,
}

fn yes() -> bool {
    true
}

impl Organization {
    /// The organization every project of a seed without organizations belongs to.
    pub fn default_for_seed() -> Self {
        Organization {
            id: DEFAULT_ORGANIZATION_ID.into(),
            name: "Sandbox organization".into(),
            membership: Some("admin".into()),
            members_can_use_personal_api_keys: true,
        }
    }

    /// Whether the user is at least an admin (admins may always use personal keys).
    pub fn user_is_admin(&self) -> bool {
        matches!(self.membership.as_deref(), Some("admin" | "owner"))
    }
}

/// Id of [`Organization::default_for_seed`].
pub const DEFAULT_ORGANIZATION_ID: &str = "0190e0a0-0000-7000-8000-000000000001";

/// One project with its group types and metrics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Project {
    /// Numeric project id.
    pub id: i64,
    /// Display name (the API does not expose it; it helps reading the state).
    pub name: String,
    /// Id of the organization the project belongs to.
    pub organization: String,
    /// Dashboard ids of this project (a `detail_dashboard` sent to update_metadata must name
    /// one; the group types' own are among them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dashboards: Vec<i64>,
    /// Data-warehouse tables (data-warehouse metrics must name one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warehouse_tables: Vec<WarehouseTable>,
    /// The project's groups by group type index (for `GET groups/` and metric values).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub groups: BTreeMap<i64, Vec<Group>>,
    /// Actions metrics may name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<Action>,
    /// The project's test-account filters (property filters), which `filter_test_accounts`
    /// adds to a metric's filters.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub test_account_filters: Vec<Value>,
    /// Kept sorted by `group_type_index`.
    pub group_types: Vec<GroupType>,
    /// Metrics by group type index, each list in creation order.
    pub metrics: BTreeMap<i64, Vec<Metric>>,
    /// The events the project has seen, taken from the seed's event store (see
    /// [`crate::definitions`]): a metric saved later does not add one. Not saved with the
    /// state (a saved state is read back as a seed, which derives them again from its metrics).
    #[serde(skip)]
    pub event_definitions: Vec<crate::definitions::EventDefinition>,
    /// The event properties the project has seen, with the events they came with.
    #[serde(skip)]
    pub property_definitions: Vec<crate::definitions::PropertyDefinition>,
    /// What every generated number (event properties, warehouse columns) is multiplied by:
    /// 1 in the demo; a worst-case seed sets 1e9 for 12-digit values.
    #[serde(skip_serializing_if = "is_one")]
    pub value_scale: f64,
}

/// Whether a scale is the default (left out of a saved state).
fn is_one(v: &f64) -> bool {
    *v == 1.0
}

impl Project {
    /// The metrics stored at one group type index (empty when none).
    pub fn metrics_at(&self, index: i64) -> &[Metric] {
        self.metrics.get(&index).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// Everything the API can change (the projects), and the organizations they belong to.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Store {
    /// Organizations by id.
    #[serde(serialize_with = "organizations_as_list")]
    pub organizations: BTreeMap<String, Organization>,
    /// Projects by id.
    #[serde(serialize_with = "projects_as_list")]
    pub projects: BTreeMap<i64, Project>,
}

fn organizations_as_list<S: serde::Serializer>(
    organizations: &BTreeMap<String, Organization>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(organizations.values())
}

impl Store {
    /// The organization of a project.
    pub fn organization_of(&self, project: &Project) -> Option<&Organization> {
        self.organizations.get(&project.organization)
    }
}

fn projects_as_list<S: serde::Serializer>(
    projects: &BTreeMap<i64, Project>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(projects.values())
}

/// The user every seed key belongs to: the sandbox has one user, as a personal key has one.
pub const SEED_USER_ID: i64 = 1;

/// A personal API key the sandbox accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKey {
    /// The key's record id (PostHog's `PersonalAPIKey.id`; not secret, unlike `value`).
    pub id: String,
    /// Name the user gave the key (at most 40 characters, as PostHog's model allows).
    pub label: String,
    /// The secret (`phx_...`); never logged.
    pub value: String,
    /// ISO time the key was created.
    pub created_at: String,
    /// Granted scopes (`*`, `group:read`, `usage_metric:write`, ...).
    pub scopes: Vec<String>,
    /// Projects the key is limited to; `None` means all.
    pub projects: Option<Vec<i64>>,
}

impl ApiKey {
    /// The key as PostHog shows it once created: `phx_...abcd` (see [`mask_key_value`]).
    pub fn mask_value(&self) -> String {
        mask_key_value(&self.value)
    }

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

/// PostHog's `mask_key_value` (posthog/models/utils.py): the first 4 and last 4 characters
/// around `...`, or `********` for a value under 16 characters, which the edges would give away.
pub fn mask_key_value(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() < 16 {
        return "********".into();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}...{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(scopes: &[&str]) -> ApiKey {
        ApiKey {
            id: "id".into(),
            label: "label".into(),
            value: "k".into(),
            created_at: "2026-01-05T10:00:00Z".into(),
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

    #[test]
    fn masks_like_posthog() {
        assert_eq!(mask_key_value("phx_sandbox_read_only"), "phx_...only");
        assert_eq!(mask_key_value("phx_0123456789a"), "********");
        assert_eq!(mask_key_value("phx_0123456789ab"), "phx_...89ab");
    }
}
