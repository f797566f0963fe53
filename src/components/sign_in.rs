//! "Sign in with PostHog" on the connection screen: the host and project come from the
//! form beside it, the rest is PostHog's consent page. Offered only where the deployment
//! configured OAuth for the host, and never inside a portal's frame (PostHog's login page
//! refuses to be framed; the portal gives the credentials there).

use leptos::prelude::*;
use posthog_groups::{Host, ProjectId};

use crate::browser;
use crate::state::config::{KeyStorage, OAuthConfig};
use crate::state::sign_in::LoadStartSignIn;

/// The button, its explanation, and why a sign-in could not start.
#[component]
pub fn SignIn(
    /// Who this console is to PostHog.
    oauth: OAuthConfig,
    /// The form's host and project when both are valid (it marks the fields otherwise).
    target: Callback<(), Option<(Host, ProjectId)>>,
    /// The host chosen now, to offer sign-in only where it is configured.
    #[prop(into)]
    host: Signal<Option<Host>>,
    /// The longest the config lets credentials be kept.
    policy: KeyStorage,
    /// Whether the user opted in to localStorage.
    remember: RwSignal<bool>,
    /// Fetches the sign-in's code (its own chunk), from the page above.
    load: LoadStartSignIn,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let oauth = StoredValue::new(oauth);
    let start = Action::new_local(move |(host, project): &(Host, ProjectId)| {
        let (host, project) = (host.clone(), project.clone());
        let oauth = oauth.get_value();
        let kept = KeyStorage::chosen(policy, remember.get_untracked());
        async move {
            match load().await {
                Some(start) => start(host, project, oauth, kept).await.map_err(|e| e.to_string()),
                None => Err("The sign-in's code did not arrive from the server the app is served from. Check the connection, then try again.".to_string()),
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Err(e)) = start.value().get() {
            error.set(Some(e));
        }
    });
    let offered = move || {
        !browser::in_frame()
            && oauth.with_value(|o| o.hosts.is_none() || host.get().is_some_and(|h| o.offers(&h)))
    };
    let busy = start.pending();
    view! {
        <Show when=offered>
            <div class="sign-in" role="group" aria-labelledby="sign-in-title">
                <p class="sign-in-title" id="sign-in-title"><strong>"Or sign in with PostHog"</strong></p>
                <p class="hint" id="sign-in-hint">
                    "No key to paste: PostHog asks you to allow this console to read and edit group types and usage metrics, and which projects it may open. Uses the host and project above."
                </p>
                <button
                    type="button"
                    class="secondary"
                    aria-describedby="sign-in-hint sign-in-error"
                    disabled=busy
                    on:click=move |_| {
                        error.set(None);
                        if let Some(t) = target.run(()) {
                            start.dispatch(t);
                        }
                    }
                >
                    {move || if busy.get() { "Opening PostHog…" } else { "Sign in with PostHog" }}
                </button>
                <div id="sign-in-error" aria-live="assertive">
                    {move || error.get().map(|message| view! {
                        <div class="error-panel" role="alert">
                            <p class="error-title"><strong>"Could not start the sign-in"</strong></p>
                            <p>{message}</p>
                        </div>
                    })}
                </div>
            </div>
        </Show>
    }
}
