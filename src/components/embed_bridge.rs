//! The app's side of the portal protocol (`state::embed`), and the theme in force. Mounted
//! once in the shell; it does nothing unless the app is framed by an allowed parent.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::browser;
use crate::state::config::ConfigResource;
use crate::state::connection::{KeyStorage, Session};
pub use crate::state::embed::Embed;
use crate::state::embed::{self, Incoming};
use crate::state::theme::{Accent, Theme, ThemeMode};
use crate::state::url::{href, project_metrics_href, Target, PAGE_SIZES};

/// The theme in force: from the query at start, else `config.json`, then the parent's.
#[derive(Clone, Copy)]
pub struct ThemeState(pub RwSignal<Theme>);

/// Starts the bridge: theme, compact layout, handshake, messages and height reports.
#[component]
pub fn EmbedBridge() -> impl IntoView {
    let session = Session::expect();
    let config = ConfigResource::expect();
    let navigate = use_navigate();
    let embed = Embed::expect();

    // Query settings win over config.json; the parent's messages win over both.
    let query_mode = start_setting("theme").and_then(|t| ThemeMode::parse(&t).ok());
    let query_accent = start_setting("accent").and_then(|a| Accent::parse(&a).ok());
    let theme = ThemeState(RwSignal::new(Theme {
        mode: query_mode.unwrap_or_default(),
        accent: query_accent.clone(),
    }));
    provide_context(theme);
    Effect::new(move |_| {
        theme.0.with(|t| {
            let accent = t.accent.as_ref().map(|a| (a.color.as_str(), a.text));
            browser::apply_theme(t.mode.attribute(), accent)
        })
    });
    if start_setting("embed").as_deref() == Some("1") {
        browser::set_embedded_layout();
    }

    let started = StoredValue::new(false);
    Effect::new(move |_| {
        let Some(Ok(cfg)) = config.0.get() else {
            return;
        };
        if started.get_value() {
            return;
        }
        started.set_value(true);
        theme.0.update(|t| {
            if query_mode.is_none() {
                t.mode = cfg.theme;
            }
            if query_accent.is_none() {
                t.accent = cfg.accent.clone();
            }
        });
        let allowed = cfg.embed_origins.clone();
        let Some(parent) = browser::parent_origin()
            .filter(|o| browser::in_frame() && embed::origin_allowed(o, &allowed))
        else {
            return;
        };
        let navigate = navigate.clone();
        let cfg_hosts = cfg.clone();
        browser::on_message(move |origin, data| {
            // Only the parent we answer to may drive the app.
            if origin != parent {
                return;
            }
            match embed::parse_incoming(&origin, &allowed, &data, |h| cfg_hosts.allows(Some(h))) {
                Some(Incoming::Connect { host, project, key }) => {
                    // A key from the portal lives in memory only, never in storage.
                    session.remember(host.clone(), key, KeyStorage::Memory);
                    navigate(
                        &href("/group-types", &Target::of(&host, &project)),
                        Default::default(),
                    );
                }
                Some(Incoming::Theme { mode, accent }) => theme.0.set(Theme { mode, accent }),
                Some(Incoming::Navigate { metrics_of }) => {
                    let target = current_target();
                    let path = match metrics_of {
                        None => href("/group-types", &target),
                        Some(i) => project_metrics_href(&target, "all", Some(i), PAGE_SIZES[0], 0),
                    };
                    navigate(&path, Default::default());
                }
                None => {}
            }
        });
        let origin = browser::parent_origin().unwrap_or_default();
        embed.parent.set(Some(origin.clone()));
        browser::post_to_parent(&embed::ready(), &origin);
        browser::observe_height(move |h| browser::post_to_parent(&embed::height(h), &origin));
    });
}

/// A start-up setting from the query (`theme`, `accent`, `embed`). In-app links do not carry
/// them, so they are kept for this tab and a reload of a deeper page keeps the look.
fn start_setting(name: &str) -> Option<String> {
    let stored = format!("groups-console.start.{name}");
    match browser::query_param(name) {
        Some(value) => {
            browser::storage_set(browser::StorageArea::Session, &stored, &value);
            Some(value)
        }
        None => browser::storage_get(browser::StorageArea::Session, &stored),
    }
}

/// Host, project and chosen group of the page's current URL.
fn current_target() -> Target {
    Target {
        host: browser::query_param("host"),
        project: browser::query_param("project"),
        group: browser::query_param("group"),
    }
}
