//! A group type's usage metrics: one server page at a time, with the page in the URL.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use posthog_groups::model::page_window;
use posthog_groups::{GroupRef, Metric, Page};

use crate::api;
use crate::api::fresh::fresh_resource;
use crate::browser;
use crate::components::error_panel::ErrorPanel;
use crate::components::group_type_tabs::GroupTypeTabs;
use crate::components::group_values::{GroupValues, GroupValuesBar};
use crate::components::metric_table::MetricTable;
use crate::components::metric_tools::MetricTools;
use crate::components::not_connected::NotConnected;
use crate::components::pager::Pager;
use crate::state::connection::{use_connection, use_metric_route, Connection, Session};
use crate::state::metric_list::{visible, Sort};
use crate::state::pending_deletes::PendingDeletes;
use crate::state::url::{
    href, metrics_href, page_params, project_metrics_href, Target, PAGE_SIZES,
};

/// The route `/group-types/:index/metrics`.
#[component]
pub fn MetricsPage() -> impl IntoView {
    let (target, connection) = use_connection();
    let route = use_metric_route();
    let index = Memo::new(move |_| route.get().0);
    // Choosing a group changes the values shown, not the screen: it is built again only for
    // another connection or group type.
    let screen_target = Memo::new(move |_| target.with(Target::without_group));
    view! {
        <section aria-labelledby="metrics-title">
            <h1 id="metrics-title" tabindex="-1">"Usage metrics"</h1>
            <p class="lead">
                "Each tab shows the metrics filed under one group type, yet PostHog computes every metric of the project on every group and person page. "
                <a href=move || browser::app_link(&project_metrics_href(&screen_target.get(), "all", None, PAGE_SIZES[0], 0))>"See all the project's metrics in one list"</a>
            </p>
            {move || match (connection.get(), index.get()) {
                (None, _) => view! { <NotConnected target=screen_target.get() /> }.into_any(),
                (Some(_), None) => view! {
                    <p class="error-panel" role="alert">"This address names no valid group type. "
                        <a href=browser::app_link(&href("/group-types", &screen_target.get()))>"Back to the group types"</a></p>
                }.into_any(),
                (Some(conn), Some(i)) => view! { <MetricsScreen connection=conn index=i target=target /> }.into_any(),
            }}
        </section>
    }
}

/// The list for one connection and group type; paging and the chosen group change only the
/// URL's query (`target` follows it).
#[component]
fn MetricsScreen(connection: Connection, index: u32, target: Memo<Target>) -> impl IntoView {
    let session = Session::expect();
    let pending = PendingDeletes::expect();
    let query = use_query_map();
    let navigate = use_navigate();
    let page = Memo::new(move |_| {
        query.with(|q| page_params(q.get("limit").as_deref(), q.get("offset").as_deref()))
    });
    // The page the list loads, a signal of its own that an effect keeps equal to the URL's:
    // tracked through the memo itself, the list's resource sometimes missed a change of page
    // when other views read memos of the same query first (reactive_graph 0.2.16), and the
    // next page was never asked for.
    let wanted = RwSignal::new(page.get_untracked());
    Effect::new(move |_| {
        let now = page.get();
        if wanted.get_untracked() != now {
            wanted.set(now);
        }
    });
    let conn = StoredValue::new(connection);
    let group_types =
        LocalResource::new(move || async move { session.group_types(&conn.get_value()).await });
    let loaded = fresh_resource(move |fresh| {
        let (limit, offset) = wanted.get();
        // A delete reaching the server changes counts and pages: load again.
        pending.settled.track();
        // The window travels with its page: while the next loads, the pager still
        // describes the rows on screen.
        let shape = move |mut p: Page<Metric>| {
            // A server that ignores `limit` must not make the page render thousands of
            // rows: show what was asked for; the pager still says the count.
            p.results
                .truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            (limit, offset, p)
        };
        async move {
            let then = move |r: Result<Page<Metric>, _>| fresh.replace(r.map(shape));
            api::list_metrics_fresh(&conn.get_value(), index, (limit, offset), then)
                .await
                .map(shape)
        }
    });
    let sort = RwSignal::new(Sort::default());
    let filter = RwSignal::new(String::new());
    let can_write = session.can_write_metrics(conn);
    let refreshing = RwSignal::new(false);
    let link = move |limit: u64, offset: u64| {
        browser::app_link(&metrics_href(index, &target.get(), limit, offset))
    };
    let on_limit = {
        let navigate = navigate.clone();
        move |limit: u64| {
            navigate(
                &metrics_href(index, &target.get_untracked(), limit, 0),
                Default::default(),
            )
        }
    };
    let values = GroupValues::new(conn, target);
    let choose_group = Callback::new(move |group: Option<GroupRef>| {
        let (limit, offset) = page.get_untracked();
        let to = target.get_untracked().with_group(group.as_ref());
        navigate(&metrics_href(index, &to, limit, offset), Default::default());
    });
    let type_list =
        Signal::derive(move || group_types.get().and_then(Result::ok).unwrap_or_default());

    // The rows of the answer on screen, as shown: without the metrics waiting to be deleted,
    // filtered and sorted.
    let results = Memo::new(move |_| {
        loaded
            .get()
            .and_then(Result::ok)
            .map(|(_, _, p)| p.results)
            .unwrap_or_default()
    });
    let hidden = Memo::new(move |_| pending.hidden_ids(&conn.get_value(), index));
    let shown = Memo::new(move |_| {
        results.with(|r| hidden.with(|h| visible(r, h, &filter.get(), sort.get())))
    });
    let empty = move || results.with(|r| hidden.with(|h| r.iter().all(|m| h.contains(&m.id))));
    let filtered_out = move || !empty() && shown.with(Vec::is_empty);

    view! {
        {
            move || group_types.get().and_then(Result::ok).map(|list| view! {
                <GroupTypeTabs group_types=list current=index target=target.get() limit=page.get().0 />
            })
        }
        <MetricTools connection=conn.get_value() index=index target=target.get_untracked() can_write=can_write filter=filter />
        <GroupValuesBar values=values connection=conn group_types=type_list index=index on_choose=choose_group />
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading metrics…"</p> } set_pending=refreshing>
            <p class="refreshing" role="status">{move || refreshing.get().then_some("Loading…")}</p>
            {move || loaded.get().map(|result| match result {
                Err(error) => view! { <ErrorPanel error=error on_retry=move |_| loaded.refetch() /> }.into_any(),
                Ok(_) => view! {
                    <Show when=empty>
                        <div class="empty-state">
                            <p><strong>"No usage metrics on this page."</strong></p>
                            <p>"Usage metrics show per-group numbers such as paid bills or active seats on each group's page in PostHog. Create one with New metric, or import a file."</p>
                        </div>
                    </Show>
                    <Show when=filtered_out>
                        <p>"No metric on this page matches the filter."</p>
                    </Show>
                }.into_any(),
            })}
            // Mounted once for the screen, not per answer: its rows are keyed, so a new answer,
            // a sort, the filter or a delete undone or refused rebuilds or moves only the rows
            // that changed, and focus stays where it was.
            <Show when=move || !shown.with(Vec::is_empty)>
                <MetricTable
                    metrics=shown
                    index=index
                    target=target
                    values=values.column()
                    sort=sort
                    can_write=can_write.get()
                    on_delete=move |m| pending.schedule(conn.get_value(), index, m)
                />
            </Show>
            {
                let on_limit = on_limit.clone();
                move || loaded.get().and_then(Result::ok).map(|(limit, offset, p)| {
                    let follow = |l: &Option<String>| l.as_deref().and_then(page_window).map(|w| link(w.limit.unwrap_or(limit), w.offset));
                    view! {
                        <Pager
                            offset=offset
                            shown=p.results.len()
                            count=p.count
                            limit=limit
                            previous=follow(&p.previous)
                            next=follow(&p.next)
                            on_limit=on_limit.clone()
                        />
                    }
                })
            }
        </Transition>
    }
}
