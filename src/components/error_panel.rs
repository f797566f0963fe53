//! Shows a typed [`ApiError`] where it happened, with a retry button when retrying can help.
//! When the server is down or the device offline, the panel also tries again on its own, so
//! the view comes back by itself once the server answers.

use std::time::Duration;

use leptos::prelude::*;
use posthog_groups::ApiError;

/// How often a panel for a server that is down or unreachable tries again by itself.
pub const AUTO_RETRY: Duration = Duration::from_secs(10);

/// An error message with a title, the plain explanation, and an optional retry.
#[component]
pub fn ErrorPanel(
    /// The error to explain.
    error: ApiError,
    /// Called when the user asks to try again; no button when absent.
    #[prop(optional, into)]
    on_retry: Option<Callback<()>>,
) -> impl IntoView {
    let automatic = error.is_transient();
    view! { <ProblemPanel title=error.title() text=error.to_string() transient=automatic on_retry=on_retry /> }
}

/// The panel itself, for any failure: [`ErrorPanel`] fills it from an [`ApiError`]; a screen
/// whose code could not be fetched fills it itself. A transient failure with a retry is tried
/// again every few seconds and at once when the device is back online.
#[component]
pub fn ProblemPanel(
    /// What went wrong, in a few words.
    title: &'static str,
    /// The plain explanation.
    text: String,
    /// Whether trying again by itself can help (server down, device offline).
    transient: bool,
    /// Called when the user asks to try again; no button when absent.
    on_retry: Option<Callback<()>>,
) -> impl IntoView {
    let automatic = on_retry.filter(|_| transient);
    if let Some(retry) = automatic {
        // Tried again every few seconds and at once when the device is back online; both
        // stop when the panel goes (the answer came, or the view was left).
        if let Ok(timer) = set_interval_with_handle(move || retry.run(()), AUTO_RETRY) {
            on_cleanup(move || timer.clear());
        }
        let online = window_event_listener(leptos::ev::online, move |_| retry.run(()));
        on_cleanup(move || online.remove());
    }
    view! {
        <div class="error-panel" role="alert">
            <p class="error-title"><strong>{title}</strong></p>
            <p>{text}</p>
            {automatic.map(|_| view! {
                <p class="hint">"The app tries again every 10 seconds, and as soon as this device is back online. Nothing you typed is lost."</p>
            })}
            {on_retry.map(|retry| view! {
                <button type="button" on:click=move |_| retry.run(())>"Try again"</button>
            })}
        </div>
    }
}
