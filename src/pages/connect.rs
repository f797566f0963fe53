//! The connection screen: host, project id and personal API key; on connect, checks what
//! the key can do and opens the group types.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use posthog_groups::{ApiError, Host, ProjectId};

use crate::api;
use crate::browser;
use crate::components::field::TextField;
use crate::components::host_picker::HostPicker;
use crate::components::key_field::KeyField;
use crate::components::linked_host::LinkedHostWarning;
use crate::components::sign_in::SignIn;
use crate::state::capabilities::{self, explain_connect_error, CapabilityError};
use crate::state::config::{AppConfig, ConfigResource, KeyStorage};
use crate::state::connection::{ApiKey, Connection, Session};
use crate::state::host_choice::{
    allowed_choices, initial_choice, linked_host, resolve_host, HostChoice,
};
use crate::state::notice::Notice;
use crate::state::url::{href, Target};

/// The page: waits for `config.json`, then shows the form.
#[component]
pub fn ConnectPage() -> impl IntoView {
    let config = ConfigResource::expect();
    view! {
        <section class="connect" aria-labelledby="connect-title">
            <h1 id="connect-title">"Connect to PostHog"</h1>
            <p class="lead">"Choose your PostHog host, project and personal API key. The key is sent only to the host you choose, and never appears in a URL."</p>
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading settings…"</p> }>
                {move || config.0.get().map(|loaded| {
                    let (config, warning) = match loaded {
                        Ok(c) => (c, None),
                        Err(e) => (AppConfig::default(), Some(e)),
                    };
                    view! {
                        {warning.map(|w| view! { <p class="warning" role="alert">{w}" The defaults are used instead."</p> })}
                        <ConnectForm config=config />
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The form itself; every value the user typed stays in its field whatever happens.
#[component]
fn ConnectForm(config: AppConfig) -> impl IntoView {
    let session = Session::expect();
    let notice = Notice::expect();
    let navigate = use_navigate();
    let query = use_query_map().get_untracked();
    let origin = browser::page_origin();
    let url_target = Target {
        host: query.get("host"),
        project: query.get("project"),
        group: None,
    };
    let url_host = url_target.host.as_deref().and_then(|h| Host::parse(h).ok());
    let (initial, initial_custom) = initial_choice(url_host.as_ref(), &config, origin.as_deref());
    let initial_project = url_target
        .project
        .clone()
        .or_else(|| config.default_project.as_ref().map(ProjectId::to_string))
        .unwrap_or_default();

    let choice = RwSignal::new(initial);
    let custom_host = RwSignal::new(initial_custom);
    let project = RwSignal::new(initial_project);
    let key = RwSignal::new(String::new());
    let remember = RwSignal::new(false);
    let host_error = RwSignal::new(None::<String>);
    let project_error = RwSignal::new(None::<String>);
    let key_error = RwSignal::new(None::<String>);
    let connect_error = RwSignal::new(None::<String>);
    let policy = config.key_storage;
    let choices = allowed_choices(&config, origin.as_deref());
    // A host the link chose (see `linked_host`): nothing keyed is sent there until the
    // user confirms it, for Connect and for sign-in alike.
    let linked = StoredValue::new(linked_host(url_host.as_ref(), &config, origin.as_deref()));
    let linked_confirmed = RwSignal::new(false);
    let linked_error = RwSignal::new(None::<String>);
    let linked_shown = Memo::new(move |_| {
        let typed = (choice.get() == HostChoice::SelfHosted)
            .then(|| Host::parse(&custom_host.get()).ok())
            .flatten();
        linked.with_value(|l| l.is_some() && l.as_ref() == typed.as_ref())
    });
    Effect::new(move |_| {
        if linked_confirmed.get() {
            linked_error.set(None);
        }
    });

    // Two reads at once: the key's own record and the list the next screen shows. Nothing
    // that could write is sent.
    let check = Action::new_local(move |conn: &Connection| {
        let conn = conn.clone();
        async move {
            let (list, caps) = futures::join!(
                api::list_group_types(&conn),
                capabilities::learn(&conn, false)
            );
            (conn, list, caps)
        }
    });
    let checking = check.pending();
    Effect::new(move |_| {
        let Some((conn, list, caps)) = check.value().get() else {
            return;
        };
        match (list, caps) {
            // The record's reason is the clearer one (it names the key's projects).
            (_, Err(e @ CapabilityError::Unreachable(_))) | (Ok(_), Err(e)) => {
                connect_error.set(Some(e.explain(&conn.host, &conn.project)))
            }
            (Ok(_), Ok(caps)) => {
                let storage = KeyStorage::chosen(policy, remember.get_untracked());
                session.remember(conn.host.clone(), conn.key.clone(), storage);
                session.show_capabilities(&conn, caps);
                notice.show(format!(
                    "Connected to project {} on {}.",
                    conn.project,
                    conn.host.as_str()
                ));
                navigate(
                    &href("/group-types", &Target::of(&conn.host, &conn.project)),
                    Default::default(),
                );
            }
            (Err(e), caps) => {
                let mut message = explain_connect_error(&e, &conn.host, &conn.project);
                let refused = matches!(
                    e,
                    ApiError::PermissionDenied { .. } | ApiError::NoProjectAccess { .. }
                );
                if let (true, Ok(Some(hint))) = (refused, caps.map(|c| c.organization_hint())) {
                    message = format!("{message} {hint}");
                }
                connect_error.set(Some(message))
            }
        }
    });

    // Host and project, read and checked for Connect and for sign-in alike; each error is
    // shown beside its field.
    let allowed = config.clone();
    let origin_for_host = origin.clone();
    let fields = move || {
        let host = resolve_host(
            choice.get_untracked(),
            &custom_host.get_untracked(),
            origin_for_host.as_deref(),
        )
        .and_then(|h| {
            if allowed.allows(Some(&h)) {
                Ok(h)
            } else {
                Err(format!("This console may not connect to {h}."))
            }
        });
        let project_id = ProjectId::parse(&project.get_untracked());
        let unconfirmed = linked_shown.get_untracked() && !linked_confirmed.get_untracked();
        linked_error.set(unconfirmed.then(|| {
            "Confirm that this is your PostHog, or choose another host: nothing is sent until you do."
                .to_string()
        }));
        let host = match host {
            Ok(_) if unconfirmed => Err(None),
            other => other.map_err(Some),
        };
        host_error.set(host.as_ref().err().cloned().flatten());
        project_error.set(project_id.as_ref().err().cloned());
        (host, project_id)
    };
    // Focus goes to the first field that is wrong (the host only when it is typed in).
    let focus_first = move |host_bad: bool, project_bad: bool, key_bad: bool| {
        let self_hosted = choice.get_untracked() == HostChoice::SelfHosted;
        if host_bad && linked_error.get_untracked().is_some() {
            browser::focus_id("host-confirm")
        } else if host_bad && self_hosted {
            browser::focus_id("host-url")
        } else if project_bad {
            browser::focus_id("project-id")
        } else if key_bad {
            browser::focus_id("api-key")
        }
    };
    let fields_for_sign_in = fields.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        connect_error.set(None);
        let (host, project_id) = fields();
        let api_key = ApiKey::parse(&key.get_untracked());
        key_error.set(api_key.as_ref().err().cloned());
        match (host, project_id, api_key) {
            (Ok(host), Ok(project), Ok(key)) => {
                // The user is connecting with this key now, even if it was forgotten before.
                session.renew(&key);
                check.dispatch(Connection { host, project, key });
            }
            (host, project, key) => focus_first(host.is_err(), project.is_err(), key.is_err()),
        }
    };

    // Sign-in needs the host and project only.
    let sign_in_target = Callback::new(move |()| {
        connect_error.set(None);
        key_error.set(None);
        match fields_for_sign_in() {
            (Ok(h), Ok(p)) => Some((h, p)),
            (host, project) => {
                focus_first(host.is_err(), project.is_err(), false);
                None
            }
        }
    });
    let origin_now = origin.clone();
    let host_now = Signal::derive(move || {
        resolve_host(choice.get(), &custom_host.get(), origin_now.as_deref()).ok()
    });
    let sign_in = config.oauth.clone().map(|oauth| {
        view! { <SignIn oauth=oauth target=sign_in_target host=host_now policy=policy remember=remember load=|| Box::pin(async { crate::pages::lazy::start_sign_in().await.ok() }) /> }
    });

    view! {
        <form on:submit=on_submit novalidate aria-describedby="connect-error">
            <HostPicker choices=choices choice=choice custom_host=custom_host error=host_error />
            {move || linked_shown.get().then(|| linked.get_value()).flatten().map(|host| view! {
                <LinkedHostWarning host=host confirmed=linked_confirmed error=linked_error />
            })}
            <TextField
                id="project-id"
                label="Project id"
                value=project
                error=project_error
                hint="The number in your PostHog project's address (/project/12345), also in Project settings."
                autocomplete="off"
            />
            <KeyField key=key error=key_error policy=policy remember=remember />
            <div id="connect-error" aria-live="assertive">
                {move || connect_error.get().map(|message| view! {
                    <div class="error-panel" role="alert">
                        <p class="error-title"><strong>"Could not connect"</strong></p>
                        <p>{message}</p>
                    </div>
                })}
            </div>
            <div class="form-buttons">
                <button type="submit" class="primary" disabled=checking>
                    {move || if checking.get() { "Connecting…" } else { "Connect" }}
                </button>
                <Show when=move || session.key_host().is_some()>
                    <button type="button" on:click=move |_| session.forget()>
                        {move || if session.signed_in() { "Sign out" } else { "Forget key" }}
                    </button>
                </Show>
            </div>
            {sign_in}
        </form>
    }
}
