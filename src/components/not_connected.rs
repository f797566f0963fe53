//! What a screen shows when its URL names a project but no key is held for that host.

use leptos::prelude::*;

use crate::browser;
use crate::state::url::{href, Target};

/// A short explanation and a link to the connection screen that keeps host and project.
#[component]
pub fn NotConnected(
    /// Host and project from the URL, passed on to the connection screen.
    target: Target,
) -> impl IntoView {
    view! {
        <div class="empty-state">
            <p><strong>"Not connected."</strong></p>
            <p>"Enter your personal API key to open this project. "<a href=browser::app_link(&href("/", &target))>"Go to the connection screen"</a></p>
        </div>
    }
}
