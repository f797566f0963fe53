//! Copying a metric to another group type of the same project: one create request, with a
//! name that is free in the target (PostHog answers a duplicate with a bare 500).

use leptos::prelude::*;
use posthog_groups::validate::metric_draft;
use posthog_groups::{ApiError, Metric, MetricDraft};

use crate::api;
use crate::components::dialog::Modal;
use crate::components::embed_bridge::Embed;
use crate::components::error_panel::ErrorPanel;
use crate::components::notice::Notice;
use crate::state::connection::{Connection, Session};
use crate::state::embed::Change;
use crate::state::names::{free_name, group_type_label};
use crate::state::pending_deletes::PendingDeletes;

/// The copy dialog; it closes itself (through `on_close`) once the copy exists.
#[component]
pub fn CopyMetricDialog(
    /// Where the metrics live.
    connection: Connection,
    /// The metric to copy.
    metric: Metric,
    /// Its group type, which is not offered as a target.
    from_index: u32,
    /// Called on Cancel, Escape, and after a successful copy.
    #[prop(into)]
    on_close: Callback<()>,
) -> impl IntoView {
    let embed = Embed::expect();
    let session = Session::expect();
    let (notice, settled) = (Notice::expect(), PendingDeletes::expect().settled);
    let conn = StoredValue::new(connection);
    let original = StoredValue::new(metric.name.trim().to_owned());
    let source = StoredValue::new(MetricDraft::from(&metric));
    let group_types = LocalResource::new(move || async move {
        let all = session.group_types(&conn.get_value()).await?;
        Ok::<_, ApiError>(
            all.into_iter()
                .filter(|g| g.group_type_index != from_index)
                .collect::<Vec<_>>(),
        )
    });
    let target = RwSignal::new(None::<u32>);
    Effect::new(move |_| {
        if let Some(Ok(first)) = group_types
            .get()
            .map(|r| r.map(|l| l.first().map(|g| g.group_type_index)))
        {
            target.update(|t| *t = t.or(first));
        }
    });
    // Tagged with the index it was loaded for, so names of the previous target (still shown
    // while the next ones load) are never used to validate.
    let names = LocalResource::new(move || {
        let index = target.get();
        async move {
            let Some(index) = index else {
                return Ok((None, Vec::new()));
            };
            let list = api::all_metrics(&conn.get_value(), index).await?;
            Ok::<_, ApiError>((
                Some(index),
                list.into_iter().map(|m| m.name).collect::<Vec<_>>(),
            ))
        }
    });
    let target_names = Memo::new(move |_| match names.get() {
        Some(Ok((Some(i), list))) if Some(i) == target.get() => Some(list),
        _ => None,
    });
    let name = RwSignal::new(original.get_value());
    // The name this dialog chose and why; the note shows only while the field still has it.
    let chosen = RwSignal::new(None::<(String, String)>);
    Effect::new(move |_| {
        let Some(list) = target_names.get() else {
            return;
        };
        let taken: Vec<&str> = list.iter().map(String::as_str).collect();
        let current = name.get_untracked().trim().to_owned();
        let untouched = current == original.get_value()
            || chosen.with_untracked(|c| c.as_ref().is_some_and(|(n, _)| *n == current));
        if !untouched && !taken.iter().any(|t| t.trim() == current) {
            return;
        }
        // Untouched: start again from the original, which may be free in this target.
        let wanted = if untouched {
            original.get_value()
        } else {
            current
        };
        let free = free_name(&wanted, &taken);
        let why = (free != wanted).then_some(wanted);
        name.set(free.clone());
        chosen.set(why.map(|w| {
            (
                free,
                format!("A metric named “{w}” exists there; the copy gets a new name."),
            )
        }));
    });
    let note = move || {
        chosen
            .get()
            .filter(|(n, _)| name.with(|v| v.trim() == n))
            .map(|(_, why)| why)
    };
    let errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let name_error =
        move || errors.with(|e| e.iter().find(|(f, _)| *f == "name").map(|(_, m)| m.clone()));
    let other_errors = move || {
        errors.with(|e| {
            e.iter()
                .filter(|(f, _)| *f != "name")
                .map(|(f, m)| format!("{f}: {m}"))
                .collect::<Vec<_>>()
        })
    };
    let copy = Action::new_local(move |(index, draft): &(u32, MetricDraft)| {
        let (index, draft) = (*index, draft.clone());
        async move {
            api::create_metric(&conn.get_value(), index, &draft)
                .await
                .map(|m| (index, m))
        }
    });
    let failure = RwSignal::new(None::<ApiError>);
    let pending = copy.pending();
    Effect::new(move |_| match copy.value().get() {
        Some(Ok((index, created))) => {
            embed.emit(Change::MetricCreated {
                index,
                id: created.id.clone(),
                name: created.name.clone(),
            });
            let into = group_types
                .get_untracked()
                .and_then(Result::ok)
                .and_then(|l| l.into_iter().find(|g| g.group_type_index == index));
            let into = into.map_or_else(|| format!("group type {index}"), |g| g.shown_plural());
            settled.update(|n| *n += 1);
            notice.show(format!("Copied “{}” to {into}.", created.name));
            on_close.run(());
        }
        Some(Err(e)) => failure.set(Some(e)),
        None => {}
    });
    let ready = move || target_names.with(Option::is_some) && !pending.get();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(index), Some(list)) = (target.get_untracked(), target_names.get_untracked())
        else {
            return;
        };
        if pending.get_untracked() {
            return;
        }
        let mut draft = source.get_value();
        draft.name = name.get_untracked().trim().to_owned();
        let found = metric_draft(&draft, list.iter().map(String::as_str));
        errors.set(found.into_iter().collect());
        if errors.with_untracked(Vec::is_empty) {
            failure.set(None);
            copy.dispatch((index, draft));
        }
    };
    let load_error =
        move |e: ApiError, retry: Callback<()>| view! { <ErrorPanel error=e on_retry=retry /> };
    let close_only = move || view! { <div class="dialog-buttons"><button type="button" on:click=move |_| on_close.run(())>"Close"</button></div> };

    view! {
        <Modal title_id="copy-metric-title" title=format!("Copy “{}” to another group type", metric.name) on_close=on_close>
            {move || match group_types.get() {
                None => view! { <p role="status">"Loading group types…"</p> }.into_any(),
                Some(Err(e)) => view! { {load_error(e, Callback::new(move |_| group_types.refetch()))} {close_only()} }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p>"This project has no other group type to copy the metric to."</p>
                    {close_only()}
                }.into_any(),
                Some(Ok(list)) => view! {
                    <form class="copy-metric" on:submit=on_submit>
                        <div class="field">
                            <label for="copy-target">"Copy to group type"</label>
                            <select id="copy-target" disabled=pending on:change=move |ev| target.set(event_target_value(&ev).parse().ok())>
                                {list.into_iter().map(|g| {
                                    let i = g.group_type_index;
                                    view! { <option value=i.to_string() selected=move || target.get() == Some(i)>{group_type_label(&g)}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                        <div class="field" class:has-error=move || name_error().is_some()>
                            <label for="copy-name">"Name in the target"</label>
                            <input id="copy-name" type="text" autocomplete="off" spellcheck="false" bind:value=name
                                aria-invalid=move || name_error().map(|_| "true") aria-describedby="copy-name-note copy-name-error" />
                            <p class="hint" id="copy-name-note" aria-live="polite">{note}</p>
                            <p class="field-error" id="copy-name-error" role="alert">{name_error}</p>
                        </div>
                        {move || (!other_errors().is_empty()).then(|| view! {
                            <ul class="field-error" role="alert">{other_errors().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                        })}
                        {move || match names.get() {
                            Some(Err(e)) => Some(load_error(e, Callback::new(move |_| names.refetch())).into_any()),
                            _ if target_names.with(Option::is_none) => Some(view! { <p role="status">"Checking the names there…"</p> }.into_any()),
                            _ => None,
                        }}
                        {move || failure.get().map(|e| view! { <ErrorPanel error=e /> })}
                        // PostHog's runner ignores a metric's group type: the original and the
                        // copy are both computed on every group page.
                        <p class="warning" id="copy-shows-twice">
                            "A copy under another group type shows twice on each group page: PostHog computes every metric of the project on every group page, whatever group type it is filed under."
                        </p>
                        <div class="dialog-buttons">
                            <button type="button" disabled=pending on:click=move |_| on_close.run(())>"Cancel"</button>
                            <button type="submit" class="primary" disabled=move || !ready() aria-describedby="copy-shows-twice">
                                {move || if pending.get() { "Copying…" } else { "Copy" }}
                            </button>
                        </div>
                    </form>
                }.into_any(),
            }}
        </Modal>
    }
}
