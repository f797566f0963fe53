//! Moving metrics into PostHog's list (index 0), one or all of those outside it: progress,
//! the choice when index 0 already has the name (both definitions side by side), and a stop
//! at the first failure that says what moved and what did not.

use leptos::prelude::*;
use leptos::task::spawn_local;
use posthog_groups::project_metrics::{plan_move, Conflict, Filed, NeedsChoice};
use posthog_groups::{Metric, MetricDraft};

use crate::api;
use crate::browser;
use crate::components::dialog::Modal;
use crate::components::embed_bridge::Embed;
use crate::components::error_panel::ErrorPanel;
use crate::state::connection::Connection;
use crate::state::embed::Change;
use crate::state::explain;
use crate::state::move_metrics::{carry_out, retry_delete, MoveFailed, Moved};
use crate::state::names::free_name;

#[derive(Clone)]
enum Phase {
    Confirm,
    Working(String),
    Asking { incoming: Filed, existing: Metric },
    Failed(MoveFailed, Filed),
    Done,
}

/// The move dialog for `items`; it reads nothing itself: `index0` is what the list showed.
#[component]
pub fn MoveMetricsDialog(
    /// Where the metrics live.
    connection: Connection,
    /// The metrics to move, in order.
    items: Vec<Filed>,
    /// The metrics filed under index 0 now.
    index0: Vec<Metric>,
    /// Called on Cancel, Escape and Close.
    #[prop(into)]
    on_close: Callback<()>,
) -> impl IntoView {
    let embed = Embed::expect();
    let conn = StoredValue::new(connection);
    let total = items.len();
    let items = StoredValue::new(items);
    let index0 = StoredValue::new(index0);
    let position = StoredValue::new(0usize);
    let phase = RwSignal::new(Phase::Confirm);
    let moved = RwSignal::new(Vec::<String>::new());
    let skipped = RwSignal::new(Vec::<String>::new());
    let rename_error = RwSignal::new(None::<String>);
    let choice = RwSignal::new("rename".to_string());
    let new_name = RwSignal::new(String::new());

    let advance = move |mut answer: Option<Conflict>| {
        spawn_local(async move {
            // The lists read again once, when this run stops (done, failed or asking).
            let _batch = api::read::batch();
            loop {
                let pos = position.get_value();
                let Some(item) = items.with_value(|l| l.get(pos).cloned()) else {
                    let _ = phase.try_set(Phase::Done);
                    browser::focus_id_after_render("move-status");
                    return;
                };
                let plan = index0.with_value(|i0| plan_move(&item, i0, answer.take().as_ref()));
                let plan = match plan {
                    Ok(plan) => plan,
                    Err(needs) => {
                        let existing = index0.with_value(|i0| {
                            i0.iter().find(|m| m.name == item.metric.name).cloned()
                        });
                        let names: Vec<String> =
                            index0.with_value(|i0| i0.iter().map(|m| m.name.clone()).collect());
                        let taken: Vec<&str> = names.iter().map(String::as_str).collect();
                        if let NeedsChoice::BadName(why) = needs {
                            let _ = rename_error.try_set(Some(why));
                        } else {
                            let _ = new_name.try_set(free_name(&item.metric.name, &taken));
                        }
                        if let Some(existing) = existing {
                            let _ = phase.try_set(Phase::Asking {
                                incoming: item,
                                existing,
                            });
                            browser::focus_id_after_render("move-choice-title");
                        }
                        return;
                    }
                };
                let _ = phase.try_set(Phase::Working(format!(
                    "Moving {} of {total}: “{}”…",
                    pos + 1,
                    item.metric.name
                )));
                match carry_out(&conn.get_value(), &plan).await {
                    Ok(Moved::Created(created)) => {
                        embed.emit(Change::MetricCreated {
                            index: 0,
                            id: created.id.clone(),
                            name: created.name.clone(),
                        });
                        embed.emit(Change::MetricDeleted {
                            index: item.index,
                            id: item.metric.id.clone(),
                            name: item.metric.name.clone(),
                        });
                        index0.update_value(|i0| i0.push(*created));
                        moved.update(|m| m.push(item.metric.name.clone()));
                    }
                    Ok(Moved::DeletedOnly) => {
                        embed.emit(Change::MetricDeleted {
                            index: item.index,
                            id: item.metric.id.clone(),
                            name: item.metric.name.clone(),
                        });
                        moved.update(|m| {
                            m.push(format!(
                                "{} (PostHog's list keeps its own)",
                                item.metric.name
                            ))
                        });
                    }
                    Ok(Moved::Nothing) => skipped.update(|s| s.push(item.metric.name.clone())),
                    Err(failed) => {
                        if let MoveFailed::DeleteFailed {
                            created: Some(c), ..
                        } = &failed
                        {
                            index0.update_value(|i0| i0.push(Metric::clone(c)));
                        }
                        let _ = phase.try_set(Phase::Failed(failed, item));
                        browser::focus_id_after_render("move-status");
                        return;
                    }
                }
                position.update_value(|p| *p += 1);
            }
        });
    };
    let answer = move |_| {
        rename_error.set(None);
        let chosen = match choice.get_untracked().as_str() {
            "keep" => Conflict::KeepExisting,
            "skip" => Conflict::Skip,
            _ => Conflict::Rename(new_name.get_untracked()),
        };
        advance(Some(chosen));
    };
    let try_again = move |_| {
        let Some(item) = items.with_value(|l| l.get(position.get_value()).cloned()) else {
            return;
        };
        phase.set(Phase::Working(format!(
            "Deleting the old copy of “{}” again…",
            item.metric.name
        )));
        spawn_local(async move {
            match retry_delete(&conn.get_value(), item.index, &item.metric.id).await {
                Ok(()) => {
                    moved.update(|m| m.push(item.metric.name.clone()));
                    position.update_value(|p| *p += 1);
                    advance(None);
                }
                Err(error) => {
                    let _ = phase.try_set(Phase::Failed(
                        MoveFailed::DeleteFailed {
                            created: None,
                            error,
                        },
                        item,
                    ));
                }
            }
        });
    };
    let title = if total == 1 {
        "Move into PostHog's list".to_string()
    } else {
        format!("Move {total} metrics into PostHog's list")
    };
    let report = move || {
        view! {
            {move || (!moved.with(Vec::is_empty)).then(|| view! { <p>"Moved: "{moved.get().join(", ")}</p> })}
            {move || (!skipped.with(Vec::is_empty)).then(|| view! { <p>"Left where they are: "{skipped.get().join(", ")}</p> })}
        }
    };
    let side = |heading: String, m: &Metric| {
        view! {
            <div class="move-side">
                <h3>{heading}</h3>
                <p><strong>{m.name.clone()}</strong></p>
                <p>{explain::sentence(&MetricDraft::from(m))}</p>
            </div>
        }
    };
    view! {
        <Modal title_id="move-title" title=title on_close=on_close>
            {move || match phase.get() {
                Phase::Confirm => view! {
                    <p>"Each metric is created under index 0, where PostHog's settings list it, and only then deleted where it was filed. What PostHog computes does not change."</p>
                    <div class="dialog-buttons">
                        <button type="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                        <button type="button" class="primary" on:click=move |_| advance(None)>"Move"</button>
                    </div>
                }.into_any(),
                Phase::Working(text) => view! { <p id="move-status" role="status" tabindex="-1">{text}</p> }.into_any(),
                Phase::Asking { incoming, existing } => view! {
                    <h3 id="move-choice-title" tabindex="-1">{format!("PostHog's list already has “{}”", existing.name)}</h3>
                    <div class="move-compare">
                        {side("In PostHog's list (index 0)".into(), &existing)}
                        {side(format!("Filed under index {}", incoming.index), &incoming.metric)}
                    </div>
                    <fieldset class="field">
                        <legend>"What to do with the one filed under index "{incoming.index}</legend>
                        <label class="radio"><input type="radio" name="move-choice" value="rename" prop:checked=move || choice.get() == "rename" on:change=move |_| choice.set("rename".into()) />"Move it under a new name"</label>
                        <label class="radio"><input type="radio" name="move-choice" value="keep" prop:checked=move || choice.get() == "keep" on:change=move |_| choice.set("keep".into()) />"Keep PostHog's list's metric and delete this one (each page then shows it once)"</label>
                        <label class="radio"><input type="radio" name="move-choice" value="skip" prop:checked=move || choice.get() == "skip" on:change=move |_| choice.set("skip".into()) />"Skip it: leave both as they are"</label>
                    </fieldset>
                    <Show when=move || choice.get() == "rename">
                        <div class="field">
                            <label for="move-new-name">"New name"</label>
                            <input id="move-new-name" type="text" autocomplete="off" bind:value=new_name aria-describedby="move-new-name-error" />
                            <p class="field-error" id="move-new-name-error" role="alert">{move || rename_error.get()}</p>
                        </div>
                    </Show>
                    <div class="dialog-buttons">
                        <button type="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                        <button type="button" class="primary" on:click=answer>"Continue"</button>
                    </div>
                }.into_any(),
                Phase::Failed(failed, item) => {
                    let (text, error, retry) = match failed {
                        MoveFailed::CreateRefused(e) => (format!("“{}” was not moved: PostHog refused to create it under index 0, so nothing was deleted.", item.metric.name), e, false),
                        MoveFailed::DeleteFailed { error, .. } => (format!("“{}” is now under index 0, but its old copy could not be deleted: both copies are kept until the delete works.", item.metric.name), error, true),
                    };
                    view! {
                        <p id="move-status" role="alert" tabindex="-1">{text}</p>
                        <ErrorPanel error=error />
                        {report()}
                        <div class="dialog-buttons">
                            <button type="button" on:click=move |_| on_close.run(())>"Close"</button>
                            {retry.then(|| view! { <button type="button" class="primary" on:click=try_again>"Try again"</button> })}
                        </div>
                    }.into_any()
                }
                Phase::Done => view! {
                    <p id="move-status" role="status" tabindex="-1">"Done."</p>
                    {report()}
                    <div class="dialog-buttons"><button type="button" class="primary" on:click=move |_| on_close.run(())>"Close"</button></div>
                }.into_any(),
            }}
        </Modal>
    }
}
