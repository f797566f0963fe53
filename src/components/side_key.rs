//! The key for a side on another host than the connected one. Kept in memory only (a reload
//! asks again), and sent only to that host: the connection binds the key to it.

use leptos::prelude::*;
use posthog_groups::{ApiKey, Host};

use crate::components::field::TextField;

/// Asks for the key of `host`; `on_key` gets it once it parses.
#[component]
pub fn SideKey(
    /// The host the key is for.
    host: Host,
    /// Which side, for the heading ("source" or "target").
    side: &'static str,
    /// Called with the key.
    #[prop(into)]
    on_key: Callback<(Host, ApiKey)>,
) -> impl IntoView {
    let value = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let heading = format!("A key for {host}");
    let host = StoredValue::new(host);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match ApiKey::parse(&value.get_untracked()) {
            Ok(key) => {
                error.set(None);
                on_key.run((host.get_value(), key));
            }
            Err(e) => {
                error.set(Some(e));
                crate::browser::focus_id_after_render("side-key");
            }
        }
    };
    view! {
        <form class="side-key" on:submit=on_submit novalidate=true aria-labelledby="side-key-title">
            <h2 id="side-key-title">{heading}</h2>
            <p>{format!("The {side} is on another host than the one you are connected to. Its personal API key is kept in memory only, for this comparison, and sent only to that host.")}</p>
            <TextField id="side-key" label="Personal API key for that host" value=value error=error
                input_type="password" autocomplete="off" placeholder="phx_…" />
            <div class="form-buttons">
                <button type="submit" class="primary">"Use this key"</button>
            </div>
        </form>
    }
}
