//! Shows a typed [`ApiError`] where it happened, with a retry button when retrying can help.

use leptos::prelude::*;
use posthog_groups::ApiError;

/// An error message with a title, the plain explanation, and an optional retry.
#[component]
pub fn ErrorPanel(
    /// The error to explain.
    error: ApiError,
    /// Called when the user asks to try again; no button when absent.
    #[prop(optional, into)]
    on_retry: Option<Callback<()>>,
) -> impl IntoView {
    view! {
        <div class="error-panel" role="alert">
            <p class="error-title"><strong>{error.title()}</strong></p>
            <p>{error.to_string()}</p>
            {on_retry.map(|retry| view! {
                <button type="button" on:click=move |_| retry.run(())>"Try again"</button>
            })}
        </div>
    }
}
