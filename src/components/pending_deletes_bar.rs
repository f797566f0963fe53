//! The notices of deletes waiting for their undo period, each with its own Undo.

use leptos::prelude::*;

use crate::state::pending_deletes::PendingDeletes;

/// One line per pending delete: "Deleted “Paid bills”." with an Undo button.
#[component]
pub fn PendingDeletesBar() -> impl IntoView {
    let pending = PendingDeletes::expect();
    let all = pending.all();
    view! {
        <div class="pending-deletes" role="region" aria-label="Deleted metrics" aria-live="polite">
            <For each=move || all.get() key=|p| p.token let(p)>
                <p class="pending-delete">
                    "Deleted “"{p.metric.name.clone()}"”. "
                    <button
                        type="button"
                        aria-label=format!("Undo delete of {}", p.metric.name)
                        on:click=move |_| pending.undo(p.token)
                    >
                        "Undo"
                    </button>
                </p>
            </For>
        </div>
    }
}
