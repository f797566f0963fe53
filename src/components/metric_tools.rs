//! The toolbar above a metric list: name filter, new metric, export and import; and the
//! dialogs those open.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::browser;
use crate::components::error_panel::ErrorPanel;
use crate::components::import_metrics::ImportMetricsDialog;
use crate::components::notice::Notice;
use crate::state::connection::Connection;
use crate::state::transfer::{export, ExportSource};
use crate::state::url::{href, Target};

/// Filter, New metric, Export, Import.
#[component]
pub fn MetricTools(
    /// Where the metrics live.
    connection: Connection,
    /// The group type shown.
    index: u32,
    /// Host and project, kept in links.
    target: Target,
    /// Whether the key may create metrics.
    #[prop(into)]
    can_write: Signal<bool>,
    /// The name filter, applied within the loaded page.
    filter: RwSignal<String>,
) -> impl IntoView {
    let notice = Notice::expect();
    let export_error = RwSignal::new(None::<posthog_groups::ApiError>);
    let exporting = RwSignal::new(false);
    let conn = StoredValue::new(connection);
    let on_export = move |_| {
        exporting.set(true);
        export_error.set(None);
        spawn_local(async move {
            let conn = conn.get_value();
            match api::all_metrics(&conn, index).await {
                Ok(metrics) => {
                    let source = ExportSource {
                        host: conn.host.to_string(),
                        project: conn.project.to_string(),
                        group_type_index: index,
                    };
                    let name = format!("metrics-project-{}-group-type-{index}.json", conn.project);
                    if browser::download_text(&name, &export(source, &metrics)) {
                        notice.show(format!("Exported {} metrics to {name}.", metrics.len()));
                    }
                }
                Err(e) => export_error.set(Some(e)),
            }
            exporting.set(false);
        });
    };
    let new_href = browser::app_link(&href(&format!("/group-types/{index}/metrics/new"), &target));
    let importing = RwSignal::new(false);
    view! {
        <div class="toolbar">
            <label class="filter">
                "Filter by name "
                <input type="search" bind:value=filter placeholder="Name contains…" />
            </label>
            <Show when=move || can_write.get()>
                <a href=new_href.clone() class="button-link primary">"New metric"</a>
            </Show>
            <button type="button" on:click=on_export disabled=exporting>
                {move || if exporting.get() { "Exporting…" } else { "Export" }}
            </button>
            <Show when=move || can_write.get()>
                <button type="button" on:click=move |_| importing.set(true)>"Import"</button>
            </Show>
        </div>
        {move || export_error.get().map(|e| view! { <ErrorPanel error=e /> })}
        <Show when=move || importing.get()>
            <ImportMetricsDialog connection=conn.get_value() default_index=index on_close=move |_| importing.set(false) />
        </Show>
    }
}
