//! The table of the project's usage metrics: each row says which group type index the
//! metric is filed under, and what that means for where PostHog shows it.

use std::rc::Rc;

use leptos::prelude::*;
use posthog_groups::computed::Reach;
use posthog_groups::project_metrics::{Filed, Twice};
use posthog_groups::{GroupType, Metric, MetricDraft};

use crate::browser;
use crate::components::breakable::breakable;
use crate::components::metric_value::{value_cell, ValuesColumn};
use crate::state::explain;
use crate::state::metric_list::{Sort, SortKey};
use crate::state::project_list::{row_link_id, Row};
use crate::state::url::{metric_href, Target};

/// The table's id, the target of "Skip to results".
pub const RESULTS_ID: &str = "metric-results";

/// One row per metric: name (a link to it), the chosen group's value, where it is filed
/// (with its marks in words), calculation, source, interval, format, display, the
/// plain-language explanation, and its actions.
#[component]
pub fn ProjectMetricTable(
    /// The rows of this page, already filtered and sorted; keyed by index, id and content.
    #[prop(into)]
    rows: Signal<Vec<Row>>,
    /// The project's group types, to name each row's index.
    #[prop(into)]
    group_types: Signal<Vec<GroupType>>,
    /// Host, project and chosen group, kept in links.
    #[prop(into)]
    target: Signal<Target>,
    /// The current sort; headers toggle it.
    sort: RwSignal<Sort>,
    /// Whether edit and delete are offered.
    can_write: bool,
    /// Called to delete a metric (undoable), with its index.
    #[prop(into)]
    on_delete: Callback<(u32, Metric)>,
    /// Called to move a metric filed outside index 0 into PostHog's list.
    #[prop(into)]
    on_move: Callback<Filed>,
    /// The chosen group's values: a column after the name while a group is chosen.
    #[prop(into)]
    values: Signal<Option<ValuesColumn>>,
) -> impl IntoView {
    let base = browser::app_link("");
    let header = move |label, key| sort_header(label, key, sort);
    view! {
        <table id=RESULTS_ID tabindex="-1" class="data-table metrics project-metrics stack" class:with-values=move || values.with(Option::is_some)>
            <caption class="visually-hidden">"Usage metrics of this project"</caption>
            <thead>
                <tr>
                    {header("Name", SortKey::Name)}
                    {move || values.with(|c| c.as_ref().map(|c| view! { <th scope="col">{c.heading.clone()}</th> }))}
                    <th scope="col">"Filed under"</th>
                    {header("Calculation", SortKey::Calculation)}
                    <th scope="col" class="fold">"Source"</th>
                    {header("Interval", SortKey::Interval)}
                    <th scope="col" class="fold">"Format"</th>
                    <th scope="col" class="fold">"Display"</th>
                    <th scope="col">"What it shows"</th>
                    {can_write.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                </tr>
            </thead>
            <tbody>
                <For each=move || rows.get() key=row_key let(row)>
                {
                    let index = row.filed.index;
                    let filed = row.filed.clone();
                    let m = Rc::new(row.filed.metric);
                    let href = |edit: bool| {
                        let (base, id) = (base.clone(), m.id.clone());
                        move || format!("{base}{}", target.with(|t| metric_href(index, &id, t, edit)))
                    };
                    let (view_href, edit_href) = (href(false), href(true));
                    let sentence = explain::sentence(&MetricDraft::from(&*m));
                    let reach = Reach::of_metric(&m);
                    let name = m.name.clone();
                    let value_id = m.id.clone();
                    let filed_under = move || group_types.with(|list| filed_label(list, index));
                    let marks = row.marks;
                    let delete_metric = m.clone();
                    view! {
                        <tr class:never-computed=reach.never().is_some() class:outside-settings=marks.not_in_settings>
                            <th scope="row"><a href=view_href id=row_link_id(index, &m.id)>{breakable(&m.name)}</a></th>
                            {move || values.with(|c| c.as_ref().map(|c| view! { <td class="value-cell" data-label=c.heading.clone()>{value_cell(c, &value_id)}</td> }))}
                            <td data-label="Filed under" class="filed">
                                <span>{move || breakable(&filed_under())}</span>
                                {marks.not_in_settings.then(|| view! {
                                    <span class="mark outside">"Not in PostHog's settings"</span>
                                    <span class="mark-why">"PostHog computes it on every page, but its settings list only index 0, so no PostHog screen can edit or delete it."</span>
                                })}
                                {marks.shown_twice.map(|why| view! {
                                    <span class="mark twice">"Shown twice on each page"</span>
                                    <span class="mark-why">{match why {
                                        Twice::SameName => "Another group type index has a metric of the same name; each page shows both.",
                                        Twice::SameDefinition => "Another group type index has a metric that computes the same thing; each page shows both.",
                                    }}</span>
                                })}
                            </td>
                            <td data-label="Calculation">{breakable(&explain::calculation(&m.math, m.math_property.as_deref()))}</td>
                            <td class="fold" data-label="Source">{breakable(&explain::source(&m.filters))}</td>
                            <td class="num" data-label="Interval">{days(m.interval)}</td>
                            <td class="fold" data-label="Format">{m.format.to_string()}</td>
                            <td class="fold" data-label="Display">{m.display.to_string()}</td>
                            <td class="sentence" data-label="What it shows">{breakable(&sentence)}{reach_note(reach)}</td>
                            {can_write.then(|| view! {
                                <td class="row-actions">
                                    {marks.not_in_settings.then(|| {
                                        let filed = filed.clone();
                                        view! { <button type="button" class="link" aria-label=format!("Move {name} into PostHog's list") on:click=move |_| on_move.run(filed.clone())>"Move"</button> }
                                    })}
                                    <a href=edit_href aria-label=format!("Edit {name}")>"Edit"</a>
                                    <button type="button" class="danger-link" aria-label=format!("Delete {name}") on:click=move |_| on_delete.run((index, Metric::clone(&delete_metric)))>"Delete"</button>
                                </td>
                            })}
                        </tr>
                    }
                }
                </For>
            </tbody>
        </table>
    }
}

/// "Organizations (index 0)": the group type's plural name and the index, or the bare
/// index when no group type holds it (the server does not check that one does).
pub fn filed_label(group_types: &[GroupType], index: u32) -> String {
    match group_types.iter().find(|g| g.group_type_index == index) {
        Some(g) => format!("{} (index {index})", g.shown_plural()),
        None => format!("Index {index} (no group type)"),
    }
}

/// A row's key: where it is filed, its id, what it shows and its marks, so a row is built
/// again only when one of them changed.
fn row_key(r: &Row) -> (u32, String, String, bool, bool) {
    let content = serde_json::to_string(&r.filed.metric).unwrap_or_default();
    (
        r.filed.index,
        r.filed.metric.id.clone(),
        content,
        r.marks.not_in_settings,
        r.marks.shown_twice.is_some(),
    )
}

/// A column header that sorts the table by `key` (a second press reverses it), with
/// `aria-sort` saying the order in force.
pub fn sort_header(label: &'static str, key: SortKey, sort: RwSignal<Sort>) -> impl IntoView {
    view! {
        <th scope="col" aria-sort=move || sort.get().aria(key)>
            <button type="button" class="sort" on:click=move |_| sort.update(|s| *s = s.toggled(key))>
                {label}
            </button>
        </th>
    }
}

/// What a row says beyond its sentence about where PostHog shows the metric: nothing for
/// the usual case (every group page and person pages), otherwise the exception in words,
/// not only as colour.
pub fn reach_note(reach: Reach) -> Option<impl IntoView> {
    let (class, text) = match reach {
        Reach::GroupAndPersonPages => return None,
        Reach::GroupPagesOnly => ("reach-note", "Group pages only: not shown on person pages."),
        Reach::Never(why) => ("reach-note never", why.text()),
    };
    Some(view! { <span class=class>{text}</span> })
}

/// "7 days", "1 day".
pub fn days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}
