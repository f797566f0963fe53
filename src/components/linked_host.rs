//! The warning on the connection form when the host came from the link that opened it,
//! not from the user or the deployment: the key would go wherever the link's author chose.

use leptos::prelude::*;
use posthog_groups::Host;

/// A plain warning naming the host, and the confirmation the user must give before the
/// key (or a sign-in) goes there.
#[component]
pub fn LinkedHostWarning(
    /// The host the link chose.
    host: Host,
    /// Whether the user confirmed it.
    confirmed: RwSignal<bool>,
    /// Why the form was not sent (the confirmation is missing), shown under it.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let name = host.to_string();
    view! {
        <div class="warning linked-host">
            <p><strong>"Check this host before you connect"</strong></p>
            <p id="linked-host-text">
                "This link chose the host "<strong class="host-name">{name.clone()}</strong>
                ". Your key will be sent there. Connect only if this is your PostHog."
            </p>
            <label class="checkbox">
                <input
                    type="checkbox"
                    id="host-confirm"
                    bind:checked=confirmed
                    aria-describedby="linked-host-text host-confirm-error"
                />
                <span>"This is my PostHog: send my key to "<span class="host-name">{name}</span></span>
            </label>
            <p class="field-error" id="host-confirm-error" aria-live="polite">{move || error.get()}</p>
        </div>
    }
}
