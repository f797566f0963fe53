//! The group types of the connected project.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api;
use crate::components::error_panel::ErrorPanel;
use crate::components::group_type_table::GroupTypeTable;
use crate::state::connection::ConnectionState;

/// Lists the project's group types, with loading, empty and error states.
#[component]
pub fn GroupTypesPage() -> impl IntoView {
    let state = ConnectionState::expect();
    let list = LocalResource::new(move || {
        let conn = state.0.get();
        async move {
            match conn {
                Some(conn) => Some(api::list_group_types(&conn).await),
                None => None,
            }
        }
    });

    view! {
        <section aria-labelledby="gt-title">
            <h1 id="gt-title">"Group types"</h1>
            <Transition fallback=|| view! { <p class="loading" role="status">"Loading group types…"</p> }>
                {move || list.get().map(|loaded| match loaded {
                    None => view! {
                        <p>"Not connected. "<A href="/">"Connect to a PostHog project"</A>" first."</p>
                    }.into_any(),
                    Some(Err(error)) => view! {
                        <ErrorPanel error=error on_retry=move |_| list.refetch() />
                    }.into_any(),
                    Some(Ok(group_types)) if group_types.is_empty() => view! {
                        <div class="empty-state">
                            <p><strong>"This project has no group types yet."</strong></p>
                            <p>"Group types appear when events that carry groups arrive (for example, "<code>"posthog.group('company', id)"</code>"). A project can have up to five."</p>
                        </div>
                    }.into_any(),
                    Some(Ok(group_types)) => view! { <GroupTypeTable group_types=group_types /> }.into_any(),
                })}
            </Transition>
        </section>
    }
}
