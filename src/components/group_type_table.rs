//! The table of a project's group types, read-only in this slice.

use leptos::prelude::*;
use posthog_groups::GroupType;

/// One row per group type: index, key, the names PostHog shows (defaults marked), created date.
#[component]
pub fn GroupTypeTable(
    /// The group types to show, sorted by index.
    group_types: Vec<GroupType>,
) -> impl IntoView {
    view! {
        <table class="data-table">
            <caption class="visually-hidden">"Group types of this project"</caption>
            <thead>
                <tr>
                    <th scope="col">"Index"</th>
                    <th scope="col">"Key"</th>
                    <th scope="col">"Singular name"</th>
                    <th scope="col">"Plural name"</th>
                    <th scope="col">"Created"</th>
                </tr>
            </thead>
            <tbody>
                <For
                    each=move || group_types.clone()
                    key=|g| (g.group_type_index, g.group_type.clone())
                    let(g)
                >
                    <tr>
                        <td>{g.group_type_index}</td>
                        <td><code>{g.group_type.clone()}</code></td>
                        <td>{name_cell(g.name_singular.clone(), g.shown_singular().to_owned())}</td>
                        <td>{name_cell(g.name_plural.clone(), g.shown_plural())}</td>
                        <td>{g.created_at.as_deref().map(date_part).unwrap_or("—").to_owned()}</td>
                    </tr>
                </For>
            </tbody>
        </table>
    }
}

/// A custom name as is; a default name greyed and labelled, as PostHog would show it.
fn name_cell(custom: Option<String>, shown: String) -> impl IntoView {
    match custom {
        Some(name) => view! { <span>{name}</span> }.into_any(),
        None => {
            view! { <span class="default-name">{shown}<span class="badge">" default"</span></span> }
                .into_any()
        }
    }
}

/// The date part of an ISO 8601 timestamp.
fn date_part(iso: &str) -> &str {
    iso.split('T').next().unwrap_or(iso)
}
