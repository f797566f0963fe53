//! "Skip to results" and "Skip to pager": links shown on focus that take a keyboard user
//! past a list's tools, or past its rows to the pager below.

use leptos::prelude::*;

use crate::browser;

/// The two skips of a list; `results` and `pager` are the ids of focusable targets
/// (`tabindex=-1`).
#[component]
pub fn SkipLinks(
    /// The id of the list (a table).
    results: &'static str,
    /// The id of the pager below it.
    pager: &'static str,
) -> impl IntoView {
    // With a <base> element "#id" would resolve to another page: focus by hand.
    let skip = move |id: &'static str, text: &'static str| {
        view! {
            <a class="list-skip" href=format!("#{id}") on:click=move |ev| {
                ev.prevent_default();
                browser::focus_id(id);
            }>{text}</a>
        }
    };
    view! {
        <div class="list-skips">
            {skip(results, "Skip to results")}
            {skip(pager, "Skip to pager")}
        </div>
    }
}
