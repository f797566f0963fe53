//! Pagination of a list: "51–100 of 230", previous/next links and a page-size choice. Page
//! state lives in the URL. A long list has one above it too, so the next page is never a
//! table's worth of Tabs away.

use leptos::prelude::*;

use crate::state::metric_list::range_text;
use crate::state::url::PAGE_SIZES;

/// Where a pager sits.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum PagerAt {
    /// Above the list: range, Previous and Next only.
    Top,
    /// Below the list: the "Pages" landmark (`#pager-bottom`, the target of "Skip to
    /// pager"), whose range is announced, and the page size.
    Bottom,
}

/// The id of the pager below the list.
pub const PAGER_BOTTOM_ID: &str = "pager-bottom";

/// One pager.
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
    /// Link to the previous page, when there is one.
    previous: Option<String>,
    /// Link to the next page, when there is one.
    next: Option<String>,
    /// Called with a new page size.
    #[prop(into)]
    on_limit: Callback<u64>,
    /// Called when Previous or Next is followed (to move focus to the new page's rows).
    #[prop(into)]
    on_page: Callback<()>,
    /// Above or below the list.
    at: PagerAt,
) -> impl IntoView {
    let mut sizes = PAGE_SIZES.to_vec();
    if !sizes.contains(&limit) {
        sizes.push(limit);
    }
    sizes.sort_unstable();
    let bottom = at == PagerAt::Bottom;
    // Named apart: two landmarks of one name are one too many for a landmark list.
    let label = if bottom {
        "Pages"
    } else {
        "Paging, top of the list"
    };
    let step = move |href: Option<String>, text: &'static str, rel: &'static str| match href {
        Some(href) => view! {
            <a href=href class="button-link" rel=rel on:click=move |_| on_page.run(())>{text}</a>
        }
        .into_any(),
        None => view! { <span class="button-link disabled" aria-disabled="true">{text}</span> }
            .into_any(),
    };
    view! {
        <nav class="pager" class:pager-top=!bottom aria-label=label id=bottom.then_some(PAGER_BOTTOM_ID) tabindex=bottom.then_some("-1")>
            <p class="range" aria-live=bottom.then_some("polite")>{range_text(offset, shown, count)}</p>
            {step(previous, "Previous", "prev")}
            {step(next, "Next", "next")}
            {bottom.then(|| view! {
                <label class="page-size">
                    "Per page "
                    // The property, not only each option's attribute: once the user has picked
                    // a size, browsers ignore `selected` attributes written later.
                    <select prop:value=limit.to_string() on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).parse::<u64>() {
                            on_limit.run(n);
                        }
                    }>
                        {sizes.into_iter().map(|n| view! { <option value=n.to_string() selected=n == limit>{n}</option> }).collect_view()}
                    </select>
                </label>
            })}
        </nav>
    }
}
