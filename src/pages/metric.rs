//! One metric, loaded with the retrieve endpoint so a deep link works cold.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use posthog_groups::capability::Access;
use posthog_groups::computed::Reach;
use posthog_groups::project_metrics::SETTINGS_INDEX;
use posthog_groups::{request, ApiError, FilterSource, GroupRef, GroupType, Metric, MetricDraft};

use crate::api;
use crate::api::read::fresh_resource;
use crate::browser;
use crate::components::breakable::breakable;
use crate::components::error_panel::ErrorPanel;
use crate::components::find_metric::FindMetric;
use crate::components::group_values::{GroupValues, GroupValuesBar, Values};
use crate::components::metric_value::UsageCard;
use crate::components::not_connected::NotConnected;
use crate::components::project_metric_table::{days, filed_label};
use crate::state::connection::{use_connection, use_metric_route, Connection, Session};
use crate::state::explain;
use crate::state::pending_deletes::PendingDeletes;
use crate::state::pickers::{self, Kind};
use crate::state::url::{metric_href, metrics_list_href, Target};

/// The route `/metrics/:id` (the index it is filed under in `?index=`).
#[component]
pub fn MetricPage() -> impl IntoView {
    let (target, connection) = use_connection();
    let route = use_metric_route();
    // Choosing a group changes the values shown, not the page.
    let screen_target = Memo::new(move |_| target.with(Target::without_group));
    move || {
        match (connection.get(), route.get()) {
        (None, _) => view! { <h1>"Usage metric"</h1><NotConnected target=screen_target.get() /> }.into_any(),
        (Some(conn), (Some(index), Some(id))) => view! { <MetricView connection=conn index=index id=id target=target /> }.into_any(),
        (Some(conn), (None, Some(id))) => view! { <FindMetric connection=conn id=id target=target.get() edit=false /> }.into_any(),
        _ => view! { <h1>"Usage metric"</h1><p class="error-panel" role="alert">"This address names no valid metric."</p> }.into_any(),
    }
    }
}

#[component]
fn MetricView(
    connection: Connection,
    index: u32,
    id: String,
    target: Memo<Target>,
) -> impl IntoView {
    let conn = StoredValue::new(connection);
    let id = StoredValue::new(id);
    // The answer of a save just made is this metric as stored: the read layer adopts it.
    let loaded = fresh_resource(move |check| async move {
        let (conn, id) = (conn.get_value(), id.get_value());
        api::get_metric_fresh(&conn, index, &id, move |r| check.replace(r)).await
    });
    // Another tab saved or deleted this metric: read it again (a delete shows "not found").
    let other = api::read::other_tab_writes_from_now();
    Effect::new(move |_| {
        let Some(w) = other.get() else {
            return;
        };
        let this = conn
            .with_value(|c| w.touches(c, &request::get_metric(&c.project, index, &id.get_value())));
        if this {
            loaded.refetch();
        }
    });
    let back = browser::app_link(&metrics_list_href(&target.get_untracked()));
    let values = GroupValues::new(conn, target);
    let navigate = use_navigate();
    let choose_group = Callback::new(move |group: Option<GroupRef>| {
        let to = target.get_untracked().with_group(group.as_ref());
        // No jump to the top: the chooser keeps focus, in sight.
        navigate(
            &metric_href(index, &id.get_value(), &to, false),
            leptos_router::NavigateOptions {
                scroll: false,
                ..Default::default()
            },
        );
    });
    let type_list = group_type_choices(conn, index, values);
    let shown = move || matches!(loaded.get(), Some(Ok(_)));
    view! {
        // No `<Transition>` (see the group types page): the last answer stays while read again.
        {move || loaded.with(Option::is_none).then(|| view! { <h1>"Usage metric"</h1><p class="loading" role="status">"Loading…"</p> })}
            {move || loaded.get().map(|r| match r {
                Ok(m) => view! { <MetricDetails metric=m connection=conn.get_value() index=index target=target /> }.into_any(),
                Err(ApiError::NotFound { .. }) => view! {
                    <h1>"Metric not found"</h1>
                    <div class="empty-state" role="alert">
                        <p>"This metric does not exist; it may have been deleted."</p>
                        <p><a href=back.clone()>"Back to the metrics"</a></p>
                    </div>
                }.into_any(),
                Err(e) => view! { <h1>"Usage metric"</h1><ErrorPanel error=e on_retry=move |_| loaded.refetch() /> }.into_any(),
            })}
        // Mounted once for the page (not per answer), so a check of the metric keeps the
        // chosen group's state.
        <Show when=shown>
            <GroupValuesBar values=values connection=conn group_types=type_list index=index on_choose=choose_group />
            {move || metric_card(values, &id.get_value())}
        </Show>
    }
}

/// The group types offered by the group choice: the list seen last, else asked for once the
/// user turns to the choice (or a group is chosen), so a cold deep link to a metric sends no
/// extra read unasked. Until then, the page's own type.
fn group_type_choices(
    conn: StoredValue<Connection>,
    index: u32,
    values: GroupValues,
) -> Signal<Vec<GroupType>> {
    let listed = LocalResource::new(move || {
        let wanted = values.group.get().is_some();
        async move {
            if wanted {
                api::list_group_types_recent(&conn.get_value()).await.ok()
            } else {
                None
            }
        }
    });
    Signal::derive(move || {
        let known = api::group_types_seen(&conn.get_value());
        known.or_else(|| listed.get().flatten()).unwrap_or_else(|| {
            vec![GroupType {
                group_type: format!("group type {index}"),
                group_type_index: index,
                name_singular: None,
                name_plural: None,
                detail_dashboard: None,
                default_columns: None,
                created_at: None,
            }]
        })
    })
}

/// PostHog's card for this metric and the chosen group, or why there is none.
fn metric_card(values: GroupValues, id: &str) -> Option<AnyView> {
    let Some(Some(Values::Loaded(answer))) = values.state() else {
        return None;
    };
    let group = values.name().unwrap_or_default();
    Some(match answer.of(id) {
        Some(v) => view! { <UsageCard value=v.clone() group=group /> }.into_any(),
        None => view! {
            <p class="not-computed" id="value-not-computed">
                {format!("Not computed: PostHog leaves this metric out of the values it shows for {group}.")}
            </p>
        }
        .into_any(),
    })
}

#[component]
fn MetricDetails(
    metric: Metric,
    connection: Connection,
    index: u32,
    target: Memo<Target>,
) -> impl IntoView {
    let pending = PendingDeletes::expect();
    let navigate = use_navigate();
    let session = Session::expect();
    let can_write = session.can_write_metrics(StoredValue::new(connection.clone()));
    // Named by the group types seen last (no read of its own: "Index 1" until they are known).
    let filed_conn = connection.clone();
    let filed_under = move || match api::group_types_seen(&filed_conn) {
        Some(list) => filed_label(&list, index),
        None => format!("Index {index}"),
    };
    let filed_note = if index == SETTINGS_INDEX {
        "listed in PostHog's settings."
    } else {
        "not in PostHog's settings: PostHog computes it on every page, but its settings list only index 0, so no PostHog screen can edit or delete it."
    };
    let draft = MetricDraft::from(&metric);
    // The links keep the chosen group, which may change while the page is shown.
    let metric_id = metric.id.clone();
    let edit = move || browser::app_link(&metric_href(index, &metric_id, &target.get(), true));
    let back = move || browser::app_link(&metrics_list_href(&target.get()));
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
    // The project's own definitions, where the key may read them: events never seen are
    // flagged, actions named (a metric stores their ids).
    let (known_conn, known_filters) = (connection.clone(), metric.filters.clone());
    let known = LocalResource::new(move || {
        let (conn, filters) = (known_conn.clone(), known_filters.clone());
        async move {
            // Not known (no key record): each read is tried, and a refusal leaves it out.
            let access = match session.capabilities_for(&conn, false).await {
                Some(caps) => caps.pickers,
                None => [(); 4].map(|()| Access::Unchecked),
            };
            pickers::known_of(&conn, &access, &filters).await
        }
    });
    let known = move || known.get().unwrap_or_default();
    let has_actions = metric.filters.action_count() > 0;
    let reach = Reach::of_metric(&metric);
    let shown_on = match reach {
        Reach::Never(_) => "Nowhere: PostHog never computes it (see above).",
        other => other.text(),
    };
    let to_delete = StoredValue::new(metric.clone());
    let on_delete = move |_| {
        pending.schedule(connection.clone(), index, to_delete.get_value());
        navigate(
            &metrics_list_href(&target.get_untracked()),
            Default::default(),
        );
    };
    view! {
        <h1 id="metric-title" tabindex="-1">{breakable(&metric.name)}</h1>
        <p class="lead">{breakable(&explain::sentence(&draft))}</p>
        {reach.never().map(|why| view! { <p class="warning never-computed" id="metric-never">{why.text()}</p> })}
        <dl class="details">
            <dt>"Calculation"</dt><dd>{breakable(&explain::calculation(&metric.math, metric.math_property.as_deref()))}</dd>
            <dt>"Source"</dt><dd>
                {explain::source(&metric.filters)}" — "{breakable(&source_detail)}
                {move || known().unseen_events.into_iter().map(|name| view! {
                    <p class="warning unseen-event">{pickers::unseen(Kind::Event, &name)}</p>
                }).collect_view()}
            </dd>
            {has_actions.then(|| view! {
                <dt>"Actions"</dt>
                <dd id="metric-actions">{move || {
                    let named = known().actions;
                    if named.is_empty() { "Loading…".to_owned().into_any() } else { breakable(&named.join(", ")) }
                }}</dd>
            })}
            <dt>"Interval"</dt><dd>{days(metric.interval)}</dd>
            <dt>"Format"</dt><dd>{metric.format.to_string()}</dd>
            <dt>"Display"</dt><dd>{metric.display.to_string()}</dd>
            <dt>"Test accounts"</dt><dd>{if metric.filters.filter_test_accounts() { "Filtered out" } else { "Included" }}</dd>
            <dt>"Shown in PostHog"</dt><dd>{shown_on}</dd>
            <dt>"Filed under"</dt><dd>{move || breakable(&filed_under())}" — "{filed_note}</dd>
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
