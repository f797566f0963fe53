//! The personal API key input: masked with show/hide, and where the key is kept.

use leptos::prelude::*;

use crate::components::field::TextField;
use crate::state::config::KeyStorage;

/// The key field and, when the config allows it, the "remember on this device" choice.
#[component]
pub fn KeyField(
    /// The key as typed.
    key: RwSignal<String>,
    /// The key's error message.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// The longest the config lets the key be kept.
    policy: KeyStorage,
    /// Whether the user opted in to localStorage.
    remember: RwSignal<bool>,
) -> impl IntoView {
    let show = RwSignal::new(false);
    view! {
        <div class="key-row">
            <TextField
                id="api-key"
                label="Personal API key"
                value=key
                error=error
                hint="Create one in PostHog under Settings → Personal API keys. Grant group:read, group:write, usage_metric:read and usage_metric:write."
                input_type=Signal::derive(move || if show.get() { "text".to_string() } else { "password".to_string() })
                autocomplete="off"
                placeholder="phx_…"
            />
            <button
                type="button"
                class="secondary"
                aria-controls="api-key"
                aria-pressed=move || if show.get() { "true" } else { "false" }
                on:click=move |_| show.update(|s| *s = !*s)
            >
                {move || if show.get() { "Hide key" } else { "Show key" }}
            </button>
        </div>
        {match policy {
            KeyStorage::Device => view! {
                <div class="field">
                    <label class="checkbox">
                        <input type="checkbox" bind:checked=remember aria-describedby="remember-hint" />
                        "Remember on this device"
                    </label>
                    <p class="hint" id="remember-hint">
                        "Keeps the key in this browser's local storage until you choose Forget key; anyone using this browser profile can use it. Otherwise the key is kept only until this tab closes."
                    </p>
                </div>
            }.into_any(),
            KeyStorage::Session => view! {
                <p class="hint">"The key is kept only until this tab closes."</p>
            }.into_any(),
            KeyStorage::Memory => view! {
                <p class="hint">"The key is kept only in memory: you enter it again after a reload."</p>
            }.into_any(),
        }}
    }
}
