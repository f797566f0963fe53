//! Export of the project's metrics (or those filed under one index) to a JSON file, and the preview of importing such a
//! file: what will be created, what is skipped because the name exists, what is invalid.

use std::collections::BTreeSet;

use posthog_groups::validate::metric_draft;
use posthog_groups::{Metric, MetricDraft};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The `format` marker of files this app writes.
pub const EXPORT_FORMAT: &str = "groups-console/metrics@1";

/// Where an export came from, for the reader's benefit (import does not need it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportSource {
    /// Host of the project.
    pub host: String,
    /// Project id.
    pub project: String,
    /// The group type index the metrics were filed under, when the export was narrowed to
    /// one; absent for the whole project's metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_type_index: Option<u32>,
}

/// The export file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportFile {
    /// Always [`EXPORT_FORMAT`].
    pub format: String,
    /// Where the metrics came from.
    pub source: ExportSource,
    /// Every writable field of each metric (ids are not exported: import creates new ones).
    pub metrics: Vec<MetricDraft>,
}

/// The export file's text, pretty-printed so it can be read and edited by hand.
pub fn export(source: ExportSource, metrics: &[Metric]) -> String {
    let file = ExportFile {
        format: EXPORT_FORMAT.into(),
        source,
        metrics: metrics.iter().map(MetricDraft::from).collect(),
    };
    serde_json::to_string_pretty(&file).unwrap_or_default()
}

/// What import will do with one entry of the file.
#[derive(Clone, Debug, PartialEq)]
pub enum ImportItem {
    /// Valid and new: it will be created.
    Create(MetricDraft),
    /// Not created; the reason says why (the name exists, or appears twice in the file).
    Skip {
        /// The metric's name.
        name: String,
        /// Why it is skipped.
        reason: String,
    },
    /// Not a valid metric; nothing is sent for it.
    Invalid {
        /// 1-based position in the file.
        position: usize,
        /// The name, if it has one.
        name: Option<String>,
        /// What is wrong.
        reason: String,
    },
}

/// The preview of an import.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ImportPreview {
    /// One entry per metric in the file, in file order.
    pub items: Vec<ImportItem>,
}

impl ImportPreview {
    /// The metrics that will be created, in order.
    pub fn to_create(&self) -> Vec<MetricDraft> {
        self.items
            .iter()
            .filter_map(|i| match i {
                ImportItem::Create(d) => Some(d.clone()),
                _ => None,
            })
            .collect()
    }

    /// (to create, skipped, invalid).
    pub fn counts(&self) -> (usize, usize, usize) {
        self.items
            .iter()
            .fold((0, 0, 0), |(c, s, i), item| match item {
                ImportItem::Create(_) => (c + 1, s, i),
                ImportItem::Skip { .. } => (c, s + 1, i),
                ImportItem::Invalid { .. } => (c, s, i + 1),
            })
    }
}

/// Reads an import file: this app's export, a bare array of metrics, or a PostHog page
/// (`{"results": [...]}`). A file that is none of these is an error that changes nothing.
pub fn preview<'a>(
    text: &str,
    existing: impl IntoIterator<Item = &'a str>,
) -> Result<ImportPreview, String> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("The file is not valid JSON ({e})."))?;
    let entries = match &value {
        Value::Array(list) => list,
        Value::Object(o) => match (o.get("format"), o.get("metrics"), o.get("results")) {
            (Some(Value::String(f)), _, _) if f != EXPORT_FORMAT => {
                return Err(format!(
                    "The file's format is \"{f}\"; this app reads \"{EXPORT_FORMAT}\"."
                ))
            }
            (_, Some(Value::Array(list)), _) | (_, None, Some(Value::Array(list))) => list,
            _ => {
                return Err("The file has no list of metrics (expected \"metrics\": [...]).".into())
            }
        },
        _ => return Err("The file has no list of metrics (expected \"metrics\": [...]).".into()),
    };
    let mut taken: BTreeSet<String> = existing.into_iter().map(|n| n.trim().to_owned()).collect();
    let mut items = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let position = i + 1;
        let name = entry
            .get("name")
            .and_then(Value::as_str)
            .map(|n| n.trim().to_owned());
        let draft = match serde_json::from_value::<MetricDraft>(entry.clone()) {
            Ok(d) if entry.is_object() => d,
            Ok(_) => {
                items.push(ImportItem::Invalid {
                    position,
                    name,
                    reason: "not a metric object".into(),
                });
                continue;
            }
            Err(e) => {
                items.push(ImportItem::Invalid {
                    position,
                    name,
                    reason: e.to_string(),
                });
                continue;
            }
        };
        let errors = metric_draft(&draft, []);
        if !errors.is_empty() {
            let reason = errors
                .iter()
                .map(|(f, m)| format!("{f}: {m}"))
                .collect::<Vec<_>>()
                .join("; ");
            items.push(ImportItem::Invalid {
                position,
                name,
                reason,
            });
            continue;
        }
        let name = draft.name.trim().to_owned();
        if taken.contains(&name) {
            let in_file = items
                .iter()
                .any(|it| matches!(it, ImportItem::Create(d) if d.name.trim() == name));
            let reason = if in_file {
                "appears earlier in the file"
            } else {
                "a metric with this name exists"
            };
            items.push(ImportItem::Skip {
                name,
                reason: reason.into(),
            });
            continue;
        }
        taken.insert(name);
        items.push(ImportItem::Create(draft));
    }
    Ok(ImportPreview { items })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(id: &str, name: &str) -> Metric {
        serde_json::from_value(serde_json::json!({"id": id, "name": name, "filters": {"events": [{"id": "e"}], "x_custom": 1}}))
            .unwrap_or_else(|_| Metric { id: id.into(), name: name.into(), format: Default::default(), interval: 7, display: Default::default(), filters: Default::default(), math: Default::default(), math_property: None })
    }

    #[test]
    fn export_then_preview_into_an_empty_group_type_creates_everything() {
        let source = ExportSource {
            host: "https://eu.posthog.com".into(),
            project: "1".into(),
            group_type_index: Some(0),
        };
        let text = export(source, &[metric("a", "Seats"), metric("b", "Bills")]);
        let file: Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(file["format"], EXPORT_FORMAT);
        assert!(
            file["metrics"][0].get("id").is_none(),
            "ids are not exported"
        );
        let p = preview(&text, []).expect("valid file");
        assert_eq!(p.counts(), (2, 0, 0));
        let created = p.to_create();
        assert_eq!(created[0].name, "Seats");
        assert_eq!(
            created[0].filters.0.get("x_custom"),
            Some(&serde_json::json!(1)),
            "unknown filter keys travel"
        );
    }

    #[test]
    fn existing_names_and_repeats_are_skipped_invalid_entries_reported() {
        let text = r#"[{"name":"Seats"},{"name":"New"},{"name":"New"},{"name":""},{"name":"Rev","math":"sum"},42,{"name":"Odd","interval":"soon"}]"#;
        let p = preview(text, ["Seats"]).expect("valid file");
        assert_eq!(p.counts(), (1, 2, 4));
        assert!(
            matches!(&p.items[0], ImportItem::Skip { reason, .. } if reason.contains("exists"))
        );
        assert!(
            matches!(&p.items[2], ImportItem::Skip { reason, .. } if reason.contains("earlier"))
        );
        assert!(
            matches!(&p.items[4], ImportItem::Invalid { position: 5, reason, .. } if reason.contains("math_property"))
        );
        assert!(matches!(
            &p.items[5],
            ImportItem::Invalid { position: 6, .. }
        ));
        assert!(matches!(&p.items[6], ImportItem::Invalid { name: Some(n), .. } if n == "Odd"));
    }

    #[test]
    fn malformed_files_are_explained() {
        assert!(preview("{", [])
            .expect_err("json")
            .contains("not valid JSON"));
        assert!(preview(r#"{"hello":1}"#, [])
            .expect_err("shape")
            .contains("no list of metrics"));
        assert!(preview(r#"{"format":"other/1","metrics":[]}"#, [])
            .expect_err("format")
            .contains("other/1"));
        assert_eq!(
            preview(r#"{"results":[{"name":"A"}]}"#, []).map(|p| p.counts()),
            Ok((1, 0, 0))
        );
    }
}
