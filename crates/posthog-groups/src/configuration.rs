//! A project's whole configuration (group type keys and names by index, every metric of every
//! index) as one value, read from a project or from a versioned JSON file, so that two can be
//! compared (see [`crate::compare`]) and a file kept in git can be a desired state.

use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

use crate::model::{GroupType, MetricDraft};
use crate::project_metrics::Filed;
use crate::validate;

/// The `format` marker of configuration files.
pub const FORMAT: &str = "groups-console/configuration";

/// The schema version this build writes and the newest it reads.
pub const VERSION: u64 = 1;

/// A group type as configured: its key at its index, and its display names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeConfig {
    /// Position 0..4, where the project's events land for this key.
    pub index: u32,
    /// The key used in code (`organization`).
    pub key: String,
    /// Display name for one; `None` is PostHog's default (the key).
    pub singular: Option<String>,
    /// Display name for many; `None` is PostHog's default.
    pub plural: Option<String>,
    /// Fields of a file entry this build does not know, kept for the next export.
    pub extra: Map<String, Value>,
}

impl From<&GroupType> for TypeConfig {
    fn from(g: &GroupType) -> Self {
        TypeConfig {
            index: g.group_type_index,
            key: g.group_type.clone(),
            singular: g.name_singular.clone(),
            plural: g.name_plural.clone(),
            extra: Map::new(),
        }
    }
}

/// A metric as configured: where it is filed, and every writable field.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricConfig {
    /// The group type index it is filed under.
    pub index: u32,
    /// Its id on the server it was read from; `None` for a file's entry.
    pub id: Option<String>,
    /// Every writable field.
    pub draft: MetricDraft,
    /// Fields of a file entry this build does not know, kept for the next export (never sent).
    pub extra: Map<String, Value>,
}

/// One project's configuration, or a file's.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ProjectConfig {
    /// Group types, by index.
    pub group_types: Vec<TypeConfig>,
    /// Metrics, by index then in the server's (or the file's) order.
    pub metrics: Vec<MetricConfig>,
    /// Top-level fields of a file this build does not know, kept for the next export.
    pub extra: Map<String, Value>,
}

impl ProjectConfig {
    /// A project's configuration from its group types and its metrics (each index's, merged).
    pub fn from_project(group_types: &[GroupType], metrics: &[Filed]) -> Self {
        let mut types: Vec<TypeConfig> = group_types.iter().map(TypeConfig::from).collect();
        types.sort_by_key(|t| t.index);
        let metrics = metrics
            .iter()
            .map(|f| MetricConfig {
                index: f.index,
                draft: MetricDraft::from(&f.metric),
                id: Some(f.metric.id.clone()),
                extra: Map::new(),
            })
            .collect();
        ProjectConfig {
            group_types: types,
            metrics,
            extra: Map::new(),
        }
    }

    /// The paths of every field a file had that this build does not know (kept, not sent).
    pub fn unknown_fields(&self) -> Vec<String> {
        let mut paths: Vec<String> = self.extra.keys().cloned().collect();
        for (i, t) in self.group_types.iter().enumerate() {
            paths.extend(t.extra.keys().map(|k| format!("group_types[{i}].{k}")));
        }
        for (i, m) in self.metrics.iter().enumerate() {
            paths.extend(m.extra.keys().map(|k| format!("metrics[{i}].{k}")));
        }
        paths
    }
}

/// Where a project's configuration came from, written into its file for the reader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The host.
    pub host: String,
    /// The project id.
    pub project: String,
}

/// The file's text: pretty-printed, so it reads well in a review and diffs line by line.
pub fn to_file(config: &ProjectConfig, origin: Option<&Origin>) -> String {
    let mut top = Map::new();
    top.insert("format".into(), json!(FORMAT));
    top.insert("version".into(), json!(VERSION));
    if let Some(o) = origin {
        top.insert(
            "exported_from".into(),
            json!({"host": o.host, "project": o.project}),
        );
    }
    let types = config
        .group_types
        .iter()
        .map(|t| {
            let mut entry = t.extra.clone();
            entry.insert("group_type_index".into(), json!(t.index));
            entry.insert("group_type".into(), json!(t.key));
            entry.insert("name_singular".into(), json!(t.singular));
            entry.insert("name_plural".into(), json!(t.plural));
            Value::Object(entry)
        })
        .collect();
    top.insert("group_types".into(), Value::Array(types));
    let metrics = config
        .metrics
        .iter()
        .map(|m| {
            let mut entry = m.extra.clone();
            entry.insert("group_type_index".into(), json!(m.index));
            if let Ok(Value::Object(fields)) = serde_json::to_value(&m.draft) {
                entry.extend(fields);
            }
            Value::Object(entry)
        })
        .collect();
    top.insert("metrics".into(), Value::Array(metrics));
    for (k, v) in &config.extra {
        top.entry(k.clone()).or_insert_with(|| v.clone());
    }
    serde_json::to_string_pretty(&Value::Object(top)).unwrap_or_default()
}

/// Why a file was refused: where (a JSON path such as `metrics[3].interval`, empty for the
/// whole file) and what is wrong there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    /// The JSON path of the wrong value.
    pub path: String,
    /// What is wrong, in words.
    pub reason: String,
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.reason)
        } else {
            write!(f, "{}: {}", self.path, self.reason)
        }
    }
}

fn err(path: impl Into<String>, reason: impl Into<String>) -> FileError {
    FileError {
        path: path.into(),
        reason: reason.into(),
    }
}

const TOP_FIELDS: [&str; 5] = [
    "format",
    "version",
    "exported_from",
    "group_types",
    "metrics",
];
const TYPE_FIELDS: [&str; 4] = [
    "group_type_index",
    "group_type",
    "name_singular",
    "name_plural",
];
const METRIC_FIELDS: [&str; 8] = [
    "group_type_index",
    "name",
    "format",
    "interval",
    "display",
    "filters",
    "math",
    "math_property",
];

/// Reads a configuration file. Everything is checked before anything is used: the first
/// problem found is the answer, with its path, and nothing else happens.
pub fn parse_file(text: &str) -> Result<ProjectConfig, FileError> {
    let top: Value = serde_json::from_str(text).map_err(|e| {
        err(
            "",
            format!(
                "This is not JSON (line {}, column {}: {e}).",
                e.line(),
                e.column()
            ),
        )
    })?;
    let Value::Object(top) = top else {
        return Err(err("", "The file must be a JSON object."));
    };
    match top.get("format") {
        Some(Value::String(f)) if f == FORMAT => {}
        Some(Value::String(f)) if f == "groups-console/metrics@1" => {
            return Err(err("format", "This is a metrics export, not a configuration file: import it from the usage metrics page, or export the configuration from the compare page."));
        }
        Some(other) => {
            return Err(err(
                "format",
                format!("Expected \"{FORMAT}\", found {other}."),
            ))
        }
        None => {
            return Err(err(
                "format",
                format!("Missing: a configuration file starts with \"format\": \"{FORMAT}\"."),
            ))
        }
    }
    let version = match top.get("version") {
        Some(v) => v.as_u64().filter(|v| *v >= 1).ok_or_else(|| {
            err(
                "version",
                format!("Expected a schema version (1 or more), found {v}."),
            )
        })?,
        None => return Err(err("version", "Missing: the schema version.")),
    };
    if version > VERSION {
        return Err(err(
            "version",
            format!("This file uses schema version {version}, which is newer than this console reads (version {VERSION}). Open it with a newer console, or export it again from the newer one as version {VERSION}."),
        ));
    }
    let group_types = list(&top, "group_types")?
        .iter()
        .enumerate()
        .map(|(i, v)| group_type_entry(v, &format!("group_types[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    for (i, t) in group_types.iter().enumerate() {
        if let Some(j) = group_types[..i].iter().position(|o| o.index == t.index) {
            return Err(err(
                format!("group_types[{i}].group_type_index"),
                format!("Index {} is already used by group_types[{j}].", t.index),
            ));
        }
        if let Some(j) = group_types[..i].iter().position(|o| o.key == t.key) {
            return Err(err(
                format!("group_types[{i}].group_type"),
                format!("\"{}\" is already the key of group_types[{j}].", t.key),
            ));
        }
    }
    let metrics = list(&top, "metrics")?
        .iter()
        .enumerate()
        .map(|(i, v)| metric_entry(v, &format!("metrics[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    for (i, m) in metrics.iter().enumerate() {
        let name = m.draft.name.trim();
        if let Some(j) = metrics[..i]
            .iter()
            .position(|o| o.index == m.index && o.draft.name.trim() == name)
        {
            return Err(err(
                format!("metrics[{i}].name"),
                format!("\"{name}\" is already the name of metrics[{j}] under group type index {}: names are unique per index.", m.index),
            ));
        }
    }
    let extra = top
        .into_iter()
        .filter(|(k, _)| !TOP_FIELDS.contains(&k.as_str()))
        .collect();
    let mut group_types = group_types;
    group_types.sort_by_key(|t| t.index);
    Ok(ProjectConfig {
        group_types,
        metrics,
        extra,
    })
}

fn list<'a>(top: &'a Map<String, Value>, field: &str) -> Result<&'a [Value], FileError> {
    match top.get(field) {
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(err(
            field,
            format!("Expected a list, found {}.", kind(other)),
        )),
        None => Err(err(field, "Missing: write [] for none.")),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, FileError> {
    v.as_object()
        .ok_or_else(|| err(path, format!("Expected an object, found {}.", kind(v))))
}

fn index_field(entry: &Map<String, Value>, path: &str) -> Result<u32, FileError> {
    let path = format!("{path}.group_type_index");
    match entry.get("group_type_index") {
        None => Err(err(path, "Missing: the group type index, 0 to 4.")),
        Some(v) => v
            .as_u64()
            .filter(|i| *i < crate::model::GROUP_TYPE_SLOTS as u64)
            .map(|i| i as u32)
            .ok_or_else(|| {
                err(
                    path,
                    format!("Expected a whole number from 0 to 4, found {v}."),
                )
            }),
    }
}

fn extra_of(entry: &Map<String, Value>, known: &[&str]) -> Map<String, Value> {
    entry
        .iter()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn group_type_entry(v: &Value, path: &str) -> Result<TypeConfig, FileError> {
    let entry = object(v, path)?;
    let index = index_field(entry, path)?;
    let key = match entry.get("group_type") {
        Some(Value::String(k)) if !k.trim().is_empty() => k.clone(),
        Some(other) => {
            return Err(err(
                format!("{path}.group_type"),
                format!("Expected the group type's key as text, found {other}."),
            ))
        }
        None => {
            return Err(err(
                format!("{path}.group_type"),
                "Missing: the group type's key (such as \"organization\").",
            ))
        }
    };
    let name = |field: &str| -> Result<Option<String>, FileError> {
        let at = format!("{path}.{field}");
        match entry.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => validate::group_type_name(s).map_err(|why| err(at, why)),
            Some(other) => Err(err(
                at,
                format!("Expected text or null, found {}.", kind(other)),
            )),
        }
    };
    Ok(TypeConfig {
        index,
        key,
        singular: name("name_singular")?,
        plural: name("name_plural")?,
        extra: extra_of(entry, &TYPE_FIELDS),
    })
}

fn field<T: DeserializeOwned>(
    entry: &Map<String, Value>,
    name: &str,
    path: &str,
    what: &str,
) -> Result<Option<T>, FileError> {
    match entry.get(name) {
        None => Ok(None),
        Some(v) => serde_json::from_value(v.clone()).map(Some).map_err(|_| {
            err(
                format!("{path}.{name}"),
                format!("Expected {what}, found {}.", kind(v)),
            )
        }),
    }
}

fn metric_entry(v: &Value, path: &str) -> Result<MetricConfig, FileError> {
    let entry = object(v, path)?;
    let index = index_field(entry, path)?;
    let defaults = MetricDraft::default();
    let name: String = field(entry, "name", path, "the metric's name as text")?
        .ok_or_else(|| err(format!("{path}.name"), "Missing: the metric's name."))?;
    let draft = MetricDraft {
        name,
        format: field(entry, "format", path, "\"numeric\" or \"currency\"")?
            .unwrap_or(defaults.format),
        interval: field(entry, "interval", path, "a whole number of days")?
            .unwrap_or(defaults.interval),
        display: field(entry, "display", path, "\"number\" or \"sparkline\"")?
            .unwrap_or(defaults.display),
        filters: field(entry, "filters", path, "an object")?.unwrap_or(defaults.filters),
        math: field(entry, "math", path, "\"count\" or \"sum\"")?.unwrap_or(defaults.math),
        math_property: field::<Option<String>>(entry, "math_property", path, "text or null")?
            .flatten(),
    };
    // The same rules as the form, so a file is refused here rather than half-applied.
    if let Some((field, why)) = validate::metric_draft(&draft, []).into_iter().next() {
        return Err(err(format!("{path}.{field}"), why));
    }
    Ok(MetricConfig {
        index,
        id: None,
        draft,
        extra: extra_of(entry, &METRIC_FIELDS),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Metric;

    fn sample() -> ProjectConfig {
        let types: Vec<GroupType> = serde_json::from_value(json!([
            {"group_type": "organization", "group_type_index": 0, "name_singular": "Organization", "name_plural": "Organizations"},
            {"group_type": "project", "group_type_index": 2, "name_singular": null, "name_plural": null},
        ]))
        .expect("types");
        let metric: Metric = serde_json::from_value(json!({
            "id": "m1", "name": "Paid bills", "format": "currency", "interval": 30,
            "display": "sparkline", "math": "sum", "math_property": "amount",
            "filters": {"events": [{"id": "paid_bill", "type": "events"}], "properties": []}
        }))
        .expect("metric");
        let filed = crate::project_metrics::merge(vec![(0, vec![metric])]);
        ProjectConfig::from_project(&types, &filed)
    }

    /// The file's round trip: what is written reads back the same (ids are not written).
    #[test]
    fn a_configuration_reads_back_as_written() {
        let config = sample();
        let origin = Origin {
            host: "https://eu.posthog.com".into(),
            project: "12".into(),
        };
        let text = to_file(&config, Some(&origin));
        let back = parse_file(&text).expect("parses");
        assert_eq!(back.group_types, config.group_types);
        assert_eq!(back.metrics.len(), 1);
        assert_eq!(back.metrics[0].draft, config.metrics[0].draft);
        assert_eq!(back.metrics[0].index, 0);
        assert_eq!(back.metrics[0].id, None);
        assert!(back.unknown_fields().is_empty());
        assert!(text.contains("\"exported_from\""), "{text}");
    }

    /// Unknown fields at any level are kept (written back on export) and reported by path.
    #[test]
    fn unknown_fields_are_kept_and_reported() {
        let text = json!({
            "format": FORMAT, "version": 1, "owner": "growth team",
            "group_types": [{"group_type_index": 0, "group_type": "organization", "color": "blue"}],
            "metrics": [{"group_type_index": 0, "name": "Seats", "description": "Active seats",
                         "filters": {"events": [], "new_posthog_field": 1}}]
        })
        .to_string();
        let config = parse_file(&text).expect("parses");
        assert_eq!(
            config.unknown_fields(),
            vec![
                "owner".to_string(),
                "group_types[0].color".to_string(),
                "metrics[0].description".to_string(),
            ]
        );
        // Unknown keys inside filters are the filters' own: kept whole, not reported.
        assert_eq!(
            config.metrics[0].draft.filters.0["new_posthog_field"],
            json!(1)
        );
        let again = parse_file(&to_file(&config, None)).expect("parses again");
        assert_eq!(again, config);
    }

    /// A newer schema is refused with a message that says what to do.
    #[test]
    fn a_newer_version_is_refused() {
        let text = json!({"format": FORMAT, "version": 2, "group_types": [], "metrics": []});
        let e = parse_file(&text.to_string()).expect_err("newer");
        assert_eq!(e.path, "version");
        assert!(e.reason.contains("version 2"), "{}", e.reason);
        assert!(e.reason.contains("newer"), "{}", e.reason);
    }

    /// Malformed input names the path and the reason.
    #[test]
    fn malformed_input_names_its_path() {
        let cases = [
            ("[1,", ""),
            ("[]", ""),
            (
                r#"{"version": 1, "group_types": [], "metrics": []}"#,
                "format",
            ),
            (
                r#"{"format": "groups-console/metrics@1", "metrics": []}"#,
                "format",
            ),
            (
                &format!(r#"{{"format": "{FORMAT}", "version": "1"}}"#),
                "version",
            ),
            (
                &format!(r#"{{"format": "{FORMAT}", "version": 1, "metrics": []}}"#),
                "group_types",
            ),
            (
                &format!(
                    r#"{{"format": "{FORMAT}", "version": 1, "group_types": [{{"group_type_index": 7, "group_type": "x"}}], "metrics": []}}"#
                ),
                "group_types[0].group_type_index",
            ),
            (
                &format!(
                    r#"{{"format": "{FORMAT}", "version": 1, "group_types": [{{"group_type_index": 0, "group_type": "x"}}, {{"group_type_index": 1, "group_type": "x"}}], "metrics": []}}"#
                ),
                "group_types[1].group_type",
            ),
            (
                &format!(
                    r#"{{"format": "{FORMAT}", "version": 1, "group_types": [], "metrics": [{{"group_type_index": 0, "name": "A"}}, {{"group_type_index": 0, "name": "B", "interval": "7"}}]}}"#
                ),
                "metrics[1].interval",
            ),
            (
                &format!(
                    r#"{{"format": "{FORMAT}", "version": 1, "group_types": [], "metrics": [{{"group_type_index": 0, "name": "A", "math": "sum"}}]}}"#
                ),
                "metrics[0].math_property",
            ),
            (
                &format!(
                    r#"{{"format": "{FORMAT}", "version": 1, "group_types": [], "metrics": [{{"group_type_index": 0, "name": "A"}}, {{"group_type_index": 0, "name": "A "}}]}}"#
                ),
                "metrics[1].name",
            ),
            (
                &format!(
                    r#"{{"format": "{FORMAT}", "version": 1, "group_types": [], "metrics": [{{"group_type_index": 0}}]}}"#
                ),
                "metrics[0].name",
            ),
        ];
        for (text, path) in cases {
            let e = parse_file(text).expect_err(text);
            assert_eq!(e.path, path, "{text}: {e}");
            assert!(!e.reason.is_empty());
        }
        // The same name under two indexes is two metrics, as PostHog allows.
        let ok = format!(
            r#"{{"format": "{FORMAT}", "version": 1, "group_types": [], "metrics": [{{"group_type_index": 0, "name": "A"}}, {{"group_type_index": 1, "name": "A"}}]}}"#
        );
        assert_eq!(parse_file(&ok).expect("two indexes").metrics.len(), 2);
    }
}
