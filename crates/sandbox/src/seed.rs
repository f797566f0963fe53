//! Seed files: the keys and projects a sandbox starts with, validated with the same rules the
//! API applies, so a seed can never hold data the API would refuse.

use crate::clock::iso_utc;
use crate::error::Error;
use crate::model::{
    Action, ApiKey, Group, GroupType, Metric, Organization, Project, Store, WarehouseTable,
    DEFAULT_ORGANIZATION_ID,
};
use crate::validate::{validate_metric, Context, Mode};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

/// The built-in demo seed, used when no `--seed` is given.
pub const DEMO_SEED: &str = include_str!("../seed/demo.json");
/// How messages name the built-in seed.
pub const DEMO_SEED_NAME: &str = "<built-in demo seed>";
/// PostHog allows at most this many group types per project.
pub const MAX_GROUP_TYPES: usize = 5;
/// PostHog's `PersonalAPIKey.label` is a `CharField(max_length=40)`.
pub const MAX_LABEL_CHARS: usize = 40;
/// PostHog's `PersonalAPIKey.id` is a `CharField(max_length=50)`.
pub const MAX_KEY_ID_CHARS: usize = 50;
/// `created_at` of the first seed key (2026-01-05T10:00:00Z); each next key is a day younger.
const FIRST_KEY_CREATED_UNIX: u64 = 1_767_607_200;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFile {
    #[serde(default, rename = "$comment")]
    _comment: Option<Value>,
    #[serde(default)]
    keys: Vec<SeedKey>,
    #[serde(default)]
    organizations: Vec<Organization>,
    #[serde(default)]
    projects: Vec<SeedProject>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedKey {
    key: String,
    scopes: Vec<String>,
    #[serde(default)]
    projects: Option<Vec<i64>>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedProject {
    id: i64,
    name: String,
    #[serde(default)]
    organization: Option<String>,
    #[serde(default)]
    dashboards: Vec<i64>,
    #[serde(default)]
    warehouse_tables: Vec<WarehouseTable>,
    #[serde(default)]
    groups: BTreeMap<String, Vec<Group>>,
    #[serde(default)]
    actions: Vec<Action>,
    #[serde(default)]
    test_account_filters: Vec<Value>,
    #[serde(default)]
    group_types: Vec<GroupType>,
    #[serde(default)]
    metrics: BTreeMap<String, Vec<Value>>,
    /// What generated numbers are multiplied by (default 1).
    #[serde(default)]
    value_scale: Option<f64>,
}

/// A validated seed: the keys and the initial store.
#[derive(Debug, Clone)]
pub struct Seed {
    /// Accepted personal API keys.
    pub keys: Vec<ApiKey>,
    /// Initial projects.
    pub store: Store,
}

/// Read the seed file, or the demo seed when `path` is `None`.
pub fn load_seed(path: Option<&Path>) -> Result<Seed, Error> {
    match path {
        None => parse_seed(DEMO_SEED, DEMO_SEED_NAME),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| Error::bad_file(p, format!("cannot read seed file: {e}")))?;
            parse_seed(&text, &p.display().to_string())
        }
    }
}

/// Parse and validate seed text; `file` names it in messages.
pub fn parse_seed(text: &str, file: &str) -> Result<Seed, Error> {
    let raw: SeedFile = serde_json::from_str(text)
        .map_err(|e| Error::bad_data(file, format!("invalid seed JSON: {e}")))?;
    let store = build_store(raw.organizations, raw.projects, file)?;
    let keys = build_keys(raw.keys).map_err(|p| Error::bad_data(file, p))?;
    if keys.is_empty() {
        return Err(Error::bad_data(
            file,
            "the seed has no keys: add at least one under \"keys\"",
        ));
    }
    Ok(Seed { keys, store })
}

/// Read a persisted state file (`{"projects": [...]}`); `Ok(None)` when it does not exist yet.
pub fn load_state(path: &Path) -> Result<Option<Store>, Error> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Error::bad_file(
                path,
                format!("cannot read state file: {e}"),
            ))
        }
    };
    let raw: SeedFile = serde_json::from_str(&text)
        .map_err(|e| Error::bad_file(path, format!("invalid state JSON: {e}")))?;
    build_store(raw.organizations, raw.projects, &path.display().to_string()).map(Some)
}

fn build_keys(raw: Vec<SeedKey>) -> Result<Vec<ApiKey>, String> {
    let mut seen = HashSet::new();
    let mut ids = HashSet::new();
    let mut keys = Vec::new();
    for (i, k) in raw.into_iter().enumerate() {
        let at = format!("keys[{i}]");
        if k.key.trim().is_empty() || k.key.chars().any(char::is_whitespace) {
            return Err(format!("{at}: key must be non-empty and without spaces"));
        }
        if !seen.insert(k.key.clone()) {
            return Err(format!("{at}: the same key appears twice"));
        }
        if k.scopes.is_empty() {
            return Err(format!(
                "{at}: scopes must not be empty (use [\"*\"] for all)"
            ));
        }
        for scope in &k.scopes {
            let valid = scope == "*"
                || scope
                    .split_once(':')
                    .is_some_and(|(o, a)| !o.is_empty() && (a == "read" || a == "write"));
            if !valid {
                return Err(format!(
                    "{at}: scope {scope:?} is not \"*\" or \"object:read\"/\"object:write\""
                ));
            }
        }
        if k.projects.as_ref().is_some_and(Vec::is_empty) {
            return Err(format!(
                "{at}: projects must not be empty (leave it out for all projects)"
            ));
        }
        let label = match k.label {
            Some(label) => {
                let chars = label.chars().count();
                if label.trim().is_empty() || chars > MAX_LABEL_CHARS {
                    return Err(format!(
                        "{at}: label must be 1 to {MAX_LABEL_CHARS} characters, not blank"
                    ));
                }
                label
            }
            None => default_label(i, k.note.as_deref()),
        };
        let id = match k.id {
            Some(id) => {
                let url_safe = id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                if id.is_empty() || id.len() > MAX_KEY_ID_CHARS || !url_safe {
                    return Err(format!(
                        "{at}: id must be 1 to {MAX_KEY_ID_CHARS} characters from A-Z, a-z, 0-9, - and _"
                    ));
                }
                id
            }
            None => default_key_id(i),
        };
        if !ids.insert(id.clone()) {
            return Err(format!("{at}: key id {id:?} is used twice"));
        }
        let created = FIRST_KEY_CREATED_UNIX + 86_400 * i as u64;
        keys.push(ApiKey {
            id,
            label,
            value: k.key,
            created_at: iso_utc(UNIX_EPOCH + Duration::from_secs(created)),
            scopes: k.scopes,
            projects: k.projects,
        });
    }
    Ok(keys)
}

/// The label of a seed key without one: its note (cut to PostHog's 40 characters), else
/// "Personal API key N" counting from 1.
fn default_label(index: usize, note: Option<&str>) -> String {
    match note.map(str::trim).filter(|n| !n.is_empty()) {
        Some(note) => note.chars().take(MAX_LABEL_CHARS).collect(),
        None => format!("Personal API key {}", index + 1),
    }
}

/// The id of a seed key without one: UUID-shaped and stable across restarts, so a test or a
/// cached answer can name it (PostHog's own ids are random tokens; clients treat them as opaque).
fn default_key_id(index: usize) -> String {
    format!("5eed0000-0000-4000-8000-{:012}", index + 1)
}

fn build_store(
    organizations: Vec<Organization>,
    raw: Vec<SeedProject>,
    file: &str,
) -> Result<Store, Error> {
    let mut store = Store {
        organizations: build_organizations(organizations).map_err(|p| Error::bad_data(file, p))?,
        ..Store::default()
    };
    // Projects that name no organization belong to the first one listed.
    let first_org = store.organizations.values().next().map(|o| o.id.clone());
    let first_org = first_org.unwrap_or_else(|| DEFAULT_ORGANIZATION_ID.to_string());
    let mut metric_ids = HashSet::new();
    let mut dashboard_ids = HashSet::new();
    for p in raw {
        let at = format!("project {}", p.id);
        let fail = |problem: String| Error::bad_data(file, format!("{at}: {problem}"));
        if p.id < 1 {
            return Err(fail("project ids must be positive integers".into()));
        }
        if store.projects.contains_key(&p.id) {
            return Err(fail("the same project id appears twice".into()));
        }
        let organization = p.organization.unwrap_or_else(|| first_org.clone());
        if !store.organizations.contains_key(&organization) {
            return Err(fail(format!(
                "organization {organization:?} is not among \"organizations\""
            )));
        }
        let group_types = check_group_types(p.group_types).map_err(fail)?;
        let tables = check_tables(p.warehouse_tables).map_err(fail)?;
        // A group type's detail dashboard is a dashboard of its project.
        let mut dashboards = p.dashboards;
        dashboards.extend(group_types.iter().filter_map(|g| g.detail_dashboard));
        dashboards.sort_unstable();
        dashboards.dedup();
        for id in &dashboards {
            if *id < 1 || !dashboard_ids.insert(*id) {
                return Err(fail(format!(
                    "dashboard {id} must be a positive id used by one project only"
                )));
            }
        }
        let ctx = Context { tables: &tables };
        let mut metrics = BTreeMap::new();
        for (index_text, list) in p.metrics {
            let index: i64 = index_text.parse().ok().filter(|i| *i >= 0).ok_or_else(|| {
                fail(format!(
                    "metrics key {index_text:?} is not a group type index (0, 1, ...)"
                ))
            })?;
            let built = build_metrics(list, &mut metric_ids, ctx)
                .map_err(|m| fail(format!("metrics[\"{index}\"]{m}")))?;
            metrics.insert(index, built);
        }
        let groups = check_groups(p.groups).map_err(fail)?;
        let value_scale = match p.value_scale {
            None => 1.0,
            Some(v) if v.is_finite() && v > 0.0 => v,
            Some(v) => return Err(fail(format!("value_scale {v}: a positive number"))),
        };
        let mut project = Project {
            id: p.id,
            name: p.name,
            organization,
            dashboards,
            warehouse_tables: tables,
            groups,
            actions: p.actions,
            test_account_filters: p.test_account_filters,
            group_types,
            metrics,
            value_scale,
            event_definitions: Vec::new(),
            property_definitions: Vec::new(),
        };
        (project.event_definitions, project.property_definitions) =
            crate::definitions::of_project(&project);
        store.projects.insert(p.id, project);
    }
    Ok(store)
}

/// The seed's organizations (UUID ids, unique; membership `member`, `admin`, `owner` or null),
/// or the one default organization the user administers when the seed lists none.
fn build_organizations(list: Vec<Organization>) -> Result<BTreeMap<String, Organization>, String> {
    let list = if list.is_empty() {
        vec![Organization::default_for_seed()]
    } else {
        list
    };
    let mut out = BTreeMap::new();
    for (i, org) in list.into_iter().enumerate() {
        let at = format!("organizations[{i}]");
        if uuid::Uuid::parse_str(&org.id).is_err() {
            return Err(format!("{at}: id {:?} is not a UUID", org.id));
        }
        if org.name.trim().is_empty() {
            return Err(format!("{at}: name must not be blank"));
        }
        if let Some(level) = &org.membership {
            if !["member", "admin", "owner"].contains(&level.as_str()) {
                return Err(format!(
                    "{at}: membership {level:?} is not \"member\", \"admin\", \"owner\" or null"
                ));
            }
        }
        if out.insert(org.id.clone(), org).is_some() {
            return Err(format!("{at}: the same organization id appears twice"));
        }
    }
    Ok(out)
}

/// A project's groups: keys are group type indexes 0–4, group keys non-empty and unique per
/// type, `created_at` an ISO time.
fn check_groups(raw: BTreeMap<String, Vec<Group>>) -> Result<BTreeMap<i64, Vec<Group>>, String> {
    let mut out = BTreeMap::new();
    for (index_text, list) in raw {
        let index: i64 = index_text
            .parse()
            .ok()
            .filter(|i| (0..MAX_GROUP_TYPES as i64).contains(i))
            .ok_or_else(|| format!("groups key {index_text:?} is not a group type index 0 to 4"))?;
        let mut keys = HashSet::new();
        for g in &list {
            if g.group_key.is_empty() || !keys.insert(g.group_key.clone()) {
                return Err(format!(
                    "groups[\"{index}\"]: key {:?} is empty or used twice",
                    g.group_key
                ));
            }
            if crate::usage::parse_time(&g.created_at).is_none() {
                return Err(format!(
                    "groups[\"{index}\"] {:?}: created_at must be an ISO time like 2024-01-19T11:05:37Z",
                    g.group_key
                ));
            }
        }
        out.insert(index, list);
    }
    Ok(out)
}

/// A project's data-warehouse tables: names non-empty and unique, columns non-empty.
fn check_tables(tables: Vec<WarehouseTable>) -> Result<Vec<WarehouseTable>, String> {
    let mut names = HashSet::new();
    for t in &tables {
        if t.name.trim().is_empty() || t.columns.iter().any(|c| c.trim().is_empty()) {
            return Err(format!(
                "warehouse table {:?}: name and columns must not be blank",
                t.name
            ));
        }
        if !names.insert(t.name.clone()) {
            return Err(format!("warehouse table {:?} appears twice", t.name));
        }
    }
    Ok(tables)
}

fn check_group_types(mut list: Vec<GroupType>) -> Result<Vec<GroupType>, String> {
    if list.len() > MAX_GROUP_TYPES {
        return Err(format!(
            "{} group types, but a project holds at most {MAX_GROUP_TYPES}",
            list.len()
        ));
    }
    let mut indexes = HashSet::new();
    let mut names = HashSet::new();
    for gt in &list {
        let at = format!("group type {:?}", gt.group_type);
        if !(0..MAX_GROUP_TYPES as i64).contains(&gt.group_type_index) {
            return Err(format!("{at}: group_type_index must be 0 to 4"));
        }
        if !indexes.insert(gt.group_type_index) {
            return Err(format!(
                "{at}: group_type_index {} is used twice",
                gt.group_type_index
            ));
        }
        if gt.group_type.is_empty() || gt.group_type.chars().count() > 400 {
            return Err(format!("{at}: group_type must be 1 to 400 characters"));
        }
        if !names.insert(gt.group_type.clone()) {
            return Err(format!("{at}: group_type is used twice"));
        }
        for (attr, name) in [
            ("name_singular", &gt.name_singular),
            ("name_plural", &gt.name_plural),
        ] {
            if name.as_deref().is_some_and(|n| n.chars().count() > 400) {
                return Err(format!("{at}: {attr} is longer than 400 characters"));
            }
        }
    }
    list.sort_by_key(|gt| gt.group_type_index);
    Ok(list)
}

fn build_metrics(
    list: Vec<Value>,
    ids: &mut HashSet<String>,
    ctx: Context<'_>,
) -> Result<Vec<Metric>, String> {
    let mut names = HashSet::new();
    let mut out = Vec::new();
    for (i, raw) in list.into_iter().enumerate() {
        let at = format!("[{i}]");
        let mut metric = validate_metric(&raw, Mode::Create, ctx).map_err(|e| {
            let attr = e.attr.clone().unwrap_or_else(|| "metric".into());
            format!("{at}: {attr}: {}", e.detail)
        })?;
        metric.id = match raw.get("id") {
            None => uuid::Uuid::new_v4().to_string(),
            Some(v) => v
                .as_str()
                .and_then(|s| uuid::Uuid::parse_str(s).ok())
                .map(|u| u.to_string())
                .ok_or_else(|| format!("{at}: id {v} is not a UUID"))?,
        };
        if !ids.insert(metric.id.clone()) {
            return Err(format!("{at}: metric id {} is used twice", metric.id));
        }
        if !names.insert(metric.name.clone()) {
            return Err(format!(
                "{at}: duplicate metric name {:?} in this group type",
                metric.name
            ));
        }
        out.push(metric);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worst-case seed (issue 27) passes the API's own checks, and its numbers are scaled.
    #[test]
    fn worst_case_seed_is_valid_and_scales_its_numbers() {
        let seed = parse_seed(include_str!("../seed/worst-case.json"), "worst-case.json")
            .expect("worst-case seed loads");
        let project = &seed.store.projects[&1];
        assert_eq!(project.group_types.len(), 5);
        assert_eq!(project.metrics_at(0).len(), 40);
        assert!(project
            .metrics_at(0)
            .iter()
            .any(|m| m.name.chars().count() == 255));
        assert_eq!(project.value_scale, 1e9);
        let bad = include_str!("../seed/worst-case.json")
            .replace("\"value_scale\": 1000000000", "\"value_scale\": -1");
        assert!(
            parse_seed(&bad, "bad.json").is_err(),
            "a negative scale is refused"
        );
        let demo = load_seed(None).expect("demo seed loads");
        assert_eq!(demo.store.projects[&1].value_scale, 1.0);
    }

    #[test]
    fn demo_seed_is_valid_and_has_the_documented_layout() {
        let seed = load_seed(None).expect("demo seed loads");
        assert_eq!(seed.keys.len(), 5);
        let demo = &seed.store.projects[&1];
        assert_eq!(demo.group_types.len(), 4);
        let counts: Vec<usize> = (0..4).map(|i| demo.metrics_at(i).len()).collect();
        assert_eq!(counts, [61, 4, 0, 0]);
        let all = demo.metrics_at(0);
        for (field, values) in [
            ("format", ["numeric", "currency"]),
            ("display", ["number", "sparkline"]),
            ("math", ["count", "sum"]),
        ] {
            for v in values {
                let present = all.iter().any(|m| {
                    let json = serde_json::to_value(m).unwrap_or_default();
                    json[field] == v
                });
                assert!(present, "{field} {v}");
            }
        }
        let warehouse = all
            .iter()
            .filter(|m| m.filters["source"] == "data_warehouse")
            .count();
        assert!(warehouse >= 2);
        for interval in [7, 30, 90, 14] {
            assert!(all.iter().any(|m| m.interval == interval));
        }
        assert!(seed.store.projects[&2].group_types.is_empty());
    }

    #[test]
    fn key_rules() {
        let text = |keys: &str| format!("{{\"keys\": {keys}, \"projects\": []}}");
        for (keys, needle) in [
            (
                r#"[{"key": "a", "scopes": []}]"#,
                "scopes must not be empty",
            ),
            (r#"[{"key": "a", "scopes": ["group:admin"]}]"#, "is not"),
            (
                r#"[{"key": "a", "scopes": ["*"]}, {"key": "a", "scopes": ["*"]}]"#,
                "twice",
            ),
            (
                r#"[{"key": "a", "scopes": ["*"], "projects": []}]"#,
                "projects must not be empty",
            ),
            (r#"[{"key": "a", "scopes": ["*"], "label": " "}]"#, "label"),
            (
                r#"[{"key": "a", "scopes": ["*"], "label": "12345678901234567890123456789012345678901"}]"#,
                "label must be 1 to 40",
            ),
            (r#"[{"key": "a", "scopes": ["*"], "id": ""}]"#, "id must be"),
            (
                r#"[{"key": "a", "scopes": ["*"], "id": "a/b"}]"#,
                "id must be",
            ),
            (
                r#"[{"key": "a", "scopes": ["*"], "id": "@current"}]"#,
                "id must be",
            ),
            (
                r#"[{"key": "a", "scopes": ["*"], "id": "k"}, {"key": "b", "scopes": ["*"], "id": "k"}]"#,
                "used twice",
            ),
            (
                r#"[{"key": "a", "scopes": ["*"]}, {"key": "b", "scopes": ["*"], "id": "5eed0000-0000-4000-8000-000000000001"}]"#,
                "used twice",
            ),
            (
                r#"[{"key": "a", "scopes": ["*"], "lable": "x"}]"#,
                "unknown field",
            ),
        ] {
            let err = parse_seed(&text(keys), "s.json").unwrap_err().to_string();
            assert!(
                err.starts_with("s.json: keys[") || needle == "unknown field",
                "{err}"
            );
            assert!(err.contains(needle), "{err}");
        }
    }

    #[test]
    fn key_labels_and_ids_default_stably() {
        let seed = parse_seed(
            r#"{"keys": [
                {"key": "a", "scopes": ["*"]},
                {"key": "b", "scopes": ["*"], "note": "  a note longer than forty characters, cut there  "},
                {"key": "c", "scopes": ["*"], "label": "Mine", "id": "Abc_123-x", "note": "ignored"}
            ]}"#,
            "s.json",
        )
        .expect("seed loads");
        let got: Vec<(&str, &str, &str)> = seed
            .keys
            .iter()
            .map(|k| (k.label.as_str(), k.id.as_str(), k.created_at.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "Personal API key 1",
                    "5eed0000-0000-4000-8000-000000000001",
                    "2026-01-05T10:00:00Z"
                ),
                (
                    "a note longer than forty characters, cut",
                    "5eed0000-0000-4000-8000-000000000002",
                    "2026-01-06T10:00:00Z"
                ),
                ("Mine", "Abc_123-x", "2026-01-07T10:00:00Z"),
            ]
        );
        let demo = load_seed(None).expect("demo seed loads");
        assert!(demo
            .keys
            .iter()
            .all(|k| k.label.starts_with(char::is_uppercase)
                && !k.label.starts_with("Personal API key")));
    }
}
