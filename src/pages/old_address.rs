//! The addresses of the per-group-type screens (`/group-types/:index/metrics…`), still in
//! bookmarks, portals and shared links: each opens the same content at its new address, in
//! place of the old one in the history (Back does not bounce through it).

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use leptos_router::NavigateOptions;

use posthog_groups::request::encode_component;

use crate::state::url::{
    href, metric_href, new_metric_href, page_params, project_metrics_href, Target,
};

/// Which old screen the address named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Old {
    /// `/group-types/:index/metrics`: the list, narrowed to that index.
    List,
    /// `/group-types/:index/metrics/new`: the form for a new metric (filed under index 0).
    New,
    /// `/group-types/:index/metrics/:id`: that metric.
    Metric,
    /// `/group-types/:index/metrics/:id/edit`: that metric's form.
    Edit,
}

/// Replaces an old address by its new one, keeping host, project, group and paging.
#[component]
pub fn OldAddress(
    /// The old screen the route matched.
    to: Old,
) -> impl IntoView {
    let params = use_params_map().get_untracked();
    let query = use_query_map().get_untracked();
    let target = Target {
        host: query.get("host"),
        project: query.get("project"),
        group: query.get("group"),
    };
    let index = params.get("index").and_then(|i| i.parse::<u32>().ok());
    let id = params.get("id");
    let (limit, offset) = page_params(
        query.get("limit").as_deref(),
        query.get("offset").as_deref(),
    );
    let path = match (to, index, id) {
        (Old::List, _, _) => Some(project_metrics_href(&target, "all", index, limit, offset)),
        (Old::New, _, _) => Some(new_metric_href(&target)),
        (Old::Metric | Old::Edit, Some(i), Some(id)) => {
            Some(metric_href(i, &id, &target, to == Old::Edit))
        }
        // No usable index: the metric's page finds where it is filed.
        (Old::Metric | Old::Edit, None, Some(id)) => {
            let suffix = if to == Old::Edit { "/edit" } else { "" };
            Some(href(
                &format!("/metrics/{}{suffix}", encode_component(&id)),
                &target,
            ))
        }
        (Old::Metric | Old::Edit, _, None) => None,
    };
    match path {
        Some(path) => {
            let navigate = use_navigate();
            // After this render: a navigation while the router is still matching is lost.
            request_animation_frame(move || {
                navigate(
                    &path,
                    NavigateOptions {
                        replace: true,
                        ..Default::default()
                    },
                )
            });
            view! { <p class="loading" role="status">"Opening…"</p> }.into_any()
        }
        None => view! {
            <h1 tabindex="-1">"Page not found"</h1>
            <p class="error-panel" role="alert">"This address names no metric."</p>
        }
        .into_any(),
    }
}
