//! The project's usage metrics, in one list: every metric of every group type index, as
//! PostHog computes them (all of them on every group and person page), each row saying where
//! it is filed and whether PostHog's own settings can show it.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use posthog_groups::project_metrics::{Filed, Placement};
use posthog_groups::{ApiError, GroupRef, GroupType};

use crate::api;
use crate::browser;
use crate::components::error_panel::ErrorPanel;
use crate::components::group_values::{GroupValues, GroupValuesBar};
use crate::components::metric_tools::MetricTools;
use crate::components::move_metrics::MoveMetricsDialog;
use crate::components::not_connected::NotConnected;
use crate::components::pager::{Pager, PagerAt, PAGER_BOTTOM_ID};
use crate::components::project_metric_table::{filed_label, ProjectMetricTable, RESULTS_ID};
use crate::components::skip_links::SkipLinks;
use crate::state::connection::{use_connection, Connection, Session};
use crate::state::metric_list::Sort;
use crate::state::notice::Notice;
use crate::state::pending_deletes::PendingDeletes;
use crate::state::project_list::{self, marked, narrowed, page, Narrow, Row};
use crate::state::url::{page_params, project_metrics_href, Target};

/// The route `/metrics`.
#[component]
pub fn ProjectMetricsPage() -> impl IntoView {
    let (target, connection) = use_connection();
    let screen_target = Memo::new(move |_| target.with(Target::without_group));
    view! {
        <section aria-labelledby="metrics-title">
            <h1 id="metrics-title" tabindex="-1">"Usage metrics"</h1>
            <p class="lead">
                "Usage metrics belong to the project: PostHog computes every one of them on every group page and person page, whatever group type it is filed under. "
                "The group type only decides whether PostHog's own settings list it: they show the metrics filed under index 0."
            </p>
            {move || match connection.get() {
                None => view! { <NotConnected target=screen_target.get() /> }.into_any(),
                Some(conn) => view! { <ProjectMetricsScreen connection=conn target=target /> }.into_any(),
            }}
        </section>
    }
}

/// The list's answer: the project's group types and its metrics.
type Answer = (Vec<GroupType>, Vec<Filed>);

/// A memo of one half of the list's answer, empty while there is none.
fn half<T>(
    loaded: LocalResource<Result<Answer, ApiError>>,
    pick: fn(&Answer) -> Vec<T>,
) -> Memo<Vec<T>>
where
    T: PartialEq + Send + Sync + 'static,
{
    Memo::new(move |_| {
        loaded.with(|r| {
            r.as_ref()
                .and_then(|r| r.as_ref().ok())
                .map(pick)
                .unwrap_or_default()
        })
    })
}

/// The list for one connection; paging, the placement filter and the index live in the URL.
#[component]
fn ProjectMetricsScreen(connection: Connection, target: Memo<Target>) -> impl IntoView {
    let session = Session::expect();
    let pending = PendingDeletes::expect();
    let query = use_query_map();
    let navigate = use_navigate();
    let conn = StoredValue::new(connection);
    let paging = Memo::new(move |_| {
        query.with(|q| page_params(q.get("limit").as_deref(), q.get("offset").as_deref()))
    });
    let placement = Memo::new(move |_| {
        query.with(|q| Placement::parse(q.get("placement").as_deref().unwrap_or("all")))
    });
    // `index=` narrows the list to the metrics filed under one group type index (where the
    // per-group-type tabs and their old addresses lead).
    let filed_under =
        Memo::new(move |_| query.with(|q| q.get("index").and_then(|i| i.parse::<u32>().ok())));
    let writes = api::read::writes();
    let loaded = LocalResource::new(move || {
        // A delete reaching the server (or a move, an import) changes the list: read it again.
        writes.track();
        async move {
            // A write can wake this just as the page is left: then there is nothing to read.
            let conn = conn.try_get_value().ok_or(ApiError::Aborted)?;
            project_list::read(&conn).await
        }
    });
    let sort = RwSignal::new(Sort::default());
    let name_filter = RwSignal::new(String::new());
    let can_write = session.can_write_metrics(conn);
    // Memos, each cloning its half of the answer once: every row reads the group types (to
    // name its index), and a derived signal would clone the whole answer, list and all, on
    // each of those reads.
    let list = half(loaded, |(_, l)| l.clone());
    let group_types = half(loaded, |(t, _)| t.clone());
    let hidden = Memo::new(move |_| pending.hidden_in_project(&conn.get_value()));
    // Marks once per list (and per delete waiting), not per keystroke in the filter.
    let with_marks = Memo::new(move |_| list.with(|l| hidden.with(|h| marked(l, h))));
    let all_rows = Memo::new(move |_| {
        let narrow = Narrow {
            name: name_filter.get(),
            placement: placement.get(),
            index: filed_under.get(),
        };
        with_marks.with(|m| narrowed(m, &narrow, sort.get()))
    });
    let page_rows = Memo::new(move |_| {
        let (limit, offset) = paging.get();
        all_rows.with(|r| page(r, limit, offset).1.to_vec())
    });
    // The list's address with the filters in the URL as they are, but for what changes.
    let address = move |placement: Placement, index: Option<u32>, limit: u64, offset: u64| {
        project_metrics_href(
            &target.get_untracked(),
            placement.value(),
            index,
            limit,
            offset,
        )
    };
    let link = move |placement: Placement, limit: u64, offset: u64| {
        target.track();
        browser::app_link(&address(placement, filed_under.get(), limit, offset))
    };
    let on_limit = Callback::new({
        let navigate = navigate.clone();
        move |limit: u64| {
            let to = address(
                placement.get_untracked(),
                filed_under.get_untracked(),
                limit,
                0,
            );
            navigate(&to, Default::default())
        }
    });
    let on_placement = {
        let navigate = navigate.clone();
        move |ev: leptos::ev::Event| {
            let chosen = Placement::parse(&event_target_value(&ev));
            let (limit, _) = paging.get_untracked();
            let to = address(chosen, filed_under.get_untracked(), limit, 0);
            navigate(&to, Default::default());
        }
    };
    let on_index = {
        let navigate = navigate.clone();
        move |ev: leptos::ev::Event| {
            let chosen = event_target_value(&ev).parse::<u32>().ok();
            let (limit, _) = paging.get_untracked();
            let to = address(placement.get_untracked(), chosen, limit, 0);
            navigate(&to, Default::default());
        }
    };
    // Choosing a group changes the values shown and the URL, nothing else.
    let values = GroupValues::new(conn, target);
    // One memo for the page's life, not one per render of the table.
    let column = values.column();
    let choose_group = Callback::new(move |group: Option<GroupRef>| {
        let (limit, offset) = paging.get_untracked();
        let to = project_metrics_href(
            &target.get_untracked().with_group(group.as_ref()),
            placement.get_untracked().value(),
            filed_under.get_untracked(),
            limit,
            offset,
        );
        // The page stays where it is: the chooser keeps focus, and a jump to the top would
        // leave it out of sight.
        navigate(
            &to,
            NavigateOptions {
                scroll: false,
                ..Default::default()
            },
        );
    });
    let is_narrowed = move || {
        !name_filter.with(|f| f.trim().is_empty())
            || placement.get() != Placement::All
            || filed_under.get().is_some()
    };
    // Said by the status line, so a filter that cuts the list is announced with its count.
    let summary =
        move || with_marks.with(|m| all_rows.with(|shown| summary_text(m, shown, is_narrowed())));
    // A sort is announced too: `aria-sort` changing is not read out by every screen reader.
    let notice = Notice::expect();
    Effect::new(move |previous: Option<Sort>| {
        let now = sort.get();
        if previous.is_some_and(|p| p != now) {
            notice.show(format!("{}.", now.describe()));
        }
        now
    });
    // After Previous or Next, focus goes to the first row of the new page.
    let on_page = Callback::new(|()| browser::focus_selector_after_render(FIRST_ROW_LINK));
    // Where this page sits in the narrowed list, once for both pagers.
    let range = Memo::new(move |_| {
        let (limit, offset) = paging.get();
        all_rows.with(|r| {
            let (start, rows) = page(r, limit, offset);
            (start, rows.len(), r.len() as u64)
        })
    });
    let pager = move |at: PagerAt| {
        let (limit, _) = paging.get();
        let (start, shown, total) = range.get();
        let p = placement.get();
        let previous = (start > 0).then(|| link(p, limit, start.saturating_sub(limit)));
        let next = (start + (shown as u64) < total).then(|| link(p, limit, start + limit));
        // Above the list only when there is another page to go to.
        let wanted = total > 0 && (at == PagerAt::Bottom || total > limit);
        wanted.then(|| view! {
            <Pager offset=start shown=shown count=total limit=limit previous=previous next=next on_limit=on_limit on_page=on_page at=at />
        })
    };
    let moving = RwSignal::new(None::<Vec<Filed>>);
    let outside = Memo::new(move |_| {
        list.with(|l| {
            l.iter()
                .filter(|f| !f.in_settings())
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    // Read once, when the dialog opens: the list read again after a move must not build
    // the dialog again.
    let index0 = move || {
        list.with_untracked(|l| {
            l.iter()
                .filter(|f| f.in_settings())
                .map(|f| f.metric.clone())
                .collect::<Vec<_>>()
        })
    };
    let empty = move || list.with(Vec::is_empty);
    let filtered_out = move || !empty() && all_rows.with(Vec::is_empty);
    view! {
        <SkipLinks results=RESULTS_ID pager=PAGER_BOTTOM_ID />
        <MetricTools connection=conn.get_value() target=target can_write=can_write filter=name_filter narrowed_to=filed_under>
            <label class="filter">
                "Show "
                <select on:change=on_placement prop:value=move || placement.get().value()>
                    {Placement::ALL.into_iter().map(|p| view! {
                        <option value=p.value() selected=move || placement.get() == p>{p.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="filter">
                "Filed under "
                <select on:change=on_index prop:value=move || filed_under.get().map(|i| i.to_string()).unwrap_or_default()>
                    <option value="" selected=move || filed_under.get().is_none()>"Any group type"</option>
                    {move || group_types.get().into_iter().map(|g| {
                        let i = g.group_type_index;
                        view! { <option value=i.to_string() selected=move || filed_under.get() == Some(i)>{filed_label(&[g], i)}</option> }
                    }).collect_view()}
                </select>
            </label>
            <Show when=move || can_write.get() && !outside.with(Vec::is_empty)>
                <button type="button" on:click=move |_| moving.set(Some(outside.get()))>
                    {move || format!("Move all {} not in PostHog's settings", outside.with(Vec::len))}
                </button>
            </Show>
        </MetricTools>
        <GroupValuesBar values=values connection=conn group_types=group_types index=filed_under.get_untracked().unwrap_or(0) on_choose=choose_group />
        // Mounted only while open: `Modal` shows itself on mount and restores focus on unmount.
        {move || moving.get().map(|items| view! {
            <MoveMetricsDialog connection=conn.get_value() items=items index0=index0() on_close=move |_| moving.set(None) />
        })}
        // No `<Transition>`: a resource read under one counts as its pending work, and
        // Leptos 0.8 can show the fallback again at the first re-read (after a delete) when
        // the first answer came at once, as an adopted early read does (leptos#4492): the
        // list, and the focus in it, would be swapped out. A resource keeps its last answer
        // while it reads again, so the list simply stays.
        {move || loaded.with(Option::is_none).then(|| view! { <p class="loading" role="status">"Loading metrics…"</p> })}
            {move || loaded.get().map(|result| match result {
                Err(error) => view! { <ErrorPanel error=error on_retry=move |_| loaded.refetch() /> }.into_any(),
                Ok(_) => view! {
                    <p class="summary" role="status">{summary}</p>
                    <Show when=empty>
                        <div class="empty-state">
                            <p><strong>"This project has no usage metrics yet."</strong></p>
                            <p>"Usage metrics show per-group numbers such as paid bills or active seats on each group's and person's page in PostHog. Create one with New metric."</p>
                        </div>
                    </Show>
                    <Show when=filtered_out>
                        <p>{move || {
                            let only_index = name_filter.with(|f| f.trim().is_empty()) && placement.get() == Placement::All;
                            match filed_under.get() {
                                Some(i) if only_index => format!("No usage metric is filed under {}.", group_types.with(|l| filed_label(l, i))),
                                _ => "No metric matches the filter.".to_owned(),
                            }
                        }}</p>
                    </Show>
                }.into_any(),
            })}
            {move || pager(PagerAt::Top)}
            <Show when=move || !page_rows.with(Vec::is_empty)>
                <ProjectMetricTable
                    rows=page_rows
                    group_types=group_types
                    target=target
                    sort=sort
                    can_write=can_write.get()
                    on_delete=move |(index, m)| pending.schedule(conn.get_value(), index, m)
                    on_move=move |f: Filed| moving.set(Some(vec![f]))
                    values=column
                />
            </Show>
            {move || pager(PagerAt::Bottom)}
    }
}

/// The first row's link, where focus goes on a new page.
const FIRST_ROW_LINK: &str = "#metric-results tbody tr:first-child th a";

/// "65 usage metrics: 4 not in PostHog's settings, 2 shown twice on each page.", and while
/// the list is narrowed, "3 of 65 usage metrics match: 1 not in PostHog's settings."
fn summary_text(all: &[Row], shown: &[Row], narrowed: bool) -> String {
    let rows = if narrowed { shown } else { all };
    let outside = rows.iter().filter(|r| r.marks.not_in_settings).count();
    let twice = rows
        .iter()
        .filter(|r| r.marks.shown_twice.is_some())
        .count();
    let total = all.len();
    let noun = if total == 1 {
        "usage metric"
    } else {
        "usage metrics"
    };
    let head = if narrowed {
        format!("{} of {total} {noun} match", shown.len())
    } else {
        format!("{total} {noun}")
    };
    match (outside, twice) {
        (0, 0) if narrowed => format!("{head}."),
        (0, 0) => format!("{head}, all in PostHog's settings."),
        (o, 0) => format!("{head}: {o} not in PostHog's settings."),
        (0, t) => format!("{head}: {t} shown twice on each page."),
        (o, t) => {
            format!("{head}: {o} not in PostHog's settings, {t} shown twice on each page.")
        }
    }
}
