//! The host part of the connection form: presets as radio buttons, and the address of a
//! self-hosted instance.

use leptos::prelude::*;

use crate::components::field::TextField;
use crate::state::host_choice::HostChoice;

/// Radio buttons for the allowed host choices, with the address field for self-hosted.
#[component]
pub fn HostPicker(
    /// The choices to offer (the config may limit them).
    choices: Vec<HostChoice>,
    /// The selected choice.
    choice: RwSignal<HostChoice>,
    /// The typed self-hosted address.
    custom_host: RwSignal<String>,
    /// The host's error message, shown next to the field it concerns.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let self_hosted = move || choice.get() == HostChoice::SelfHosted;
    view! {
        <fieldset class="field">
            <legend>"Host"</legend>
            <p class="hint">"Where you sign in to PostHog. Keys work only on their own host and region."</p>
            {choices.into_iter().map(|c| view! {
                <label class="radio">
                    <input
                        type="radio"
                        name="host"
                        value=c.value()
                        prop:checked=move || choice.get() == c
                        on:change=move |_| choice.set(c)
                    />
                    {c.label()}
                </label>
            }).collect_view()}
            <p class="field-error" aria-live="polite">{move || (!self_hosted()).then(|| error.get()).flatten()}</p>
        </fieldset>
        <Show when=self_hosted>
            <TextField
                id="host-url"
                label="Self-hosted address"
                value=custom_host
                error=Signal::derive(move || self_hosted().then(|| error.get()).flatten())
                hint="The address you open PostHog at, such as https://posthog.example.com (http only on this machine: localhost, 127.0.0.1 or [::1])."
                input_type="url"
                placeholder="https://posthog.example.com"
            />
        </Show>
    }
}
