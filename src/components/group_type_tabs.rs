//! Links to each group type's metrics, the current one marked for screen readers.

use leptos::prelude::*;
use posthog_groups::GroupType;

use crate::browser;
use crate::state::url::{metrics_href, Target};

/// One link per group type; `current` is the one shown.
#[component]
pub fn GroupTypeTabs(
    /// The project's group types.
    group_types: Vec<GroupType>,
    /// Index of the group type shown.
    current: u32,
    /// Host and project, kept in every link.
    target: Target,
    /// Page size, kept when switching.
    limit: u64,
) -> impl IntoView {
    view! {
        <nav class="tabs" aria-label="Group types">
            {group_types.into_iter().map(|g| {
                let here = g.group_type_index == current;
                let href = browser::app_link(&metrics_href(g.group_type_index, &target, limit, 0));
                view! {
                    <a href=href class=if here { "tab current" } else { "tab" } aria-current=here.then_some("page")>
                        {g.shown_plural()}
                    </a>
                }
            }).collect_view()}
        </nav>
    }
}
