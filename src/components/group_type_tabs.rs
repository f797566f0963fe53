//! Links to each group type's metrics, the current one marked for screen readers, and where
//! those metrics show in PostHog.

use leptos::prelude::*;
use posthog_groups::GroupType;

use crate::browser;
use crate::state::url::{metrics_href, Target};

/// One link per group type; `current` is the one shown. Below them, where metrics show:
/// PostHog's query runner ignores a metric's group type, so a tab only says where a metric
/// is filed, not which pages show it.
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
    let filed_under = group_types
        .iter()
        .find(|g| g.group_type_index == current)
        .map(|g| g.shown_plural());
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
        <p class="connection-line where-shown">
            {filed_under.map(|n| format!("Metrics filed under {n}. "))}
            "PostHog shows each metric of this project on every group page, of every group type, and on person pages (data-warehouse metrics on group pages only): the group type is only where a metric is filed."
        </p>
    }
}
