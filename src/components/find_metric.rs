//! A metric's address without the index it is filed under (`/metrics/<id>`, typed or
//! shared by hand): the project's list says where it is, then the address gains `?index=`.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use posthog_groups::ApiError;

use crate::browser;
use crate::components::error_panel::ErrorPanel;
use crate::state::connection::Connection;
use crate::state::project_list;
use crate::state::url::{metric_href, metrics_list_href, Target};

/// Finds metric `id` among the project's metrics and opens its full address (its form when
/// `edit`), or says it does not exist.
#[component]
pub fn FindMetric(
    /// Whose metrics to search.
    connection: Connection,
    /// The metric's id.
    id: String,
    /// Host, project and group, kept in the address.
    target: Target,
    /// Whether the form was asked for.
    edit: bool,
) -> impl IntoView {
    let conn = StoredValue::new(connection);
    let wanted = StoredValue::new(id);
    let found = LocalResource::new(move || async move {
        let (_, list) = project_list::read(&conn.get_value()).await?;
        let id = wanted.get_value();
        Ok::<_, ApiError>(
            list.into_iter()
                .find(|f| f.metric.id == id)
                .map(|f| f.index),
        )
    });
    let navigate = use_navigate();
    let to = target.clone();
    Effect::new(move |_| {
        if let Some(Ok(Some(index))) = found.get() {
            let path = metric_href(index, &wanted.get_value(), &to, edit);
            let options = NavigateOptions {
                replace: true,
                ..Default::default()
            };
            navigate(&path, options);
        }
    });
    let back = browser::app_link(&metrics_list_href(&target));
    view! {
        <h1 id="metric-title" tabindex="-1">"Usage metric"</h1>
        {move || match found.get() {
            None | Some(Ok(Some(_))) => view! { <p class="loading" role="status">"Finding the metric…"</p> }.into_any(),
            Some(Ok(None)) => view! {
                <div class="empty-state" role="alert">
                    <p>"No metric of this project has this id; it may have been deleted."</p>
                    <p><a href=back.clone()>"Back to the metrics"</a></p>
                </div>
            }.into_any(),
            Some(Err(e)) => view! { <ErrorPanel error=e on_retry=move |_| found.refetch() /> }.into_any(),
        }}
    }
}
