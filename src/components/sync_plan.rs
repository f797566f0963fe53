//! The plan: exactly the requests that carry the ticked changes over (method, path, what the
//! body carries), what the target's key cannot send, then the apply with each step's result.
//! Apply reads the target again first and sends only if the plan still holds, so a second
//! apply after a stopped one sends what remains and nothing twice.

use leptos::prelude::*;
use leptos::task::spawn_local;
use posthog_groups::capability::Capabilities;
use posthog_groups::compare::{diff, plan, Selection, Step};
use posthog_groups::configuration::ProjectConfig;

use crate::api;
use crate::browser;
use crate::components::breakable::breakable;
use crate::components::dialog::Modal;
use crate::state::compare::{self, StepState};
use crate::state::connection::Connection;

/// One apply: the steps it sends and where each is. Held by the screen, so the report stays
/// while the comparison is read again after the run.
#[derive(Clone, Debug, PartialEq)]
pub struct ApplyRun {
    steps: Vec<Step>,
    states: Vec<StepState>,
    finished: bool,
}

impl ApplyRun {
    fn count(&self, f: fn(&StepState) -> bool) -> usize {
        self.states.iter().filter(|s| f(s)).count()
    }

    /// The outcome in a sentence, once finished.
    fn summary(&self) -> String {
        let total = self.steps.len();
        let done = self.count(|s| *s == StepState::Done);
        match self.states.iter().position(|s| matches!(s, StepState::Failed(_))) {
            Some(i) => {
                let StepState::Failed(e) = &self.states[i] else {
                    return String::new();
                };
                let why = e.to_string();
                let why = why.trim_end_matches('.');
                format!("Stopped at step {} of {total}: {why}. Done: {done}. Not applied: {}. The plan below now lists what remains; apply it again to finish.", i + 1, total - done)
            }
            None if done == total => format!("Applied: {done} of {total} requests went through. The target was read again: the comparison above is the target as it is now."),
            None => format!("Sending {} of {total}…", done + 1),
        }
    }
}

fn state_text(s: &StepState) -> String {
    match s {
        StepState::Waiting => "waiting".into(),
        StepState::Sending => "sending…".into(),
        StepState::Throttled(n) => {
            format!("the server asked to slow down (429): sending again in {n} s")
        }
        StepState::Done => "done".into(),
        StepState::Failed(e) => format!("failed: {e}"),
        StepState::NotSent => "not sent".into(),
    }
}

/// The plan section.
#[component]
pub fn SyncPlan(
    /// Where the requests go.
    target: Connection,
    /// The source's configuration.
    source: StoredValue<ProjectConfig>,
    /// What is ticked.
    selection: RwSignal<Selection>,
    /// The plan as the comparison on screen makes it.
    steps: Memo<Vec<Step>>,
    /// What the target's key may do once learned, or why it could not be.
    #[prop(into)]
    caps: Signal<Option<Result<Capabilities, String>>>,
    /// The last apply, if any.
    run: RwSignal<Option<ApplyRun>>,
) -> impl IntoView {
    let conn = StoredValue::new(target);
    let known = move || caps.with(|c| matches!(c, Some(Ok(_))));
    let refusals = Memo::new(move |_| {
        let caps = caps.get().and_then(Result::ok);
        steps.with(|s| {
            s.iter()
                .map(|step| caps.as_ref().and_then(|c| step.refused_by(c)))
                .collect::<Vec<_>>()
        })
    });
    let refused = move || refusals.with(|r| r.iter().filter(|r| r.is_some()).count());
    let running = move || run.with(|r| r.as_ref().is_some_and(|r| !r.finished));
    let confirming = RwSignal::new(false);
    let stale = RwSignal::new(false);
    let start = move || {
        confirming.set(false);
        let shown = steps.get_untracked();
        let sel = selection.get_untracked();
        let connection = conn.get_value();
        stale.set(false);
        run.set(Some(ApplyRun {
            states: vec![StepState::Waiting; shown.len()],
            steps: shown.clone(),
            finished: false,
        }));
        browser::focus_id_after_render("apply-status");
        spawn_local(async move {
            // The plan must still hold on the target as it is now: a change made meanwhile
            // (or a step of an earlier run that did go through) is not sent again.
            let fresh = match compare::read(&connection).await {
                Ok(t) => plan(&diff(&source.get_value(), &t), &sel),
                Err(e) => {
                    run.try_update(|r| {
                        if let Some(r) = r {
                            r.states.iter_mut().for_each(|s| *s = StepState::NotSent);
                            if let Some(first) = r.states.first_mut() {
                                *first = StepState::Failed(e);
                            }
                            r.finished = true;
                        }
                    });
                    return;
                }
            };
            if fresh != shown {
                run.try_set(None);
                stale.try_set(true);
                browser::focus_id_after_render("plan-stale");
                return;
            }
            // The lists read again once, after the run.
            let batch = api::read::batch();
            compare::apply(&connection, &shown, |i, state| {
                run.try_update(|r| {
                    if let Some(s) = r.as_mut().and_then(|r| r.states.get_mut(i)) {
                        *s = state;
                    }
                });
            })
            .await;
            drop(batch);
            run.try_update(|r| r.iter_mut().for_each(|r| r.finished = true));
            browser::focus_id_after_render("apply-status");
        });
    };
    view! {
        <section aria-labelledby="plan-title" class="sync-plan">
            <h2 id="plan-title" tabindex="-1">"Plan"</h2>
            {move || stale.get().then(|| view! {
                <p class="warning" id="plan-stale" tabindex="-1" role="alert">"The target changed since this plan was shown, so nothing was sent. The plan below is the target as it is now: review it, then apply again."</p>
            })}
            {move || {
                let list = steps.get();
                let n = list.len();
                if n == 0 {
                    return view! { <p class="empty-state" id="plan-count">"Nothing to send: tick the changes to carry over above."</p> }.into_any();
                }
                let reasons = refusals.get();
                view! {
                    <p id="plan-count"><strong>{match n { 1 => "1 request".to_string(), n => format!("{n} requests") }}</strong>
                        {", sent one at a time in this order (deletes last):"}</p>
                    <ol class="plan-steps">
                        {list.into_iter().zip(reasons).map(|(step, reason)| {
                            let req = step.request(&conn.get_value().project);
                            let refused = reason.is_some();
                            view! {
                                <li class:refused=refused>
                                    <code>{req.method.as_str()}" "{breakable(&req.path)}</code>
                                    <span class="plan-body">{breakable(&step.summary())}</span>
                                    {reason.map(|r| view! { <span class="field-error">{r}</span> })}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
            {move || { refused() > 0 }.then(|| view! {
                <p class="warning" id="plan-refused">{format!("The target's key cannot send {} of these requests, so nothing will be sent. Untick them, or compare again with a key that may make these changes.", refused())}</p>
            })}
            {move || match caps.get() {
                None => Some(view! { <p class="hint" role="status">"Checking what the target's key may do…"</p> }.into_any()),
                Some(Err(why)) => Some(view! {
                    <p class="field-error" id="plan-caps" role="alert">{format!("Apply needs to know what the target's key may do, and this could not be learned: {why}")}</p>
                }.into_any()),
                Some(Ok(_)) => None,
            }}
            <div class="form-buttons">
                <button type="button" class="primary"
                    disabled=move || { running() || refused() > 0 || steps.with(Vec::is_empty) || !known() }
                    aria-describedby="plan-count"
                    on:click=move |_| confirming.set(true)>
                    "Apply…"
                </button>
            </div>
            {move || run.get().map(|r| {
                let summary = if r.finished { r.summary() } else { format!("Applying: {} of {} done.", r.count(|s| *s == StepState::Done), r.steps.len()) };
                view! {
                    <div class="apply-run">
                        <p role="status" id="apply-status" tabindex="-1"><strong>{summary}</strong></p>
                        <ol class="plan-steps">
                            {r.steps.iter().zip(&r.states).map(|(step, state)| {
                                let failed = matches!(state, StepState::Failed(_));
                                view! {
                                <li class:refused=failed>
                                    <span class="plan-body">{breakable(&step.summary())}</span>
                                    <span class="hint">{state_text(state)}</span>
                                </li>
                            }}).collect_view()}
                        </ol>
                    </div>
                }
            })}
            <Show when=move || confirming.get()>
                <Modal title_id="apply-title" title="Apply the plan?" on_close=Callback::new(move |_| confirming.set(false))>
                    <p>{move || {
                        let c = conn.get_value();
                        let deletes = steps.with(|s| s.iter().filter(|s| matches!(s, Step::Delete(_))).count());
                        format!("{} requests to project {} on {}{}. The target is read again first; if it changed, nothing is sent.", steps.with(Vec::len), c.project, c.host,
                            if deletes > 0 { format!(", {deletes} of them deleting a metric") } else { String::new() })
                    }}</p>
                    <div class="dialog-buttons">
                        <button type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                        <button type="button" class="primary" on:click=move |_| start()>"Apply now"</button>
                    </div>
                </Modal>
            </Show>
        </section>
    }
}
