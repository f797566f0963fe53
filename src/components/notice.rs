//! A polite live region for short confirmations ("Saved 2 group types"), provided once.

use std::time::Duration;

use leptos::prelude::*;

/// The app's notice line; `show` replaces the message and clears it after a while.
#[derive(Clone, Copy)]
pub struct Notice(RwSignal<Option<String>>);

impl Notice {
    /// Provides the notice to the tree below.
    pub fn provide() -> Notice {
        let notice = Notice(RwSignal::new(None));
        provide_context(notice);
        notice
    }

    /// The notice provided at the root.
    pub fn expect() -> Notice {
        expect_context::<Notice>()
    }

    /// Announces `message` for a few seconds.
    pub fn show(&self, message: impl Into<String>) {
        let message = message.into();
        self.0.set(Some(message.clone()));
        let signal = self.0;
        set_timeout(
            move || {
                // Only clear our own message, not a newer one.
                if signal.get_untracked().as_deref() == Some(message.as_str()) {
                    signal.set(None);
                }
            },
            Duration::from_secs(6),
        );
    }
}

/// Where notices appear: always in the DOM, so screen readers announce changes.
#[component]
pub fn NoticeRegion() -> impl IntoView {
    let notice = Notice::expect();
    view! {
        <div class="notice" role="status" aria-live="polite">
            {move || notice.0.get()}
        </div>
    }
}
