//! A modal dialog on the native `<dialog>` element: the browser traps focus inside it,
//! Escape closes it, and the rest of the page is inert. Focus returns to where it was.

use leptos::html;
use leptos::prelude::*;
use send_wrapper::SendWrapper;

use crate::browser;

/// A modal that is open while it is mounted: render it inside `<Show>`.
#[component]
pub fn Modal(
    /// DOM id of the title, for `aria-labelledby`.
    title_id: &'static str,
    /// The dialog's heading.
    #[prop(into)]
    title: String,
    /// Called on Escape; the parent unmounts the modal.
    #[prop(into)]
    on_close: Callback<()>,
    /// The dialog's body and buttons.
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let opener = SendWrapper::new(browser::focused_element());
    Effect::new(move |_| {
        if let Some(d) = dialog.get() {
            if !d.open() {
                let _ = d.show_modal();
            }
        }
    });
    on_cleanup(move || {
        if let Some(el) = opener.take() {
            let _ = el.focus();
        }
    });
    view! {
        <dialog
            node_ref=dialog
            class="modal"
            aria-labelledby=title_id
            on:cancel=move |ev: web_sys::Event| {
                // Keep the element until the parent unmounts it, so cleanup restores focus.
                ev.prevent_default();
                on_close.run(());
            }
        >
            <h2 id=title_id>{title}</h2>
            {children()}
        </dialog>
    }
}
