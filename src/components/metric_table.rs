//! The table of one page of metrics, sortable within the page.

use std::rc::Rc;

use leptos::prelude::*;
use posthog_groups::computed::Reach;
use posthog_groups::{Metric, MetricDraft};

use crate::browser;
use crate::components::metric_value::{value_cell, ValuesColumn};
use crate::state::explain;
use crate::state::metric_list::{Sort, SortKey};
use crate::state::url::{metric_href, Target};

/// One row per metric: name (a link to it), calculation, source, interval, format,
/// display, the plain-language explanation, and its actions.
#[component]
pub fn MetricTable(
    /// The metrics to show, already filtered and sorted. Rows are keyed by id and content:
    /// when the list changes (a new answer, a sort, the filter, a delete undone or refused),
    /// the other rows stay as they are, so nothing moves under the pointer unasked.
    #[prop(into)]
    metrics: Signal<Vec<Metric>>,
    /// The group type they belong to.
    index: u32,
    /// Host, project and chosen group, kept in links.
    #[prop(into)]
    target: Signal<Target>,
    /// The current sort; headers toggle it.
    sort: RwSignal<Sort>,
    /// Whether edit and delete are offered.
    can_write: bool,
    /// Called to delete a metric (undoable).
    #[prop(into)]
    on_delete: Callback<Metric>,
    /// The chosen group's values: a column after the name while a group is chosen.
    #[prop(optional, into)]
    values: Option<Signal<Option<ValuesColumn>>>,
) -> impl IntoView {
    let base = browser::app_link("");
    let header = move |label, key| sort_header(label, key, sort);
    view! {
        <table class="data-table metrics stack" class:with-values=move || values.is_some_and(|v| v.try_with(Option::is_some).unwrap_or(false))>
            <caption class="visually-hidden">"Usage metrics of this group type"</caption>
            <thead>
                <tr>
                    {header("Name", SortKey::Name)}
                    {values.map(|v| move || v.try_with(|c| c.as_ref().map(|c| view! { <th scope="col">{c.heading.clone()}</th> })).flatten())}
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
                <For each=move || metrics.get() key=row_key let(m)>
                {
                    // One shared copy for the row and its Delete button; a click clones it for
                    // the callback.
                    let m = Rc::new(m);
                    // The base is read from the document once per table, not twice per row; the
                    // links follow the chosen group without the row being built again.
                    let href = |edit: bool| {
                        let (base, id) = (base.clone(), m.id.clone());
                        move || format!("{base}{}", target.with(|t| metric_href(index, &id, t, edit)))
                    };
                    let (view_href, edit_href) = (href(false), href(true));
                    let value_id = m.id.clone();
                    let sentence = explain::sentence(&MetricDraft::from(&*m));
                    let reach = Reach::of_metric(&m);
                    let name = m.name.clone();
                    let delete_metric = m.clone();
                    view! {
                        <tr class:never-computed=reach.never().is_some()>
                            <th scope="row"><a href=view_href>{m.name.clone()}</a></th>
                            {values.map(|v| move || v.try_with(|c| c.as_ref().map(|c| view! { <td class="value-cell" data-label=c.heading.clone()>{value_cell(c, &value_id)}</td> })).flatten())}
                            <td data-label="Calculation">{explain::calculation(&m.math, m.math_property.as_deref())}</td>
                            <td class="fold" data-label="Source">{explain::source(&m.filters)}</td>
                            <td class="num" data-label="Interval">{days(m.interval)}</td>
                            <td class="fold" data-label="Format">{m.format.to_string()}</td>
                            <td class="fold" data-label="Display">{m.display.to_string()}</td>
                            <td class="sentence" data-label="What it shows">{sentence}{reach_note(reach)}</td>
                            {can_write.then(|| view! {
                                <td class="row-actions">
                                    <a href=edit_href aria-label=format!("Edit {name}")>"Edit"</a>
                                    <button type="button" class="danger-link" aria-label=format!("Delete {name}") on:click=move |_| on_delete.run(Metric::clone(&delete_metric))>"Delete"</button>
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

/// A row's key: its id, and what it shows, so an edited metric's row is built again while
/// an unchanged one stays.
fn row_key(m: &Metric) -> (String, String) {
    let content = serde_json::to_string(m).unwrap_or_default();
    (m.id.clone(), content)
}

/// "7 days", "1 day".
pub fn days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}
