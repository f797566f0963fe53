//! The bar that appears while group type names have unsaved edits, and the review dialog.

use leptos::prelude::*;

use crate::components::dialog::Modal;
use crate::state::rename::Change;

/// "N unsaved changes" with Review, Save and Discard.
#[component]
pub fn RenameBar(
    /// How many group types have edits.
    #[prop(into)]
    count: Signal<usize>,
    /// True while the save request is in flight.
    #[prop(into)]
    saving: Signal<bool>,
    /// Opens the review.
    #[prop(into)]
    on_review: Callback<()>,
    /// Sends the changes.
    #[prop(into)]
    on_save: Callback<()>,
    /// Drops every edit.
    #[prop(into)]
    on_discard: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="rename-bar sticky-bar" role="region" aria-label="Unsaved changes">
            <p aria-live="polite">
                {move || match count.get() {
                    1 => "1 unsaved change".to_string(),
                    n => format!("{n} unsaved changes"),
                }}
            </p>
            <button type="button" on:click=move |_| on_review.run(()) disabled=saving>"Review"</button>
            <button type="button" class="primary" on:click=move |_| on_save.run(()) disabled=saving>
                {move || if saving.get() { "Saving…" } else { "Save" }}
            </button>
            <button type="button" on:click=move |_| on_discard.run(()) disabled=saving>"Discard"</button>
        </div>
    }
}

/// The diff (old → new) of every changed name, before sending.
#[component]
pub fn ReviewDialog(
    /// The changes to show.
    changes: Vec<Change>,
    /// Sends them.
    #[prop(into)]
    on_save: Callback<()>,
    /// Back to editing.
    #[prop(into)]
    on_close: Callback<()>,
) -> impl IntoView {
    view! {
        <Modal title_id="review-title" title="Review name changes" on_close=on_close>
            <table class="data-table">
                <caption class="visually-hidden">"Changes to save"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Group type"</th>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Now"</th>
                        <th scope="col">"After saving"</th>
                    </tr>
                </thead>
                <tbody>
                    {changes.into_iter().map(|c| view! {
                        <tr>
                            <td><code>{c.group_type}</code></td>
                            <td>{c.field.label()}</td>
                            <td>{c.old}</td>
                            <td>{c.new}{c.reset.then_some(" (default)")}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <div class="dialog-buttons">
                <button type="button" on:click=move |_| on_close.run(())>"Back to editing"</button>
                <button type="button" class="primary" on:click=move |_| on_save.run(())>"Save changes"</button>
            </div>
        </Modal>
    }
}
