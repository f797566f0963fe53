//! The deletes waiting for their undo period, each with its own Undo.

use leptos::prelude::*;

use crate::browser;
use crate::components::breakable::breakable;
use crate::state::pending_deletes::PendingDeletes;
use crate::state::project_list::row_link_id;

/// One line per pending delete: "Deleted “Paid bills”." with an Undo button. The user's
/// focus on an Undo holds every delete; after Undo, focus goes back to the restored row when the list
/// shows it (else the page's heading takes it, as when any focused element goes).
#[component]
pub fn PendingDeletesBar() -> impl IntoView {
    let pending = PendingDeletes::expect();
    let all = pending.all();
    // The notice line announces each delete and undo; this region is only where Undo is.
    view! {
        <div
            class="pending-deletes"
            role="region"
            aria-label="Deleted metrics"
            on:focusin=move |_| pending.focus_entered()
            on:focusout=move |_| pending.hold(false)
        >
            <For each=move || all.get() key=|p| (p.token, p.changed.is_some()) let(p)>
                {match p.changed.clone() {
                    Some(changed) => view! {
                        <p class="pending-delete changed">
                            "Not deleted: “"{breakable(&p.metric.name)}"” changed since it was shown ("{breakable(&changed)}"). "
                            <button type="button" class="danger" id=p.confirm_id()
                                aria-label=format!("Delete anyway: {}", p.metric.name)
                                on:click=move |_| pending.confirm(p.token)>
                                "Delete anyway"
                            </button>
                            <button type="button" aria-label=format!("Keep it: {}", p.metric.name)
                                on:click=move |_| {
                                    if let Some(kept) = pending.undo(p.token) {
                                        browser::focus_id_after_render(row_link_id(kept.index, &kept.metric.id));
                                    }
                                }>
                                "Keep it"
                            </button>
                        </p>
                    }.into_any(),
                    None => view! {
                <p class="pending-delete">
                    "Deleted “"{p.metric.name.clone()}"”. "
                    <button
                        type="button"
                        id=p.undo_id()
                        aria-label=format!("Undo delete of {}", p.metric.name)
                        on:click=move |_| {
                            if let Some(undone) = pending.undo(p.token) {
                                pending.hold(false);
                                browser::focus_id_after_render(row_link_id(undone.index, &undone.metric.id));
                            }
                        }
                    >
                        "Undo"
                    </button>
                </p>
                    }.into_any(),
                }}
            </For>
        </div>
    }
}
