//! The sign-in callback (`oauth/callback` under the app, or the configured redirect path):
//! PostHog sends the browser here with a code or an error. The code and state leave the
//! address bar before anything else happens; the code is exchanged once; the user lands on
//! the group types, or reads why not with a way back.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::browser;
use crate::state::connection::{ApiKey, Session};
use crate::state::sign_in;
use crate::state::url::{href, Target};

/// The callback screen: "Signing in…", then the group types, or the error.
#[component]
pub fn OAuthCallbackPage() -> impl IntoView {
    let session = Session::expect();
    let navigate = use_navigate();
    let query = browser::query_string();
    // The code is single-use and short-lived, but it is still kept out of the history, a
    // bookmark or a screenshot.
    browser::drop_query();
    let failed = RwSignal::new(None::<(String, Target)>);
    spawn_local(async move {
        match sign_in::finish(&query).await {
            Ok(done) => {
                session.remember(done.host, ApiKey::grant(done.id), done.kept);
                navigate(
                    &done.return_to,
                    NavigateOptions {
                        replace: true,
                        ..Default::default()
                    },
                );
            }
            Err((error, back)) => {
                failed.try_set(Some((error.to_string(), back)));
            }
        }
    });
    view! {
        <section aria-labelledby="callback-title">
            <h1 id="callback-title">"Signing in with PostHog"</h1>
            {move || match failed.get() {
                None => view! { <p class="loading" role="status">"Finishing sign-in…"</p> }.into_any(),
                Some((message, back)) => view! {
                    <div class="error-panel" role="alert">
                        <p class="error-title"><strong>"Could not sign in"</strong></p>
                        <p>{message}</p>
                        <p><a href=browser::app_link(&href("/", &back))>"Back to the connection screen"</a></p>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}
