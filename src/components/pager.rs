//! Pagination of a server list: "51–100 of 230", previous/next from the server's links,
//! and a page-size choice. Page state lives in the URL.

use leptos::prelude::*;

use crate::state::metric_list::range_text;
use crate::state::url::PAGE_SIZES;

/// The pager under a list.
#[component]
pub fn Pager(
    /// Items skipped before this page.
    offset: u64,
    /// Items on this page.
    shown: usize,
    /// Items in all pages.
    count: u64,
    /// Page size.
    limit: u64,
    /// Link to the previous page, when the server has one.
    previous: Option<String>,
    /// Link to the next page, when the server has one.
    next: Option<String>,
    /// Called with a new page size.
    #[prop(into)]
    on_limit: Callback<u64>,
) -> impl IntoView {
    let mut sizes = PAGE_SIZES.to_vec();
    if !sizes.contains(&limit) {
        sizes.push(limit);
    }
    sizes.sort_unstable();
    view! {
        <nav class="pager" aria-label="Pages">
            <p class="range" aria-live="polite">{range_text(offset, shown, count)}</p>
            {match previous {
                Some(href) => view! { <a href=href class="button-link" rel="prev">"Previous"</a> }.into_any(),
                None => view! { <span class="button-link disabled" aria-disabled="true">"Previous"</span> }.into_any(),
            }}
            {match next {
                Some(href) => view! { <a href=href class="button-link" rel="next">"Next"</a> }.into_any(),
                None => view! { <span class="button-link disabled" aria-disabled="true">"Next"</span> }.into_any(),
            }}
            <label class="page-size">
                "Per page "
                // The property, not only each option's attribute: once the user has picked a
                // size, browsers ignore `selected` attributes written later.
                <select prop:value=limit.to_string() on:change=move |ev| {
                    if let Ok(n) = event_target_value(&ev).parse::<u64>() {
                        on_limit.run(n);
                    }
                }>
                    {sizes.into_iter().map(|n| view! { <option value=n.to_string() selected=n == limit>{n}</option> }).collect_view()}
                </select>
            </label>
        </nav>
    }
}
