//! Says when the device has no network, so failing requests are not mistaken for a broken app.

use leptos::prelude::*;

use crate::browser;

/// A status line while the browser reports being offline; it goes when the network is back.
#[component]
pub fn OfflineNotice() -> impl IntoView {
    let offline = RwSignal::new(!browser::is_online());
    let went = window_event_listener(leptos::ev::offline, move |_| offline.set(true));
    let back = window_event_listener(leptos::ev::online, move |_| offline.set(false));
    on_cleanup(move || {
        went.remove();
        back.remove();
    });
    view! {
        <div class="offline-notice" role="status" aria-live="polite">
            {move || offline.get().then_some("You are offline. What you typed is kept, and the app loads again when the network is back.")}
        </div>
    }
}
