//! Says when the host is slow to answer, so a long wait never looks like a frozen app.

use leptos::prelude::*;

use crate::api::fetch::slow_requests;

/// A polite status line while any request has taken more than a few seconds.
#[component]
pub fn SlowNotice() -> impl IntoView {
    let slow = slow_requests();
    view! {
        <div class="slow-notice" role="status" aria-live="polite">
            {move || (slow.get() > 0).then_some("Still waiting for the server… Your work is kept; it will show up when the answer arrives.")}
        </div>
    }
}
