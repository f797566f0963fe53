//! The connection screen: host, project id and personal API key.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use posthog_groups::host::{EU_CLOUD, US_CLOUD};
use posthog_groups::{Host, ProjectId};

use crate::browser;
use crate::components::field::TextField;
use crate::state::connection::{ApiKey, Connection, ConnectionState};

/// Where the user's PostHog lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostChoice {
    /// The sandbox that serves this page (same origin).
    Sandbox,
    /// PostHog US cloud.
    Us,
    /// PostHog EU cloud.
    Eu,
    /// A self-hosted instance; its address is typed.
    SelfHosted,
}

impl HostChoice {
    /// Every choice, in the order shown.
    pub const ALL: [HostChoice; 4] = [
        HostChoice::Us,
        HostChoice::Eu,
        HostChoice::SelfHosted,
        HostChoice::Sandbox,
    ];

    /// Radio button label.
    pub fn label(self) -> &'static str {
        match self {
            HostChoice::Sandbox => "Local sandbox (this server)",
            HostChoice::Us => "US cloud (us.posthog.com)",
            HostChoice::Eu => "EU cloud (eu.posthog.com)",
            HostChoice::SelfHosted => "Self-hosted",
        }
    }

    /// Stable value for the radio input and DOM ids.
    pub fn value(self) -> &'static str {
        match self {
            HostChoice::Sandbox => "sandbox",
            HostChoice::Us => "us",
            HostChoice::Eu => "eu",
            HostChoice::SelfHosted => "self-hosted",
        }
    }
}

/// The host a choice means; `custom` is the typed address, `origin` this page's origin.
pub fn resolve_host(
    choice: HostChoice,
    custom: &str,
    origin: Option<&str>,
) -> Result<Host, String> {
    match choice {
        HostChoice::Us => Host::parse(US_CLOUD),
        HostChoice::Eu => Host::parse(EU_CLOUD),
        HostChoice::SelfHosted => Host::parse(custom),
        HostChoice::Sandbox => origin
            .ok_or_else(|| "This page has no origin to use as the sandbox.".to_string())
            .and_then(Host::parse),
    }
}

/// The connection form. On success it stores the connection and opens the group types.
#[component]
pub fn ConnectPage() -> impl IntoView {
    let state = ConnectionState::expect();
    let navigate = use_navigate();
    let current = state.0.get_untracked();

    let choice = RwSignal::new(HostChoice::Sandbox);
    let custom_host = RwSignal::new(String::new());
    let project = RwSignal::new(
        current
            .as_ref()
            .map(|c| c.project.to_string())
            .unwrap_or_else(|| "1".into()),
    );
    let key = RwSignal::new(String::new());
    let show_key = RwSignal::new(false);
    let host_error = RwSignal::new(None::<String>);
    let project_error = RwSignal::new(None::<String>);
    let key_error = RwSignal::new(None::<String>);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let origin = browser::page_origin();
        let host = resolve_host(
            choice.get_untracked(),
            &custom_host.get_untracked(),
            origin.as_deref(),
        );
        let project_id = ProjectId::parse(&project.get_untracked());
        let api_key = ApiKey::parse(&key.get_untracked());
        host_error.set(host.as_ref().err().cloned());
        project_error.set(project_id.as_ref().err().cloned());
        key_error.set(api_key.as_ref().err().cloned());
        if let (Ok(host), Ok(project), Ok(key)) = (host, project_id, api_key) {
            state.0.set(Some(Connection { host, project, key }));
            navigate("/group-types", Default::default());
        }
    };

    view! {
        <section class="connect" aria-labelledby="connect-title">
            <h1 id="connect-title">"Connect to PostHog"</h1>
            <p class="lead">"Choose your PostHog host, project and personal API key. The key stays in this browser tab and is sent only to the host you choose."</p>
            <form on:submit=on_submit novalidate>
                <fieldset class="field">
                    <legend>"Host"</legend>
                    {HostChoice::ALL.into_iter().map(|c| view! {
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
                    <p class="field-error" aria-live="polite">{move || (choice.get() != HostChoice::SelfHosted).then(|| host_error.get()).flatten()}</p>
                </fieldset>
                <Show when=move || choice.get() == HostChoice::SelfHosted>
                    <TextField
                        id="host-url"
                        label="Self-hosted address"
                        value=custom_host
                        error=host_error
                        hint="The address you open PostHog at, such as https://posthog.example.com."
                        input_type="url"
                        placeholder="https://posthog.example.com"
                    />
                </Show>
                <TextField
                    id="project-id"
                    label="Project id"
                    value=project
                    error=project_error
                    hint="The number in your PostHog project's URL (/project/12345) or in Project settings."
                    autocomplete="off"
                />
                <div class="key-row">
                    <TextField
                        id="api-key"
                        label="Personal API key"
                        value=key
                        error=key_error
                        hint="Create one in PostHog under Settings → Personal API keys, with the scopes group:read, group:write, usage_metric:read and usage_metric:write."
                        input_type=Signal::derive(move || if show_key.get() { "text".to_string() } else { "password".to_string() })
                        autocomplete="off"
                        placeholder="phx_…"
                    />
                    <button
                        type="button"
                        class="secondary"
                        aria-controls="api-key"
                        aria-pressed=move || if show_key.get() { "true" } else { "false" }
                        on:click=move |_| show_key.update(|s| *s = !*s)
                    >
                        {move || if show_key.get() { "Hide key" } else { "Show key" }}
                    </button>
                </div>
                <button type="submit" class="primary">"Connect"</button>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_resolve_to_their_hosts() {
        let host = |c, custom| {
            resolve_host(c, custom, Some("http://127.0.0.1:8000")).map(|h| h.to_string())
        };
        assert_eq!(host(HostChoice::Us, ""), Ok(US_CLOUD.into()));
        assert_eq!(host(HostChoice::Eu, "ignored"), Ok(EU_CLOUD.into()));
        assert_eq!(
            host(HostChoice::Sandbox, ""),
            Ok("http://127.0.0.1:8000".into())
        );
        assert_eq!(
            host(HostChoice::SelfHosted, "https://ph.example.com/"),
            Ok("https://ph.example.com".into())
        );
        assert!(host(HostChoice::SelfHosted, "http://ph.example.com").is_err());
        assert!(resolve_host(HostChoice::Sandbox, "", None).is_err());
    }
}
