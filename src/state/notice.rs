//! The app's one notice line (short confirmations such as "Saved 2 group types"): the
//! state below the screens; `components::notice::NoticeRegion` shows it.

use std::time::Duration;

use leptos::prelude::*;

/// The app's notice line; `show` replaces the message and clears it after a while.
#[derive(Clone, Copy)]
pub struct Notice(pub(crate) RwSignal<Option<String>>);

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
