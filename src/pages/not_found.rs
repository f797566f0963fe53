//! The fallback route.

use leptos::prelude::*;

use crate::browser;

/// Shown for a URL that matches no screen.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <section aria-labelledby="nf-title">
            <h1 id="nf-title">"Page not found"</h1>
            <p>"This address does not match any screen. "<a href=browser::app_link("/")>"Go to the connection screen"</a>"."</p>
        </section>
    }
}
