//! Metrics matched by name: added, changed (field by field, filters by JSON path) and
//! removed, each with a tick to carry it over; the ones that are the same, folded.

use leptos::prelude::*;
use posthog_groups::compare::{FieldDiff, MetricRow, MetricStatus, Selection};
use posthog_groups::project_metrics::SETTINGS_INDEX;

use crate::components::breakable::breakable;

/// A value as the diff shows it: text without quotes, anything else as compact JSON.
fn shown(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "none".into(),
        other => other.to_string(),
    }
}

/// One changed field: scalars as "source → target", filters as the differing paths with
/// both sides' JSON folded beneath.
fn field_line(f: FieldDiff) -> impl IntoView {
    if f.field == "filters" {
        let paths = f.paths.join(", ");
        view! {
            <li>
                <strong>"filters"</strong>" differ at "{breakable(&paths)}
                <details>
                    <summary>"Both sides' filters"</summary>
                    <p class="hint">"Source"</p>
                    <pre class="raw-filters">{serde_json::to_string_pretty(&f.source).unwrap_or_default()}</pre>
                    <p class="hint">"Target"</p>
                    <pre class="raw-filters">{serde_json::to_string_pretty(&f.target).unwrap_or_default()}</pre>
                </details>
            </li>
        }
        .into_any()
    } else {
        view! {
            <li><strong>{f.field}</strong>": target "{breakable(&shown(&f.target))}", source "{breakable(&shown(&f.source))}</li>
        }
        .into_any()
    }
}

/// Where a row's metrics are filed, in words.
fn filed(row: &MetricRow) -> String {
    let at = |m: &Option<posthog_groups::configuration::MetricConfig>| m.as_ref().map(|m| m.index);
    match (at(&row.source), at(&row.target), &row.status) {
        (Some(s), None, _) if s == SETTINGS_INDEX => format!("Filed under index {s} in the source; created under the same index in the target, where PostHog's settings list it."),
        (Some(s), None, _) => format!("Filed under index {s} in the source; created in the target under index {SETTINGS_INDEX}, where PostHog's settings list it (under index {s} when index {SETTINGS_INDEX} has this name already)."),
        (None, Some(t), _) => format!("Filed under index {t} in the target."),
        (Some(s), Some(t), _) if s == t => format!("Filed under index {s} on both sides."),
        (Some(s), Some(t), _) => format!("Filed under index {s} in the source and {t} in the target: PostHog computes it on every page either way, so this is not a difference; an update stays where the target files it."),
        (None, None, _) => String::new(),
    }
}

/// What a metric's filters name that belongs to its project, not to the metric: actions by
/// id (ids are per project) and a data-warehouse table by name.
fn references(filters: &posthog_groups::Filters) -> Option<String> {
    if let Some(table) = filters
        .str_field("table_name")
        .filter(|_| filters.source() == posthog_groups::FilterSource::DataWarehouse)
    {
        return Some(format!("Reads the data-warehouse table “{table}”: the target needs a table of that name, or its server refuses the metric."));
    }
    let ids: Vec<String> = filters
        .0
        .get("actions")
        .and_then(serde_json::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.get("id"))
                .map(ToString::to_string)
                .collect()
        })
        .unwrap_or_default();
    (!ids.is_empty()).then(|| format!("Uses actions by id ({}): action ids are per project, so in the target the same ids may be other actions, or none.", ids.join(", ")))
}

/// The metrics section.
#[component]
pub fn CompareMetrics(
    /// Every row, in the diff's order.
    rows: Vec<MetricRow>,
    /// What is ticked; only metric keys are changed here.
    selection: RwSignal<Selection>,
    /// Whether ticking is offered (a file as the target cannot be changed).
    can_plan: bool,
) -> impl IntoView {
    let (mut changing, mut same) = (Vec::new(), Vec::new());
    for r in rows {
        if r.status == MetricStatus::Same {
            same.push(r.name);
        } else {
            changing.push(r);
        }
    }
    let group = |title: &'static str, tag: &'static str, rows: Vec<MetricRow>| {
        (!rows.is_empty()).then(|| {
            let heading_id = format!("compare-metrics-{tag}");
            view! {
                <h3 id=heading_id.clone()>{format!("{title} ({})", rows.len())}</h3>
                <ul class="compare-list" aria-labelledby=heading_id>
                    {rows.into_iter().map(|row| metric_item(row, selection, can_plan)).collect_view()}
                </ul>
            }
        })
    };
    let pick = |rows: &[MetricRow], f: fn(&MetricStatus) -> bool| -> Vec<MetricRow> {
        rows.iter().filter(|r| f(&r.status)).cloned().collect()
    };
    let added = pick(&changing, |s| matches!(s, MetricStatus::Added));
    let changed = pick(&changing, |s| matches!(s, MetricStatus::Changed(_)));
    let removed = pick(&changing, |s| matches!(s, MetricStatus::Removed));
    let same_count = same.len();
    view! {
        <section aria-labelledby="compare-metrics-title">
            <h2 id="compare-metrics-title">"Usage metrics"</h2>
            <p class="hint">"Matched by name, whatever group type index each is filed under: PostHog computes every metric of a project on every group and person page."</p>
            {group("Only in the source: create in the target", "added", added)}
            {group("Different: update the target", "changed", changed)}
            {group("Only in the target: delete there", "removed", removed)}
            {(same_count > 0).then(|| view! {
                <details class="compare-same">
                    <summary>{format!("The same on both sides ({same_count})")}</summary>
                    <ul>{same.into_iter().map(|n| view! { <li>{breakable(&n)}</li> }).collect_view()}</ul>
                </details>
            })}
            {(changing.is_empty() && same_count == 0).then(|| view! {
                <p class="empty-state">"Neither side has usage metrics."</p>
            })}
        </section>
    }
}

fn metric_item(row: MetricRow, selection: RwSignal<Selection>, can_plan: bool) -> impl IntoView {
    let key = StoredValue::new(row.key.clone());
    let action = match row.status {
        MetricStatus::Added => "Create",
        MetricStatus::Removed => "Delete",
        _ => "Update",
    };
    let tick = can_plan.then(|| {
        view! {
            <label class="checkbox">
                <input type="checkbox"
                    prop:checked=move || selection.with(|s| key.with_value(|k| s.metrics.contains(k)))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        selection.update(|s| {
                            let k = key.get_value();
                            if on { s.metrics.insert(k); } else { s.metrics.remove(&k); }
                        });
                    } />
                {action}" “"{breakable(&row.key)}"”"
            </label>
        }
    });
    let fields = match &row.status {
        MetricStatus::Changed(fields) => Some(view! {
            <ul class="compare-fields">{fields.clone().into_iter().map(field_line).collect_view()}</ul>
        }),
        _ => None,
    };
    let name = (!can_plan).then(|| view! { <p><strong>{breakable(&row.key)}</strong></p> });
    let references = matches!(row.status, MetricStatus::Added | MetricStatus::Changed(_))
        .then(|| {
            row.source
                .as_ref()
                .and_then(|s| references(&s.draft.filters))
        })
        .flatten()
        .map(|r| view! { <p class="hint">{r}</p> });
    view! {
        <li class="compare-item">
            {tick}
            {name}
            {fields}
            <p class="hint">{filed(&row)}</p>
            {references}
        </li>
    }
}
