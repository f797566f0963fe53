//! Creating a metric, or editing one (only changed fields are sent, as a PATCH).

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use posthog_groups::merge::{MetricMerge, Side};
use posthog_groups::placement::{field_value, Placed};
use posthog_groups::validate::METRIC_FORM_FIELDS;
use posthog_groups::{request, ApiError, Metric, MetricDraft, MetricPatch};
use serde_json::Value;

use crate::api;
use crate::browser;
use crate::components::embed_bridge::Embed;
use crate::components::error_panel::ErrorPanel;
use crate::components::find_metric::FindMetric;
use crate::components::merge_conflicts::MergeConflicts;
use crate::components::metric_fields::{FormSignals, MetricFields};
use crate::components::not_connected::NotConnected;
use crate::components::notice::Notice;
use crate::state::connection::{use_connection, use_metric_route, Connection, Session};
use crate::state::embed::Change;
use crate::state::metric_form::{self, controls_of, FormValues, Saved, Stopped};
use crate::state::pickers::Pickers;
use crate::state::url::{metric_href, metrics_list_href, Target};

/// The routes `/metrics/new` (filed under index 0) and `/metrics/:id/edit`.
#[component]
pub fn MetricFormPage() -> impl IntoView {
    let (target, connection) = use_connection();
    let route = use_metric_route();
    move || match (connection.get(), route.get()) {
        (None, _) => view! { <NotConnected target=target.get() /> }.into_any(),
        (Some(conn), (Some(index), id)) => {
            view! { <MetricFormLoader connection=conn index=index id=id target=target.get() /> }
                .into_any()
        }
        (Some(conn), (None, Some(id))) => {
            view! { <FindMetric connection=conn id=id target=target.get() edit=true /> }.into_any()
        }
        (Some(_), (None, None)) => {
            view! { <p class="error-panel" role="alert">"This address names no valid metric."</p> }
                .into_any()
        }
    }
}

/// Loads what the form needs: the metric (when editing) and the names already taken.
#[component]
fn MetricFormLoader(
    connection: Connection,
    index: u32,
    id: Option<String>,
    target: Target,
) -> impl IntoView {
    let conn = StoredValue::new(connection);
    let id = StoredValue::new(id);
    let loaded = LocalResource::new(move || async move {
        let conn = conn.get_value();
        let original = match id.get_value() {
            Some(id) => Some(api::get_metric(&conn, index, &id).await?),
            None => None,
        };
        let names = api::all_metrics(&conn, index)
            .await?
            .into_iter()
            .map(|m| m.name)
            .collect::<Vec<_>>();
        Ok::<_, ApiError>((original, names))
    });
    let back = browser::app_link(&metrics_list_href(&target));
    view! {
        <Suspense fallback=|| view! { <h1>"Usage metric"</h1><p class="loading" role="status">"Loading…"</p> }>
            {move || loaded.get().map(|r| match r {
                Ok((original, names)) => view! {
                    <MetricForm connection=conn.get_value() index=index original=original taken=names target=target.clone() />
                }.into_any(),
                Err(ApiError::NotFound { .. }) => view! {
                    <h1>"Metric not found"</h1>
                    <p>"This metric does not exist; it may have been deleted. "<a href=back.clone()>"Back to the metrics"</a></p>
                }.into_any(),
                Err(e) => view! { <h1>"Usage metric"</h1><ErrorPanel error=e on_retry=move |_| loaded.refetch() /> }.into_any(),
            })}
        </Suspense>
    }
}

/// The form. Every field keeps what was typed whatever the server answers.
#[component]
fn MetricForm(
    connection: Connection,
    index: u32,
    original: Option<Metric>,
    taken: Vec<String>,
    target: Target,
) -> impl IntoView {
    let session = Session::expect();
    let notice = Notice::expect();
    let navigate = use_navigate();
    let embed = Embed::expect();
    let start = original.as_ref().map(MetricDraft::from).unwrap_or_default();
    let form = FormSignals::new(FormValues::from_draft(&start));
    let own_name = original.as_ref().map(|m| m.name.clone());
    // Updated when a save's failure read the names again, so the same clash is then caught
    // before sending.
    let taken = RwSignal::new(
        taken
            .into_iter()
            .filter(|n| Some(n) != own_name.as_ref())
            .collect::<Vec<_>>(),
    );
    let raw_error = RwSignal::new(None::<String>);
    let checked = Memo::new(move |_| {
        let values = form.values();
        let (draft, mut errors) = taken.with(|t| values.to_draft(t.iter().map(String::as_str)));
        if raw_error.with(Option::is_some) {
            errors.insert(
                "filters",
                "The filters JSON does not parse: fix it, or switch back to Events.".into(),
            );
        }
        (draft, errors)
    });
    // Shown while typing, before any save: the user may still save such a metric.
    let warning = Memo::new(move |_| checked.with(|(d, _)| metric_form::never_computed_warning(d)));
    let submitted = RwSignal::new(false);
    let server_error = RwSignal::new(None::<ApiError>);
    // The field the last failed save was about, with the value the server judged there.
    let placed = RwSignal::new(None::<(Placed, Value)>);
    let errors = Signal::derive(move || {
        let mut e = if submitted.get() {
            checked.with(|(_, e)| e.clone())
        } else {
            Default::default()
        };
        // The server's word on a field stands while the field holds what it judged: it is
        // more precise than the client's check of the same value, and gone once changed.
        if let Some((p, judged)) = placed.get() {
            if checked.with(|(d, _)| field_value(d, p.field) == judged) {
                e.insert(p.field, p.message);
            }
        }
        e
    });
    // Any other failure is shown under the form; the fields stay as typed.
    let unplaced = move || server_error.get().filter(|_| placed.with(Option::is_none));
    let start_draft = start.clone();
    let dirty = Memo::new(move |_| checked.with(|(d, _)| *d != start_draft));
    Effect::new(move |_| session.unsaved.set(dirty.get()));
    on_cleanup(move || session.unsaved.set(false));

    // What the next save compares the edit with: the metric as opened, then as the server
    // held it when a conflict was settled; `None` once "create again" makes it a new one.
    let original = RwSignal::new(original);
    let conn = StoredValue::new(connection);
    let conflict = RwSignal::new(None::<(MetricMerge, Metric)>);
    let deleted = RwSignal::new(false);
    // Another tab's save or delete of this metric: said above the buttons, the typing kept.
    let other_tab = RwSignal::new(None::<&'static str>);
    let other = api::read::other_tab_writes_from_now();
    Effect::new(move |_| {
        let Some(w) = other.get() else {
            return;
        };
        let touched = original.with_untracked(|o| {
            o.as_ref().is_some_and(|m| {
                conn.with_value(|c| w.touches(c, &request::get_metric(&c.project, index, &m.id)))
            })
        });
        if touched {
            other_tab.set(Some(if w.method == "DELETE" {
                "This metric was deleted in another tab. What you typed is kept: saving offers to create it again."
            } else {
                "This metric was changed in another tab. What you typed is kept: saving checks each field against the server's version first."
            }));
        }
    });
    // The pickers of this form share what they learn of the project's names.
    let opened_with = start
        .filters
        .event_names()
        .into_iter()
        .map(str::to_owned)
        .collect();
    provide_context(Pickers::new(conn, opened_with));
    let save = Action::new_local(move |draft: &MetricDraft| {
        let (conn, draft, original) = (conn.get_value(), draft.clone(), original.get_untracked());
        async move { metric_form::save(&conn, index, original.as_ref(), &draft).await }
    });
    let saving = save.pending();
    let target_for_nav = target.clone();
    Effect::new(move |_| match save.value().get() {
        Some(Ok(Saved {
            metric: saved,
            taken,
            sent,
        })) => {
            session.unsaved.set(false);
            let edited = original.with_untracked(Option::is_some);
            let (id, name) = (saved.id.clone(), saved.name.clone());
            embed.emit(if edited {
                Change::MetricUpdated { index, id, name }
            } else {
                Change::MetricCreated { index, id, name }
            });
            let verb = if edited { "Saved" } else { "Created" };
            let mut text = if sent {
                format!("{verb} the metric “{}”.", saved.name)
            } else {
                format!(
                    "Nothing to send: the server already holds these values of “{}”.",
                    saved.name
                )
            };
            if let Some(kept) = metric_form::taken_text(&taken) {
                text = format!("{text} {kept}");
            }
            notice.show(text);
            navigate(
                &metric_href(index, &saved.id, &target_for_nav, false),
                Default::default(),
            );
        }
        Some(Err(Stopped::Conflict { merge, now })) => {
            conflict.set(Some((*merge, now)));
            browser::focus_id_after_render("conflicts-title");
        }
        Some(Err(Stopped::Deleted)) => {
            deleted.set(true);
            browser::focus_id_after_render("metric-deleted-title");
        }
        Some(Err(Stopped::Failed(failure))) => {
            if let Some(names) = failure.names {
                taken.set(names);
            }
            if let Some(p) = &failure.placed {
                browser::focus_first_after_render(controls_of(p.field));
            }
            placed.set(failure.placed.map(|p| {
                let judged = field_value(&failure.sent, p.field);
                (p, judged)
            }));
            server_error.set(Some(failure.error));
        }
        None => {}
    });
    // A settled conflict: the form shows what is saved, and the server's version is the
    // next save's base (the save reads again, so a change made since is still caught).
    let settle = move |choices: BTreeMap<String, Side>| {
        let Some((merge, now)) = conflict.get_untracked() else {
            return;
        };
        let draft = merge.resolve(|f| {
            choices
                .get(&MetricMerge::key(f))
                .copied()
                .unwrap_or(Side::Mine)
        });
        let values = FormValues::from_draft(&draft);
        form.set_changed(values);
        original.set(Some(now));
        conflict.set(None);
        save.dispatch(draft);
    };
    let create_again = move |_| {
        if saving.get_untracked() {
            return;
        }
        deleted.set(false);
        original.set(None);
        let (draft, _) = checked.get_untracked();
        save.dispatch(draft);
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() {
            return; // no double submit
        }
        submitted.set(true);
        server_error.set(None);
        conflict.set(None);
        deleted.set(false);
        placed.set(None);
        let (draft, errs) = checked.get_untracked();
        // Focus the first invalid field in the form's order, not the map's.
        if let Some(first) = METRIC_FORM_FIELDS
            .into_iter()
            .find(|f| errs.contains_key(f))
        {
            browser::focus_first_after_render(controls_of(first));
            return;
        }
        let unchanged = original.with_untracked(|o| {
            o.as_ref()
                .is_some_and(|m| MetricPatch::diff(m, &draft).is_empty())
        });
        if unchanged {
            notice.show("Nothing to save: no field changed.");
            return;
        }
        save.dispatch(draft);
    };
    let title = original.with_untracked(|o| match o {
        Some(m) => format!("Edit “{}”", m.name),
        None => "New usage metric".to_string(),
    });
    let cancel = original.with_untracked(|o| match o {
        Some(m) => browser::app_link(&metric_href(index, &m.id, &target, false)),
        None => browser::app_link(&metrics_list_href(&target)),
    });
    view! {
        <h1 id="metric-form-title" tabindex="-1">{title}</h1>
        <form class="metric-form" on:submit=on_submit novalidate aria-labelledby="metric-form-title">
            <MetricFields form=form errors=errors raw_error=raw_error />
            {move || unplaced().map(|e| view! { <ErrorPanel error=e /> })}
            // The live region stays mounted, so a warning that appears is announced.
            <div role="status" class="form-warning">
                {move || warning.get().map(|w| view! { <p class="warning" id="metric-form-warning">{w}</p> })}
            </div>
            <div role="status">
                {move || other_tab.get().map(|t| view! { <p class="warning" id="metric-other-tab">{t}</p> })}
            </div>
            {move || deleted.get().then(|| view! {
                <div class="error-panel" role="alert">
                    <h2 id="metric-deleted-title" tabindex="-1">"This metric was deleted"</h2>
                    <p>"Someone else, or another tab, deleted it since this form opened. What you typed is still here."</p>
                    <button type="button" id="metric-create-again" on:click=create_again>"Create it again"</button>
                </div>
            })}
            {move || conflict.get().map(|(merge, _)| view! {
                <MergeConflicts items=merge.items() note=metric_form::taken_text(&merge.taken).map(|t| format!("{t} It is saved with yours."))
                    on_settle=settle
                    on_back=move |_| { conflict.set(None); browser::focus_id_after_render("metric-save"); } />
            })}
            <div class="form-buttons" hidden=move || conflict.with(Option::is_some)>
                // aria-disabled, not disabled: a disabled button loses focus to <body>
                // (`on_submit` ignores a second press while saving).
                <button type="submit" class="primary" id="metric-save" aria-disabled=move || saving.get().to_string()
                    aria-describedby=move || warning.with(Option::is_some).then_some("metric-form-warning")>
                    {move || if saving.get() { "Saving…" } else { "Save metric" }}
                </button>
                <a href=cancel class="button-link">"Cancel"</a>
            </div>
        </form>
    }
}
