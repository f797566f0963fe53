//! How two configurations differ (group types side by side by index, metrics matched by
//! name), and the plan: the requests that bring the target in line with what the user ticked.
//! A plan is always made from a fresh comparison, so applying it again after a partial run
//! sends only what still differs.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::capability::{Access, Capabilities};
use crate::configuration::{MetricConfig, ProjectConfig, TypeConfig};
use crate::model::{GroupTypeNames, MetricPatch, GROUP_TYPE_SLOTS};
use crate::project_metrics::SETTINGS_INDEX;
use crate::request::{self, Method, ProjectId, Request};

/// How one index's group types compare.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeStatus {
    /// Same key, same names.
    Same,
    /// Same key; the names differ (a rename can carry them over).
    Renamed,
    /// The source's key is not in the target at all. The API cannot create group types: the
    /// first event sent with this key creates it, at the next free index.
    Missing,
    /// Only the target has a group type at this index.
    OnlyInTarget,
    /// The keys at this index differ, or a key sits at another index: events of one key land
    /// under different indexes in the two projects, so metrics, filters and insights that
    /// name an index mean different things there.
    Clash {
        /// Where the target has the source's key, if elsewhere.
        source_key_in_target: Option<u32>,
        /// Where the source has the target's key, if elsewhere.
        target_key_in_source: Option<u32>,
    },
}

/// One index, side by side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeRow {
    /// The index.
    pub index: u32,
    /// The source's group type there.
    pub source: Option<TypeConfig>,
    /// The target's group type there.
    pub target: Option<TypeConfig>,
    /// How they compare.
    pub status: TypeStatus,
}

/// One field of a metric that differs.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDiff {
    /// The field's name in the API (`interval`, `filters`, …).
    pub field: &'static str,
    /// The source's value.
    pub source: Value,
    /// The target's value.
    pub target: Value,
    /// For `filters`: the JSON paths that differ (`events[0].id`); empty for other fields.
    pub paths: Vec<String>,
}

/// How one metric compares.
#[derive(Clone, Debug, PartialEq)]
pub enum MetricStatus {
    /// Every field the same.
    Same,
    /// These fields differ.
    Changed(Vec<FieldDiff>),
    /// Only the source has it: it can be created in the target.
    Added,
    /// Only the target has it: it can be deleted there.
    Removed,
}

/// One metric name (and, when a side has a name twice, one of its copies).
#[derive(Clone, Debug, PartialEq)]
pub struct MetricRow {
    /// What the user's selection names this row by: the name, with `#2`, `#3`… for later
    /// copies of a name.
    pub key: String,
    /// The metric's name.
    pub name: String,
    /// The source's metric.
    pub source: Option<MetricConfig>,
    /// The target's metric.
    pub target: Option<MetricConfig>,
    /// How they compare.
    pub status: MetricStatus,
}

/// The whole comparison.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Diff {
    /// Indexes 0..4 where either side has a group type.
    pub group_types: Vec<TypeRow>,
    /// Metrics by name: as the source lists them, then the target's own.
    pub metrics: Vec<MetricRow>,
}

impl Diff {
    /// True when nothing differs.
    pub fn is_empty(&self) -> bool {
        self.group_types
            .iter()
            .all(|r| r.status == TypeStatus::Same)
            && self.metrics.iter().all(|r| r.status == MetricStatus::Same)
    }

    /// How many metrics are added, changed and removed.
    pub fn metric_counts(&self) -> (usize, usize, usize) {
        let count =
            |f: fn(&MetricStatus) -> bool| self.metrics.iter().filter(|r| f(&r.status)).count();
        (
            count(|s| matches!(s, MetricStatus::Added)),
            count(|s| matches!(s, MetricStatus::Changed(_))),
            count(|s| matches!(s, MetricStatus::Removed)),
        )
    }

    /// Every change that can be ticked, as a selection (the "tick all" of the screen); a
    /// clash or a missing group type cannot be carried over and is not in it.
    pub fn everything(&self) -> Selection {
        let mut s = Selection::default();
        for r in &self.group_types {
            if r.status == TypeStatus::Renamed {
                s.renames.insert(r.index);
            }
        }
        for r in &self.metrics {
            match r.status {
                MetricStatus::Same => {}
                _ => {
                    s.metrics.insert(r.key.clone());
                }
            }
        }
        s
    }
}

/// Compares `source` with `target`: group types by index, metrics by name. Metrics are the
/// project's (PostHog computes every one on every page), so where each is filed is not a
/// difference; a metric created in the target is filed under index 0, where PostHog's own
/// settings show it.
pub fn diff(source: &ProjectConfig, target: &ProjectConfig) -> Diff {
    Diff {
        group_types: type_rows(&source.group_types, &target.group_types),
        metrics: metric_rows(&source.metrics, &target.metrics),
    }
}

fn type_rows(source: &[TypeConfig], target: &[TypeConfig]) -> Vec<TypeRow> {
    let at = |list: &[TypeConfig], i: u32| list.iter().find(|t| t.index == i).cloned();
    let index_of =
        |list: &[TypeConfig], key: &str| list.iter().find(|t| t.key == key).map(|t| t.index);
    (0..GROUP_TYPE_SLOTS as u32)
        .filter_map(|index| {
            let (s, t) = (at(source, index), at(target, index));
            let status = match (&s, &t) {
                (None, None) => return None,
                (Some(s), Some(t)) if s.key == t.key => {
                    if (&s.singular, &s.plural) == (&t.singular, &t.plural) {
                        TypeStatus::Same
                    } else {
                        TypeStatus::Renamed
                    }
                }
                (Some(s), t) => {
                    let elsewhere = index_of(target, &s.key);
                    match (elsewhere, t) {
                        (None, None) => TypeStatus::Missing,
                        _ => TypeStatus::Clash {
                            source_key_in_target: elsewhere,
                            target_key_in_source: t.as_ref().and_then(|t| index_of(source, &t.key)),
                        },
                    }
                }
                (None, Some(t)) => match index_of(source, &t.key) {
                    None => TypeStatus::OnlyInTarget,
                    found => TypeStatus::Clash {
                        source_key_in_target: None,
                        target_key_in_source: found,
                    },
                },
            };
            Some(TypeRow {
                index,
                source: s,
                target: t,
                status,
            })
        })
        .collect()
}

fn metric_rows(source: &[MetricConfig], target: &[MetricConfig]) -> Vec<MetricRow> {
    let name = |m: &MetricConfig| m.draft.name.trim().to_owned();
    // Two passes, so that copies of a name pair up by index where they can: first the
    // same name under the same index, then the same name anywhere.
    let mut taken = vec![false; target.len()];
    let mut pairs: Vec<Option<usize>> = vec![None; source.len()];
    for same_index in [true, false] {
        for (i, s) in source.iter().enumerate() {
            if pairs[i].is_some() {
                continue;
            }
            pairs[i] = target.iter().enumerate().position(|(j, t)| {
                !taken[j] && name(t) == name(s) && (!same_index || t.index == s.index)
            });
            if let Some(j) = pairs[i] {
                taken[j] = true;
            }
        }
    }
    let mut copies = std::collections::HashMap::<String, usize>::new();
    let mut key_for = |name: &str| {
        let n = copies.entry(name.to_owned()).or_insert(0);
        *n += 1;
        if *n == 1 {
            name.to_owned()
        } else {
            format!("{name} #{n}")
        }
    };
    let mut rows = Vec::new();
    for (s, pair) in source.iter().zip(pairs) {
        let t = pair.map(|j| target[j].clone());
        let status = match &t {
            None => MetricStatus::Added,
            Some(t) => match field_diffs(s, t) {
                d if d.is_empty() => MetricStatus::Same,
                d => MetricStatus::Changed(d),
            },
        };
        rows.push(MetricRow {
            key: key_for(&name(s)),
            name: name(s),
            source: Some(s.clone()),
            target: t,
            status,
        });
    }
    for (t, _) in target.iter().zip(taken).filter(|(_, taken)| !taken) {
        rows.push(MetricRow {
            key: key_for(&name(t)),
            name: name(t),
            source: None,
            target: Some(t.clone()),
            status: MetricStatus::Removed,
        });
    }
    rows
}

fn field_diffs(s: &MetricConfig, t: &MetricConfig) -> Vec<FieldDiff> {
    let (a, b) = (&s.draft, &t.draft);
    let mut out = Vec::new();
    let mut push = |field: &'static str, sv: Value, tv: Value| {
        if sv != tv {
            let mut paths = Vec::new();
            if field == "filters" {
                value_paths(&sv, &tv, "", &mut paths);
            }
            out.push(FieldDiff {
                field,
                source: sv,
                target: tv,
                paths,
            });
        }
    };
    push("format", json_of(&a.format), json_of(&b.format));
    push("interval", Value::from(a.interval), Value::from(b.interval));
    push("display", json_of(&a.display), json_of(&b.display));
    push("math", json_of(&a.math), json_of(&b.math));
    push(
        "math_property",
        Value::from(a.math_property.clone()),
        Value::from(b.math_property.clone()),
    );
    push(
        "filters",
        Value::Object(a.filters.0.clone()),
        Value::Object(b.filters.0.clone()),
    );
    out
}

fn json_of<T: serde::Serialize>(x: &T) -> Value {
    serde_json::to_value(x).unwrap_or(Value::Null)
}

/// The JSON paths at which `a` and `b` differ, compared as values (key order does not
/// matter, list order does): `events[0].id`, `properties[2]` for an item only one has.
pub fn value_paths(a: &Value, b: &Value, at: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let path = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => value_paths(p, q, &path, out),
                    _ => out.push(path),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            for i in 0..x.len().max(y.len()) {
                let path = format!("{at}[{i}]");
                match (x.get(i), y.get(i)) {
                    (Some(p), Some(q)) => value_paths(p, q, &path, out),
                    _ => out.push(path),
                }
            }
        }
        _ if a != b => out.push(if at.is_empty() {
            "(whole value)".into()
        } else {
            at.into()
        }),
        _ => {}
    }
}

/// What the user ticked: group type indexes to rename, metric rows (by [`MetricRow::key`])
/// to carry over (create, update or delete, as the row's status says).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Selection {
    /// Indexes whose names to carry over.
    pub renames: BTreeSet<u32>,
    /// Metric rows to carry over.
    pub metrics: BTreeSet<String>,
}

/// One request of a plan.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// Carries over the names of the ticked group types, in one `update_metadata`.
    Rename(Vec<GroupTypeNames>),
    /// Creates a metric in the target, filed under its `index`: 0, where PostHog's settings
    /// list it, unless a metric of that name is filed there already (a name the source has
    /// under two indexes): then the index the source files this copy under.
    Create(MetricConfig),
    /// Changes only the differing fields of a target metric, where it is filed.
    Update {
        /// The target's metric.
        target: MetricConfig,
        /// The fields to send.
        patch: Box<MetricPatch>,
    },
    /// Deletes a target metric the source does not have.
    Delete(MetricConfig),
}

/// What a step needs of the target's key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// Renaming group types.
    Rename,
    /// Writing metrics.
    WriteMetrics,
}

impl Step {
    /// The request it sends.
    pub fn request(&self, project: &ProjectId) -> Request {
        match self {
            Step::Rename(rows) => request::update_metadata(project, rows),
            Step::Create(m) => request::create_metric(project, m.index, &m.draft),
            Step::Update { target, patch } => request::update_metric(
                project,
                target.index,
                target.id.as_deref().unwrap_or_default(),
                patch,
            ),
            Step::Delete(m) => {
                request::delete_metric(project, m.index, m.id.as_deref().unwrap_or_default())
            }
        }
    }

    /// The method, for the plan's list.
    pub fn method(&self) -> Method {
        match self {
            Step::Rename(_) | Step::Update { .. } => Method::Patch,
            Step::Create(_) => Method::Post,
            Step::Delete(_) => Method::Delete,
        }
    }

    /// A line that says what the body carries.
    pub fn summary(&self) -> String {
        match self {
            Step::Rename(rows) => {
                let names: Vec<String> = rows
                    .iter()
                    .map(|r| {
                        format!(
                            "index {}: {} / {}",
                            r.group_type_index,
                            shown(&r.name_singular),
                            shown(&r.name_plural)
                        )
                    })
                    .collect();
                format!("names of {}", names.join("; "))
            }
            Step::Create(m) => format!(
                "create \"{}\" (filed under index {})",
                m.draft.name, m.index
            ),
            Step::Update { target, patch } => {
                let fields: Vec<String> = match json_of(patch) {
                    Value::Object(o) => o.keys().cloned().collect(),
                    _ => Vec::new(),
                };
                format!("update \"{}\": {}", target.draft.name, fields.join(", "))
            }
            Step::Delete(m) => format!("delete \"{}\"", m.draft.name),
        }
    }

    /// What the target's key must allow.
    pub fn needs(&self) -> Needs {
        match self {
            Step::Rename(_) => Needs::Rename,
            _ => Needs::WriteMetrics,
        }
    }

    /// Why the target's key cannot send this, when its capabilities already say so.
    pub fn refused_by(&self, caps: &Capabilities) -> Option<String> {
        let (access, what) = match self.needs() {
            Needs::Rename => (&caps.rename_group_types, "rename group types"),
            Needs::WriteMetrics => (&caps.write_metrics, "write usage metrics"),
        };
        match access {
            Access::MissingScope(s) => Some(format!(
                "Not allowed: the target's key cannot {what} (it lacks the scope {s})."
            )),
            Access::OnlyInPostHog => Some(format!(
                "Not allowed: the target's PostHog lets only its own settings {what}."
            )),
            _ => None,
        }
    }
}

fn shown(name: &Option<String>) -> String {
    match name {
        Some(n) => format!("\"{n}\""),
        None => "default".into(),
    }
}

/// The requests that carry the ticked changes over, in the order they are sent: the
/// renames, then creates, then updates, deletes last (a failure stops the run before anything
/// is removed). Made from a fresh [`diff`] each time, so a change already applied is no longer
/// a difference and is not sent again.
pub fn plan(diff: &Diff, selection: &Selection) -> Vec<Step> {
    let mut steps = Vec::new();
    let renames: Vec<GroupTypeNames> = diff
        .group_types
        .iter()
        .filter(|r| r.status == TypeStatus::Renamed && selection.renames.contains(&r.index))
        .filter_map(|r| {
            r.source.as_ref().map(|s| GroupTypeNames {
                group_type_index: r.index,
                name_singular: s.singular.clone(),
                name_plural: s.plural.clone(),
            })
        })
        .collect();
    if !renames.is_empty() {
        steps.push(Step::Rename(renames));
    }
    let ticked = || {
        diff.metrics
            .iter()
            .filter(|r| selection.metrics.contains(&r.key))
    };
    // Names unique per index: what index 0 holds, in the target and by earlier creates.
    let mut at_settings: BTreeSet<String> = diff
        .metrics
        .iter()
        .filter_map(|r| r.target.as_ref())
        .filter(|t| t.index == SETTINGS_INDEX)
        .map(|t| t.draft.name.trim().to_owned())
        .collect();
    for r in ticked() {
        if let (MetricStatus::Added, Some(s)) = (&r.status, &r.source) {
            let mut created = s.clone();
            created.id = None;
            created.index = if at_settings.insert(r.name.clone()) {
                SETTINGS_INDEX
            } else {
                s.index
            };
            steps.push(Step::Create(created));
        }
    }
    for r in ticked() {
        if let (MetricStatus::Changed(_), Some(s), Some(t)) = (&r.status, &r.source, &r.target) {
            let mut patch = MetricPatch::between(&t.draft, &s.draft);
            // Matched by the trimmed name: a difference in spaces alone is not sent.
            patch.name = None;
            if !patch.is_empty() {
                steps.push(Step::Update {
                    target: t.clone(),
                    patch: Box::new(patch),
                });
            }
        }
    }
    for r in ticked() {
        if let (MetricStatus::Removed, Some(t)) = (&r.status, &r.target) {
            steps.push(Step::Delete(t.clone()));
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Filters, MetricDraft};
    use serde_json::{json, Map};

    fn ty(index: u32, key: &str, singular: Option<&str>) -> TypeConfig {
        TypeConfig {
            index,
            key: key.into(),
            singular: singular.map(Into::into),
            plural: None,
            extra: Map::new(),
        }
    }

    fn metric(
        index: u32,
        id: Option<&str>,
        name: &str,
        interval: i64,
        filters: Value,
    ) -> MetricConfig {
        MetricConfig {
            index,
            id: id.map(Into::into),
            draft: MetricDraft {
                name: name.into(),
                interval,
                filters: serde_json::from_value::<Filters>(filters).expect("filters"),
                ..MetricDraft::default()
            },
            extra: Map::new(),
        }
    }

    fn events(names: &[&str]) -> Value {
        json!({"events": names.iter().map(|n| json!({"id": n, "type": "events"})).collect::<Vec<_>>(), "properties": []})
    }

    fn source() -> ProjectConfig {
        ProjectConfig {
            group_types: vec![
                ty(0, "organization", Some("Organization")),
                ty(1, "company", None),
                ty(2, "project", Some("Workspace")),
                ty(3, "team", None),
            ],
            metrics: vec![
                metric(0, Some("s1"), "Seats", 7, events(&["seat_active"])),
                metric(0, Some("s2"), "Paid bills", 30, events(&["paid_bill"])),
                metric(2, Some("s3"), "API calls", 7, events(&["api_call"])),
            ],
            extra: Map::new(),
        }
    }

    fn target() -> ProjectConfig {
        ProjectConfig {
            group_types: vec![
                ty(0, "organization", Some("Org")),
                ty(1, "company", None),
                ty(2, "team", None),
                ty(4, "region", None),
            ],
            metrics: vec![
                metric(0, Some("t1"), "Seats", 7, events(&["seat_active"])),
                metric(
                    0,
                    Some("t2"),
                    "Paid bills",
                    14,
                    events(&["paid_bill", "refund"]),
                ),
                metric(1, Some("t9"), "Old metric", 7, events(&["x"])),
            ],
            extra: Map::new(),
        }
    }

    /// Group types side by side: names, a key at another index (the serious case), a type
    /// the target lacks, one only the target has.
    #[test]
    fn group_types_compare_by_index() {
        let d = diff(&source(), &target());
        let status: Vec<(u32, TypeStatus)> = d
            .group_types
            .iter()
            .map(|r| (r.index, r.status.clone()))
            .collect();
        assert_eq!(
            status,
            vec![
                (0, TypeStatus::Renamed),
                (1, TypeStatus::Same),
                (
                    2,
                    TypeStatus::Clash {
                        source_key_in_target: None,
                        target_key_in_source: Some(3)
                    }
                ),
                (
                    3,
                    TypeStatus::Clash {
                        source_key_in_target: Some(2),
                        target_key_in_source: None
                    }
                ),
                (4, TypeStatus::OnlyInTarget),
            ]
        );
        let missing = diff(
            &ProjectConfig {
                group_types: vec![ty(0, "organization", None)],
                ..ProjectConfig::default()
            },
            &ProjectConfig::default(),
        );
        assert_eq!(missing.group_types[0].status, TypeStatus::Missing);
    }

    /// Metrics by name whatever their index; filters compared as values, with the paths.
    #[test]
    fn metrics_compare_by_name_and_filters_as_values() {
        let d = diff(&source(), &target());
        let status: Vec<(&str, &MetricStatus)> = d
            .metrics
            .iter()
            .map(|r| (r.key.as_str(), &r.status))
            .collect();
        assert_eq!(status[0], ("Seats", &MetricStatus::Same));
        assert_eq!(status[2], ("API calls", &MetricStatus::Added));
        assert_eq!(status[3], ("Old metric", &MetricStatus::Removed));
        let MetricStatus::Changed(fields) = status[1].1 else {
            panic!("Paid bills changed: {:?}", status[1]);
        };
        let names: Vec<&str> = fields.iter().map(|f| f.field).collect();
        assert_eq!(names, vec!["interval", "filters"]);
        assert_eq!(fields[1].paths, vec!["events[1]".to_string()]);
        assert_eq!(d.metric_counts(), (1, 1, 1));

        // Key order inside filters is not a difference; a value deep inside is, by path.
        let a = metric(
            0,
            None,
            "A",
            7,
            json!({"events": [{"id": "e", "type": "events"}], "properties": [{"key": "plan", "value": ["pro"]}]}),
        );
        let b = metric(
            0,
            None,
            "A",
            7,
            json!({"properties": [{"value": ["pro"], "key": "plan"}], "events": [{"type": "events", "id": "e"}]}),
        );
        let c = metric(
            0,
            None,
            "A",
            7,
            json!({"events": [{"id": "e", "type": "events"}], "properties": [{"key": "plan", "value": ["team"]}]}),
        );
        let one = |m: MetricConfig| ProjectConfig {
            metrics: vec![m],
            ..ProjectConfig::default()
        };
        assert!(diff(&one(a.clone()), &one(b)).is_empty());
        let d = diff(&one(a), &one(c));
        let MetricStatus::Changed(f) = &d.metrics[0].status else {
            panic!("changed");
        };
        assert_eq!(f[0].paths, vec!["properties[0].value[0]".to_string()]);
    }

    /// The plan lists only what was ticked, renames first and deletes last; a clash is never
    /// planned.
    #[test]
    fn the_plan_follows_the_selection() {
        let d = diff(&source(), &target());
        let all = d.everything();
        assert_eq!(all.renames, BTreeSet::from([0]));
        let steps = plan(&d, &all);
        let project = ProjectId::parse("2").expect("id");
        let lines: Vec<(Method, String)> = steps
            .iter()
            .map(|s| (s.method(), s.request(&project).path))
            .collect();
        assert_eq!(
            lines,
            vec![
                (
                    Method::Patch,
                    "/api/projects/2/groups_types/update_metadata/".into()
                ),
                (
                    Method::Post,
                    "/api/projects/2/groups_types/0/metrics/".into()
                ),
                (
                    Method::Patch,
                    "/api/projects/2/groups_types/0/metrics/t2/".into()
                ),
                (
                    Method::Delete,
                    "/api/projects/2/groups_types/1/metrics/t9/".into()
                ),
            ]
        );
        let Step::Update { patch, .. } = &steps[2] else {
            panic!("update");
        };
        assert_eq!(patch.interval, Some(30));
        assert!(patch.filters.is_some());
        assert_eq!(patch.format, None);
        assert!(
            steps[2].summary().contains("interval, filters"),
            "{}",
            steps[2].summary()
        );

        let only = Selection {
            renames: BTreeSet::new(),
            metrics: BTreeSet::from(["API calls".to_string()]),
        };
        let steps = plan(&d, &only);
        assert_eq!(steps.len(), 1);
        assert!(matches!(&steps[0], Step::Create(m) if m.draft.name == "API calls"));
        assert!(plan(&d, &Selection::default()).is_empty());
    }

    /// A second run after a partial apply sends only what remains: what was applied is no
    /// longer a difference once the target is read again.
    #[test]
    fn a_rerun_after_a_partial_apply_sends_only_what_remains() {
        let src = source();
        let mut tgt = target();
        let selection = diff(&src, &tgt).everything();
        assert_eq!(plan(&diff(&src, &tgt), &selection).len(), 4);
        // The first two requests went through (rename and create), the third failed.
        tgt.group_types[0].singular = Some("Organization".into());
        let mut created = src.metrics[2].clone();
        created.index = 0;
        created.id = Some("t10".into());
        tgt.metrics.push(created);
        let rest = plan(&diff(&src, &tgt), &selection);
        assert_eq!(rest.len(), 2, "{rest:?}");
        assert!(
            matches!(&rest[0], Step::Update { target, .. } if target.id.as_deref() == Some("t2"))
        );
        assert!(matches!(&rest[1], Step::Delete(m) if m.id.as_deref() == Some("t9")));
        // All applied: nothing left to send.
        tgt.metrics[1].draft = src.metrics[1].draft.clone();
        tgt.metrics.retain(|m| m.id.as_deref() != Some("t9"));
        assert!(plan(&diff(&src, &tgt), &selection).is_empty());
    }

    /// Two copies of a name pair up by index; the extra copy is its own row.
    #[test]
    fn copies_of_a_name_pair_by_index() {
        let src = ProjectConfig {
            metrics: vec![
                metric(0, None, "A", 7, json!({})),
                metric(2, None, "A", 7, json!({})),
            ],
            ..ProjectConfig::default()
        };
        let tgt = ProjectConfig {
            metrics: vec![metric(2, Some("x"), "A", 14, json!({}))],
            ..ProjectConfig::default()
        };
        let d = diff(&src, &tgt);
        let keys: Vec<(&str, bool)> = d
            .metrics
            .iter()
            .map(|r| (r.key.as_str(), r.status == MetricStatus::Added))
            .collect();
        assert_eq!(keys, vec![("A", true), ("A #2", false)]);
        // Created under index 0, unless index 0 holds the name already: then where the
        // source files this copy.
        let src = ProjectConfig {
            metrics: vec![
                metric(0, None, "A", 7, json!({})),
                metric(1, None, "A", 7, json!({})),
            ],
            ..ProjectConfig::default()
        };
        let d = diff(&src, &ProjectConfig::default());
        let indexes: Vec<u32> = plan(&d, &d.everything())
            .iter()
            .map(|s| match s {
                Step::Create(m) => m.index,
                _ => 99,
            })
            .collect();
        assert_eq!(indexes, vec![0, 1]);
        // The plan's line names the index the request files it under.
        let steps = plan(&d, &d.everything());
        assert_eq!(steps[1].summary(), "create \"A\" (filed under index 1)");
        assert!(steps[1]
            .request(&ProjectId::parse("2").expect("id"))
            .path
            .contains("/groups_types/1/metrics/"));
    }

    /// A read-only key's capabilities mark every write of the plan as refused.
    #[test]
    fn a_read_only_key_refuses_every_step() {
        let record = crate::KeyRecord {
            scopes: vec!["group:read".into(), "usage_metric:read".into()],
            ..Default::default()
        };
        let caps = Capabilities::from_key(&record);
        let d = diff(&source(), &target());
        let steps = plan(&d, &d.everything());
        assert!(steps.iter().all(|s| s.refused_by(&caps).is_some()));
        let all = Capabilities::from_key(&crate::KeyRecord {
            scopes: vec!["*".into()],
            ..Default::default()
        });
        assert!(steps.iter().all(|s| s.refused_by(&all).is_none()));
    }
}
