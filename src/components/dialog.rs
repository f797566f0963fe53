//! A modal dialog on the native `<dialog>` element: the browser traps focus inside it,
//! Escape closes it, and the rest of the page is inert. Focus returns to where it was.

use std::cell::RefCell;
use std::rc::Rc;

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
    let shown = SendWrapper::new(Rc::new(RefCell::new(None::<web_sys::HtmlDialogElement>)));
    let remember = shown.clone();
    Effect::new(move |_| {
        if let Some(d) = dialog.get() {
            if !d.open() {
                let _ = d.show_modal();
            }
            *remember.borrow_mut() = Some(d);
        }
    });
    on_cleanup(move || {
        // While a modal is open the rest of the page is inert and cannot take focus: close
        // it first, then give focus back to what opened it (if that is still on the page).
        if let Some(d) = shown.borrow_mut().take() {
            d.close();
        }
        if let Some(el) = opener.take().filter(|el| el.is_connected()) {
            let _ = el.focus();
        }
    });
    view! {
        <dialog
            node_ref=dialog
            class="modal"
            aria-labelledby=title_id
            on:cancel=move |ev: web_sys::Event| {
                // A file input's picker closed without a choice fires a `cancel` that bubbles
                // up to here: that one is not Escape, and must not close the dialog.
                if !browser::is_own_event(&ev) {
                    return;
                }
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
