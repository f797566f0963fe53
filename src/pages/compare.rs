//! `/compare`: one project's configuration beside another's (or a file's), what differs, the
//! plan that carries the ticked changes over, and its apply. Both sides live in the URL
//! (never a key), so a comparison can be shared as a link.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use posthog_groups::capability::Capabilities;
use posthog_groups::compare::{diff, plan, Diff, Selection, Step};
use posthog_groups::configuration::{to_file, Origin, ProjectConfig};
use posthog_groups::{ApiError, ApiKey, Host, ProjectId};

use crate::api;
use crate::browser;
use crate::components::breakable::breakable;
use crate::components::compare_metrics::CompareMetrics;
use crate::components::compare_sides::{ChosenFile, CompareSides};
use crate::components::compare_types::CompareTypes;
use crate::components::error_panel::ErrorPanel;
use crate::components::not_connected::NotConnected;
use crate::components::side_key::SideKey;
use crate::components::sync_plan::{ApplyRun, SyncPlan};
use crate::state::capabilities;
use crate::state::compare::{self, compare_href, Side, SideParams, Sides};
use crate::state::config::ConfigResource;
use crate::state::connection::{use_connection, Connection, Session};
use crate::state::url::Target;

/// The route `/compare`.
#[component]
pub fn ComparePage() -> impl IntoView {
    let (target, connection) = use_connection();
    let screen_target = Memo::new(move |_| target.with(Target::without_group));
    view! {
        <section aria-labelledby="compare-title">
            <h1 id="compare-title" tabindex="-1">"Compare and carry over"</h1>
            <p class="lead">
                "Compare this project's group types and usage metrics with another project's, or with a configuration file kept as the desired state. Tick what to carry over, review the exact requests, then apply."
            </p>
            {move || match connection.get() {
                None => view! { <NotConnected target=screen_target.get() /> }.into_any(),
                Some(conn) => view! { <CompareScreen connection=conn target=screen_target /> }.into_any(),
            }}
        </section>
    }
}

/// What one side holds, as far as it got.
#[derive(Clone, Debug, PartialEq)]
enum SideData {
    /// The URL's value for it is not valid.
    Invalid(String),
    /// It is on a host this tab holds no key for.
    NeedsKey(Host),
    /// It is the file, and none is chosen (or it could not be read).
    NoFile,
    /// Read.
    Loaded(ProjectConfig),
    /// Its reads failed.
    Failed(ApiError),
}

/// The screen for one connection.
#[component]
fn CompareScreen(connection: Connection, target: Memo<Target>) -> impl IntoView {
    let session = Session::expect();
    let query = use_query_map();
    let navigate = use_navigate();
    let base = (connection.host.clone(), connection.project.clone());
    let base_value = StoredValue::new(base.clone());
    let params = Memo::new(move |_| {
        query.with(|q| SideParams {
            from: q.get("from"),
            from_host: q.get("from_host"),
            to: q.get("to"),
            to_host: q.get("to_host"),
        })
    });
    let sides = Memo::new(move |_| params.with(|p| compare::sides(&base_value.get_value(), p)));
    let file = RwSignal::<ChosenFile>::new(None);
    // Memory only: a key for another host is asked again after a reload.
    let other_key = RwSignal::new(None::<(Host, ApiKey)>);
    let config = ConfigResource::expect();
    // A host from the address is checked as one typed in the form would be: a link cannot
    // lead a key to a host this deployment does not allow.
    let conn_for = move |side: &Side| -> Result<Option<Connection>, SideData> {
        match side {
            Side::File => Ok(None),
            Side::Project(h, _)
                if !config.0.with(|c| {
                    c.as_ref()
                        .and_then(|c| c.as_ref().ok())
                        .is_none_or(|c| c.allows(Some(h)))
                }) =>
            {
                Err(SideData::Invalid(format!(
                    "this console may not connect to {h} (config.json's allowed_hosts)"
                )))
            }
            Side::Project(h, p) => session
                .connection(h, p)
                .or_else(|| {
                    other_key.with(|k| {
                        k.as_ref()
                            .filter(|(kh, _)| kh == h)
                            .map(|(_, key)| Connection {
                                host: h.clone(),
                                project: p.clone(),
                                key: key.clone(),
                            })
                    })
                })
                .map(Some)
                .ok_or_else(|| SideData::NeedsKey(h.clone())),
        }
    };
    let writes = api::read::writes();
    let load = move |pick: fn(&Sides) -> Option<Result<Side, String>>| {
        let writes = writes.clone();
        LocalResource::new(move || {
            // An apply changes the target: read it again.
            writes.track();
            let side = sides.with(pick);
            let conn = match &side {
                Some(Ok(s)) => Some(conn_for(s)),
                _ => None,
            };
            let chosen = file.with(|f| f.as_ref().and_then(|(_, r)| r.as_ref().ok().cloned()));
            async move {
                match (side?, conn) {
                    (Err(e), _) => Some(SideData::Invalid(e)),
                    (Ok(Side::File), _) => Some(chosen.map_or(SideData::NoFile, SideData::Loaded)),
                    (Ok(_), Some(Err(problem))) => Some(problem),
                    (Ok(_), Some(Ok(Some(conn)))) => Some(match compare::read(&conn).await {
                        Ok(c) => SideData::Loaded(c),
                        Err(e) => SideData::Failed(e),
                    }),
                    (Ok(_), _) => None,
                }
            }
        })
    };
    let source_data = load(|s| Some(s.from.clone()));
    let target_data = load(|s| s.to.clone());
    let target_conn = Memo::new(move |_| {
        sides.with(|s| match &s.to {
            Some(Ok(side)) => conn_for(side).ok().flatten(),
            _ => None,
        })
    });
    let caps = LocalResource::new(move || {
        let conn = target_conn.get();
        async move {
            let c = conn?;
            Some(
                capabilities::learn(&c, false)
                    .await
                    .map_err(|e| e.explain(&c.host, &c.project)),
            )
        }
    });
    let caps_known = Signal::derive(move || caps.get().flatten());
    let loaded = move |r: LocalResource<Option<SideData>>| {
        r.get().flatten().and_then(|d| match d {
            SideData::Loaded(c) => Some(c),
            _ => None,
        })
    };
    let compared = Memo::new(move |_| {
        let (s, t) = (loaded(source_data)?, loaded(target_data)?);
        Some((diff(&s, &t), s, t))
    });
    let selection = RwSignal::new(Selection::default());
    let run = RwSignal::new(None::<ApplyRun>);
    // The comparison is built again once the target is read after an apply: focus goes
    // back to the run's report, which the rebuild replaced.
    Effect::new(move |previous: Option<bool>| {
        let now = compared.with(Option::is_some);
        if previous.is_some() && now && run.with_untracked(Option::is_some) {
            browser::focus_id_after_render("apply-status");
        }
        now
    });
    // Other sides, other rows: what was ticked is for the comparison it was ticked in.
    Effect::new(move |previous: Option<Sides>| {
        let now = sides.get();
        if previous.is_some_and(|p| p != now) {
            selection.set(Selection::default());
            run.set(None);
        }
        now
    });
    let steps = Memo::new(move |_| {
        compared.with(|c| {
            c.as_ref()
                .map(|(d, _, _)| selection.with(|s| plan(d, s)))
                .unwrap_or_default()
        })
    });
    // After Compare the form is drawn again for the new address: focus goes to what the
    // comparison shows first, once it shows (the result, or the key a side needs).
    let focus_result = RwSignal::new(false);
    Effect::new(move |_| {
        let shown = |r: LocalResource<Option<SideData>>| {
            r.with(|d| {
                d.as_ref()
                    .is_some_and(|d| !matches!(d, Some(SideData::Loaded(_)) | None))
            })
        };
        let ready = compared.with(Option::is_some) || shown(source_data) || shown(target_data);
        if ready && focus_result.get_untracked() {
            focus_result.set(false);
            browser::focus_first_after_render(&[
                "side-key",
                "compare-result-title",
                "compare-side-problem",
            ]);
        }
    });
    let on_compare = move |(from, to): (Side, Side)| {
        let href = compare_href(&target.get_untracked(), &from, Some(&to));
        focus_result.set(true);
        navigate(&browser::app_link(&href), Default::default());
    };
    let side_view = move |r: LocalResource<Option<SideData>>, which: &'static str| {
        move || {
            match r.get().flatten() {
            None => None,
            Some(SideData::Invalid(e)) => Some(view! { <p class="field-error" id="compare-side-problem" tabindex="-1" role="alert">{format!("The {which} in this address is not valid: {e}")}</p> }.into_any()),
            Some(SideData::NeedsKey(host)) => Some(view! {
                <SideKey host=host side=which on_key=move |k| other_key.set(Some(k)) />
            }.into_any()),
            Some(SideData::NoFile) => Some(view! { <p class="hint" id="compare-side-problem" tabindex="-1">{format!("Choose the configuration file (the {which}) above: a file is read in this tab and not kept.")}</p> }.into_any()),
            Some(SideData::Failed(e)) => Some(view! {
                <p id="compare-side-problem" tabindex="-1"><strong>{format!("The {which} could not be read.")}</strong></p>
                <ErrorPanel error=e on_retry=move |_| r.refetch() />
            }.into_any()),
            Some(SideData::Loaded(_)) => None,
        }
        }
    };
    let form = move || {
        let s = sides.get();
        view! {
            <CompareSides base=base.clone() from=s.from.clone().ok() to=s.to.clone().and_then(Result::ok)
                file=file on_compare=on_compare.clone() />
        }
    };
    view! {
        {form}
        {side_view(source_data, "source")}
        {side_view(target_data, "target")}
        {move || {
            let chosen_target = sides.with(|s| s.to.is_some());
            if !chosen_target {
                return view! { <p class="hint" id="compare-result-title" tabindex="-1">"Choose a target above, then Compare."</p> }.into_any();
            }
            match compared.get() {
                None => {
                    let waiting = source_data.get().is_none() || target_data.get().is_none();
                    waiting.then(|| view! { <p class="loading" role="status">"Reading both sides…"</p> }).into_any()
                }
                Some((d, s, t)) => view! {
                    <CompareResult diff=d source=s target_config=t sides=sides.get() selection=selection steps=steps
                        target_conn=target_conn.get() caps=caps_known run=run />
                }.into_any(),
            }
        }}
    }
}

/// The comparison, once both sides are read.
#[component]
fn CompareResult(
    diff: Diff,
    source: ProjectConfig,
    target_config: ProjectConfig,
    sides: Sides,
    selection: RwSignal<Selection>,
    steps: Memo<Vec<Step>>,
    target_conn: Option<Connection>,
    caps: Signal<Option<Result<Capabilities, String>>>,
    run: RwSignal<Option<ApplyRun>>,
) -> impl IntoView {
    let from = sides.from.clone().ok();
    let to = sides.to.clone().and_then(|t| t.ok());
    let can_plan = matches!(to, Some(Side::Project(..))) && target_conn.is_some();
    let (added, changed, removed) = diff.metric_counts();
    let type_changes = diff
        .group_types
        .iter()
        .filter(|r| r.status != posthog_groups::compare::TypeStatus::Same)
        .count();
    let headline = if diff.is_empty() {
        "No differences.".to_string()
    } else {
        format!("Differences: {type_changes} group type index(es); metrics {added} only in the source, {changed} different, {removed} only in the target.")
    };
    let everything = diff.everything();
    let unknown: Vec<String> = [&source, &target_config]
        .iter()
        .flat_map(|c| c.unknown_fields())
        .collect();
    let describe = |s: &Option<Side>| s.as_ref().map(Side::describe).unwrap_or_default();
    let title = format!("{} → {}", describe(&from), describe(&to));
    let exports = [(from.clone(), source.clone(), "source"), (to.clone(), target_config.clone(), "target")]
        .into_iter()
        .filter_map(|(side, config, which)| match side {
            Some(Side::Project(h, p)) => Some((h, p, config, which)),
            _ => None,
        })
        .map(|(h, p, config, which)| {
            let label = format!("Download the {which} as a configuration file");
            view! {
                <button type="button" class="secondary" on:click=move |_| export(&h, &p, &config)>{label}</button>
            }
        })
        .collect_view();
    let source_value = StoredValue::new(source);
    view! {
        <section aria-labelledby="compare-result-title" class="compare-result">
            <h2 id="compare-result-title" tabindex="-1">{breakable(&title)}</h2>
            <p role="status"><strong>{headline}</strong></p>
            {(!unknown.is_empty()).then(|| view! {
                <p class="warning" role="note">{format!("The file has fields this console does not know. They are kept in the file (an export writes them back) and never sent: {}.", unknown.join(", "))}</p>
            })}
            <div class="toolbar">
                {exports}
                {can_plan.then(|| view! {
                    <button type="button" class="secondary" on:click=move |_| selection.set(everything.clone())>"Tick every change"</button>
                    <button type="button" class="secondary" on:click=move |_| selection.set(Selection::default())>"Untick all"</button>
                })}
            </div>
            {(!can_plan).then(|| view! {
                <p class="hint">"The target is a file: nothing is sent. To change a project, make it the target."</p>
            })}
            <CompareTypes rows=diff.group_types selection=selection can_plan=can_plan />
            <CompareMetrics rows=diff.metrics selection=selection can_plan=can_plan />
            {target_conn.filter(|_| can_plan).map(|conn| view! {
                <SyncPlan target=conn source=source_value selection=selection steps=steps caps=caps run=run />
            })}
        </section>
    }
}

/// Offers a project's configuration as a file.
fn export(host: &Host, project: &ProjectId, config: &ProjectConfig) {
    let origin = Origin {
        host: host.to_string(),
        project: project.to_string(),
    };
    let text = to_file(config, Some(&origin));
    browser::download_text(
        &format!("posthog-configuration-project-{project}.json"),
        &text,
    );
}
