//! The table of one page of metrics, sortable within the page.

use std::rc::Rc;

use leptos::prelude::*;
use posthog_groups::{Metric, MetricDraft};

use crate::browser;
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
    /// Host and project, kept in links.
    target: Target,
    /// The current sort; headers toggle it.
    sort: RwSignal<Sort>,
    /// Whether edit, copy and delete are offered.
    can_write: bool,
    /// Called to copy a metric to another group type.
    #[prop(into)]
    on_copy: Callback<Metric>,
    /// Called to delete a metric (undoable).
    #[prop(into)]
    on_delete: Callback<Metric>,
) -> impl IntoView {
    let base = browser::app_link("");
    let target = StoredValue::new(target);
    let header = move |label: &'static str, key: SortKey| {
        view! {
            <th scope="col" aria-sort=move || sort.get().aria(key)>
                <button type="button" class="sort" on:click=move |_| sort.update(|s| *s = s.toggled(key))>
                    {label}
                </button>
            </th>
        }
    };
    view! {
        <table class="data-table metrics">
            <caption class="visually-hidden">"Usage metrics of this group type"</caption>
            <thead>
                <tr>
                    {header("Name", SortKey::Name)}
                    {header("Calculation", SortKey::Calculation)}
                    <th scope="col">"Source"</th>
                    {header("Interval", SortKey::Interval)}
                    <th scope="col">"Format"</th>
                    <th scope="col">"Display"</th>
                    <th scope="col">"What it shows"</th>
                    {can_write.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                </tr>
            </thead>
            <tbody>
                <For each=move || metrics.get() key=row_key let(m)>
                {
                    // One shared copy for the row and both buttons; a click clones it for
                    // the callback.
                    let m = Rc::new(m);
                    // The base is read from the document once per table, not twice per row.
                    let (view_href, edit_href) = target.with_value(|t| {
                        (
                            format!("{base}{}", metric_href(index, &m.id, t, false)),
                            format!("{base}{}", metric_href(index, &m.id, t, true)),
                        )
                    });
                    let sentence = explain::sentence(&MetricDraft::from(&*m));
                    let name = m.name.clone();
                    let (copy_metric, delete_metric) = (m.clone(), m.clone());
                    view! {
                        <tr>
                            <th scope="row"><a href=view_href>{m.name.clone()}</a></th>
                            <td>{explain::calculation(&m.math, m.math_property.as_deref())}</td>
                            <td>{explain::source(&m.filters)}</td>
                            <td>{days(m.interval)}</td>
                            <td>{m.format.to_string()}</td>
                            <td>{m.display.to_string()}</td>
                            <td class="sentence">{sentence}</td>
                            {can_write.then(|| view! {
                                <td class="row-actions">
                                    <a href=edit_href aria-label=format!("Edit {name}")>"Edit"</a>
                                    <button type="button" class="link" aria-label=format!("Copy {name}") on:click=move |_| on_copy.run(Metric::clone(&copy_metric))>"Copy"</button>
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
