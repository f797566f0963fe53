//! A polite live region for short confirmations ("Saved 2 group types"), provided once.

use leptos::prelude::*;

pub use crate::state::notice::Notice;

/// Where notices appear: always in the DOM, so screen readers announce changes.
#[component]
pub fn NoticeRegion() -> impl IntoView {
    let notice = Notice::expect();
    view! {
        <div class="notice" role="status" aria-live="polite">
            {move || notice.0.get()}
        </div>
    }
}
