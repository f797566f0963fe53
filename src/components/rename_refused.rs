//! Shown when the instance refuses personal API keys for renaming (PostHog Cloud): the edits
//! stay, and the user gets a link to PostHog's own settings and the names to paste there.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser;

/// The explanation, the settings link and a copy button for the planned names.
#[component]
pub fn RenameRefused(
    /// PostHog's group type settings page for this host and project.
    settings_url: String,
    /// The planned names as text.
    names: String,
) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let text = names.clone();
    let copy = move |_| {
        let text = text.clone();
        spawn_local(async move { copied.set(Some(browser::copy_text(&text).await)) });
    };
    // It appears above the sticky "unsaved changes" bar, maybe far below the view.
    browser::reveal_after_render("rename-refused");
    view! {
        <div class="error-panel" role="alert" id="rename-refused">
            <p class="error-title"><strong>"This instance allows renaming only in PostHog's own settings"</strong></p>
            <p>
                "PostHog refused the rename because it does not accept personal API keys for it. Your edits are kept below. Open "
                <a href=settings_url.clone() target="_blank" rel="noopener noreferrer">"PostHog's group type settings"</a>
                " and enter the names there:"
            </p>
            <textarea readonly rows="3" aria-label="Names to enter in PostHog">{names}</textarea>
            <p>
                <button type="button" on:click=copy>"Copy names"</button>
                <span aria-live="polite">{move || copied.get().map(|ok| if ok { " Copied." } else { " Copy failed: select the text above and copy it." })}</span>
            </p>
        </div>
    }
}
