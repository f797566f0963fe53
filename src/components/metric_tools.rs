//! The toolbar above the project's metric list: name filter, the screen's own controls,
//! New metric, Export and Import; and the dialogs those open.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::browser;
use crate::components::error_panel::ErrorPanel;
use crate::components::import_metrics::ImportMetricsDialog;
use crate::components::notice::Notice;
use crate::state::connection::Connection;
use crate::state::project_list;
use crate::state::transfer::{export, ExportSource};
use crate::state::url::{href, new_metric_href, Target};

/// Filter, the screen's controls (`children`), New metric, Export, Import.
#[component]
pub fn MetricTools(
    /// Where the metrics live.
    connection: Connection,
    /// Host and project, kept in links.
    #[prop(into)]
    target: Signal<Target>,
    /// Whether the key may create metrics.
    #[prop(into)]
    can_write: Signal<bool>,
    /// The name filter.
    filter: RwSignal<String>,
    /// The index the list is narrowed to: Export writes those metrics, else the project's.
    #[prop(into)]
    narrowed_to: Signal<Option<u32>>,
    /// The screen's own controls, after the filter.
    children: Children,
) -> impl IntoView {
    let notice = Notice::expect();
    let export_error = RwSignal::new(None::<posthog_groups::ApiError>);
    let exporting = RwSignal::new(false);
    let conn = StoredValue::new(connection);
    let on_export = move |_| {
        if exporting.get_untracked() {
            return;
        }
        exporting.set(true);
        export_error.set(None);
        let index = narrowed_to.get_untracked();
        spawn_local(async move {
            let conn = conn.get_value();
            let read = match index {
                Some(i) => api::all_metrics(&conn, i).await,
                None => project_list::read(&conn)
                    .await
                    .map(|(_, list)| list.into_iter().map(|f| f.metric).collect()),
            };
            match read {
                Ok(metrics) => {
                    let source = ExportSource {
                        host: conn.host.to_string(),
                        project: conn.project.to_string(),
                        group_type_index: index,
                    };
                    let name = match index {
                        Some(i) => format!("metrics-project-{}-group-type-{i}.json", conn.project),
                        None => format!("metrics-project-{}.json", conn.project),
                    };
                    if browser::download_text(&name, &export(source, &metrics)) {
                        notice.show(format!("Exported {} metrics to {name}.", metrics.len()));
                    }
                }
                Err(e) => export_error.set(Some(e)),
            }
            exporting.set(false);
        });
    };
    let new_href = move || browser::app_link(&new_metric_href(&target.get()));
    let importing = RwSignal::new(false);
    view! {
        <div class="toolbar">
            <label class="filter">
                "Filter by name "
                <input type="search" bind:value=filter placeholder="Name contains…" />
            </label>
            {children()}
            <Show when=move || can_write.get()>
                <a href=new_href class="button-link primary">"New metric"</a>
            </Show>
            // aria-disabled, not disabled: a disabled button loses focus to <body>.
            <button type="button" on:click=on_export aria-disabled=move || exporting.get().to_string()>
                {move || if exporting.get() { "Exporting…" } else { "Export" }}
            </button>
            <Show when=move || can_write.get()>
                <button type="button" on:click=move |_| importing.set(true)>"Import"</button>
            </Show>
            // Not in the header: a fourth link wraps the header onto two lines on a phone.
            <a href=move || browser::app_link(&href("/compare", &target.get().without_group())) class="button-link">
                "Compare with another project"
            </a>
        </div>
        {move || export_error.get().map(|e| view! { <ErrorPanel error=e /> })}
        <Show when=move || importing.get()>
            <ImportMetricsDialog connection=conn.get_value() on_close=move |_| importing.set(false) />
        </Show>
    }
}
