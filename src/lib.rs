//! groups-console: a Leptos single-page app to manage a PostHog project's group types and
//! their usage metrics. The API contract lives in the `posthog-groups` crate; this crate is
//! the transport (`api`), the browser wrappers (`browser`), state, pages and components.

pub mod api;
pub mod browser;
pub mod components;
pub mod pages;
pub mod state;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;

use crate::pages::{connect::ConnectPage, group_types::GroupTypesPage, not_found::NotFoundPage};
use crate::state::connection::ConnectionState;

/// The app shell: header, routes, and the contexts every page reads.
#[component]
pub fn App() -> impl IntoView {
    ConnectionState::provide();
    view! {
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <header class="app-header">
                <A href="/" attr:class="brand">"Groups console"</A>
                <nav aria-label="Main">
                    <A href="/">"Connection"</A>
                    <A href="/group-types">"Group types"</A>
                </nav>
            </header>
            <main id="main" tabindex="-1">
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=ConnectPage />
                    <Route path=path!("/group-types") view=GroupTypesPage />
                </Routes>
            </main>
        </Router>
    }
}
