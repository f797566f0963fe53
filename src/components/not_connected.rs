//! What a screen shows when its URL names a project but no key is held for that host.

use leptos::prelude::*;

use crate::browser;
use crate::state::connection::Session;
use crate::state::url::{href, Target};

/// A short explanation and a link to the connection screen that keeps host and project.
#[component]
pub fn NotConnected(
    /// Host and project from the URL, passed on to the connection screen.
    target: Target,
) -> impl IntoView {
    let session = Session::expect();
    let link = browser::app_link(&href("/", &target));
    move || {
        if session.restoring.get() {
            return view! { <p class="loading" role="status">"Checking the key kept in this browser…"</p> }.into_any();
        }
        let why = if session.ended_elsewhere.get() {
            "The key was forgotten or replaced in another tab, so this tab no longer uses it. "
        } else {
            "Enter your personal API key to open this project. "
        };
        view! {
            <div class="empty-state">
                <p><strong>"Not connected."</strong></p>
                <p>{why}<a href=link.clone()>"Go to the connection screen"</a></p>
            </div>
        }
        .into_any()
    }
}
