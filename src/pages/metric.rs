//! One metric, loaded with the retrieve endpoint so a deep link works cold.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use posthog_groups::{ApiError, FilterSource, Metric, MetricDraft};

use crate::api;
use crate::api::fresh::fresh_resource;
use crate::browser;
use crate::components::error_panel::ErrorPanel;
use crate::components::metric_table::days;
use crate::components::not_connected::NotConnected;
use crate::state::connection::{use_connection, use_metric_route, Connection, Session};
use crate::state::explain;
use crate::state::pending_deletes::PendingDeletes;
use crate::state::url::{metric_href, metrics_href, Target};

/// The route `/group-types/:index/metrics/:id`.
#[component]
pub fn MetricPage() -> impl IntoView {
    let (target, connection) = use_connection();
    let route = use_metric_route();
    move || {
        match (connection.get(), route.get()) {
        (None, _) => view! { <h1>"Usage metric"</h1><NotConnected target=target.get() /> }.into_any(),
        (Some(conn), (Some(index), Some(id))) => view! { <MetricView connection=conn index=index id=id target=target.get() /> }.into_any(),
        _ => view! { <h1>"Usage metric"</h1><p class="error-panel" role="alert">"This address names no valid metric."</p> }.into_any(),
    }
    }
}

#[component]
fn MetricView(connection: Connection, index: u32, id: String, target: Target) -> impl IntoView {
    let conn = StoredValue::new(connection);
    let id = StoredValue::new(id);
    let session = Session::expect();
    let loaded = fresh_resource(move |check| async move {
        let (conn, id) = (conn.get_value(), id.get_value());
        // The answer of a save just made is this metric as stored: no need to ask again.
        let fresh = session
            .fresh_metric
            .get_untracked()
            .filter(|(c, m)| *c == conn && m.id == id);
        if let Some((_, metric)) = fresh {
            session.fresh_metric.set(None);
            return Ok(metric);
        }
        api::get_metric_fresh(&conn, index, &id, move |r| check.replace(r)).await
    });
    let back = browser::app_link(&metrics_href(index, &target, 25, 0));
    view! {
        <Transition fallback=|| view! { <h1>"Usage metric"</h1><p class="loading" role="status">"Loading…"</p> }>
            {move || loaded.get().map(|r| match r {
                Ok(m) => view! { <MetricDetails metric=m connection=conn.get_value() index=index target=target.clone() /> }.into_any(),
                Err(ApiError::NotFound { .. }) => view! {
                    <h1>"Metric not found"</h1>
                    <div class="empty-state" role="alert">
                        <p>"This metric does not exist; it may have been deleted."</p>
                        <p><a href=back.clone()>"Back to the metrics of this group type"</a></p>
                    </div>
                }.into_any(),
                Err(e) => view! { <h1>"Usage metric"</h1><ErrorPanel error=e on_retry=move |_| loaded.refetch() /> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn MetricDetails(
    metric: Metric,
    connection: Connection,
    index: u32,
    target: Target,
) -> impl IntoView {
    let pending = PendingDeletes::expect();
    let navigate = use_navigate();
    let can_write = Session::expect().can_write_metrics(StoredValue::new(connection.clone()));
    let draft = MetricDraft::from(&metric);
    let edit = browser::app_link(&metric_href(index, &metric.id, &target, true));
    let back_path = metrics_href(index, &target, 25, 0);
    let back = browser::app_link(&back_path);
    let filters_json = serde_json::to_string_pretty(&metric.filters).unwrap_or_default();
    let source_detail = match metric.filters.source() {
        FilterSource::DataWarehouse => format!(
            "Table {}, timestamp column {}, key column {}",
            metric.filters.str_field("table_name").unwrap_or("—"),
            metric.filters.str_field("timestamp_field").unwrap_or("—"),
            metric.filters.str_field("key_field").unwrap_or("—")
        ),
        _ => {
            let events = metric.filters.event_names();
            if events.is_empty() {
                "All events".to_string()
            } else {
                format!("Events: {}", events.join(", "))
            }
        }
    };
    let to_delete = StoredValue::new(metric.clone());
    let on_delete = move |_| {
        pending.schedule(connection.clone(), index, to_delete.get_value());
        navigate(&back_path, Default::default());
    };
    view! {
        <h1 id="metric-title" tabindex="-1">{metric.name.clone()}</h1>
        <p class="lead">{explain::sentence(&draft)}</p>
        <dl class="details">
            <dt>"Calculation"</dt><dd>{explain::calculation(&metric.math, metric.math_property.as_deref())}</dd>
            <dt>"Source"</dt><dd>{explain::source(&metric.filters)}" — "{source_detail}</dd>
            <dt>"Interval"</dt><dd>{days(metric.interval)}</dd>
            <dt>"Format"</dt><dd>{metric.format.to_string()}</dd>
            <dt>"Display"</dt><dd>{metric.display.to_string()}</dd>
            <dt>"Test accounts"</dt><dd>{if metric.filters.filter_test_accounts() { "Filtered out" } else { "Included" }}</dd>
            <dt>"Id"</dt><dd><code>{metric.id.clone()}</code></dd>
        </dl>
        <details class="raw-filters">
            <summary>"Filters as stored (JSON)"</summary>
            <pre>{filters_json}</pre>
        </details>
        <div class="form-buttons">
            <Show when=move || can_write.get()>
                <a href=edit.clone() class="button-link primary">"Edit"</a>
                <button type="button" class="danger" on:click=on_delete.clone()>"Delete"</button>
            </Show>
            <a href=back class="button-link">"Back to the metrics"</a>
        </div>
    }
}
