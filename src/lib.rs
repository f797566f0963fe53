//! groups-console: a Leptos single-page app to manage a PostHog project's group types and
//! their usage metrics. The API contract lives in the `posthog-groups` crate; this crate is
//! the transport (`api`), the browser wrappers (`browser`), state, pages and components.

#[cfg(feature = "alloc-stats")]
pub mod alloc_stats;
pub mod api;
pub mod browser;
pub mod components;
pub mod pages;
pub mod state;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::hooks::{use_location, use_query_map};
use leptos_router::path;

use crate::components::embed_bridge::{Embed, EmbedBridge};
use crate::components::notice::{Notice, NoticeRegion};
use crate::components::offline_notice::OfflineNotice;
use crate::components::pending_deletes_bar::PendingDeletesBar;
use crate::components::slow_notice::SlowNotice;
use crate::pages::{
    group_types::GroupTypesPage,
    lazy::{self, LazyScreen},
    not_found::NotFoundPage,
    old_address::{Old, OldAddress},
};
use crate::state::config::ConfigResource;
use crate::state::connection::Session;
use crate::state::pending_deletes::PendingDeletes;
use crate::state::url::{href, metrics_list_href, router_base, Target};

/// The question asked before unsaved edits would be lost.
pub const LEAVE_QUESTION: &str = "You have unsaved changes. Leave this page and lose them?";

/// The app shell: the contexts every page reads, the header and the routes.
#[component]
pub fn App() -> impl IntoView {
    let session = Session::provide();
    let notice = Notice::provide();
    ConfigResource::provide();
    // A key or sign-in kept from an earlier visit is used only once config.json says its
    // host is still allowed (it may have changed since the key was kept).
    let config = ConfigResource::expect();
    Effect::new(move |_| {
        if let Some(loaded) = config.0.get() {
            if let Some(message) = session.settle_restore(&loaded.unwrap_or_default()) {
                notice.show(message);
            }
        }
    });
    Embed::provide();
    let pending = PendingDeletes::provide();
    api::read::listen_to_other_tabs();
    browser::watch_policy_violations();
    browser::title_follows_heading("Groups console");
    browser::focus::install();
    browser::install_leave_guard(session.unsaved.into(), pending.any(), LEAVE_QUESTION);
    view! {
        <Router base=router_base(&browser::base_path())>
            // With a <base> element "#main" would resolve to another page: focus by hand.
            <a class="skip-link" href="#main" on:click=|ev| {
                ev.prevent_default();
                browser::focus_id("main");
            }>"Skip to content"</a>
            <Header />
            <RouteFocus />
            <EmbedBridge />
            <NoticeRegion />
            <SlowNotice />
            <OfflineNotice />
            <PendingDeletesBar />
            <main id="main" tabindex="-1">
                <Routes fallback=Fallback>
                    <Route path=path!("/") view=|| view! { <LazyScreen screen=&lazy::CONNECT /> } />
                    <Route path=path!("/oauth/callback") view=|| view! { <LazyScreen screen=&lazy::OAUTH_CALLBACK /> } />
                    <Route path=path!("/group-types") view=GroupTypesPage />
                    <Route path=path!("/compare") view=|| view! { <LazyScreen screen=&lazy::COMPARE /> } />
                    <Route path=path!("/metrics") view=|| view! { <LazyScreen screen=&lazy::PROJECT_METRICS /> } />
                    <Route path=path!("/metrics/new") view=|| view! { <LazyScreen screen=&lazy::METRIC_FORM /> } />
                    <Route path=path!("/metrics/:id") view=|| view! { <LazyScreen screen=&lazy::METRIC /> } />
                    <Route path=path!("/metrics/:id/edit") view=|| view! { <LazyScreen screen=&lazy::METRIC_FORM /> } />
                    // The addresses of the per-group-type screens, still in bookmarks and links.
                    <Route path=path!("/group-types/:index/metrics") view=|| view! { <OldAddress to=Old::List /> } />
                    <Route path=path!("/group-types/:index/metrics/new") view=|| view! { <OldAddress to=Old::New /> } />
                    <Route path=path!("/group-types/:index/metrics/:id") view=|| view! { <OldAddress to=Old::Metric /> } />
                    <Route path=path!("/group-types/:index/metrics/:id/edit") view=|| view! { <OldAddress to=Old::Edit /> } />
                </Routes>
            </main>
        </Router>
    }
}

/// A URL no route matches: the sign-in callback when it is the redirect path `config.json`
/// names (a deployment may choose another than `oauth/callback`), else "Page not found".
#[component]
fn Fallback() -> impl IntoView {
    let config = ConfigResource::expect();
    let path = leptos_router::hooks::use_location()
        .pathname
        .get_untracked();
    let base = router_base(&browser::base_path());
    let path = path
        .strip_prefix(&base)
        .unwrap_or(&path)
        .trim_matches('/')
        .to_owned();
    move || {
        config.0.get().map(|loaded| {
            let callback = loaded
                .ok()
                .and_then(|c| c.oauth)
                .is_some_and(|o| o.redirect_path == path);
            if callback {
                view! { <LazyScreen screen=&lazy::OAUTH_CALLBACK /> }.into_any()
            } else {
                view! { <NotFoundPage /> }.into_any()
            }
        })
    }
}

/// Tells `browser::focus` about each route change, so focus lands on the new page's
/// heading, or back on the followed link after Back and Forward.
#[component]
fn RouteFocus() -> impl IntoView {
    let location = use_location();
    Effect::new(move |previous: Option<(String, String)>| {
        let now = (location.pathname.get(), location.search.get());
        if let Some((path, search)) = previous {
            if (&path, &search) != (&now.0, &now.1) {
                browser::focus::route_changed(path != now.0);
            }
        }
        now
    });
}

/// The header: the app's name and links that keep the current host and project.
#[component]
fn Header() -> impl IntoView {
    let query = use_query_map();
    let target = move || {
        query.with(|q| Target {
            host: q.get("host"),
            project: q.get("project"),
            group: q.get("group"),
        })
    };
    view! {
        <header class="app-header">
            <span class="brand">"Groups console"</span>
            <nav aria-label="Main">
                <A href=move || browser::app_link(&href("/", &target())) exact=true>"Connection"</A>
                <A href=move || browser::app_link(&href("/group-types", &target())) exact=true>"Group types"</A>
                <A href=move || browser::app_link(&metrics_list_href(&target()))>"Usage metrics"</A>
            </nav>
        </header>
    }
}
