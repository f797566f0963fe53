//! The group types of the connected project: list, rename inline, delete.

use leptos::prelude::*;
use posthog_groups::{request, GroupType};

use crate::api;
use crate::api::read::fresh_resource;
use crate::browser;
use crate::components::breakable::breakable;
use crate::components::capability_summary::CapabilitySummary;
use crate::components::embed_bridge::Embed;
use crate::components::error_panel::ErrorPanel;
use crate::components::group_type_table::GroupTypeTable;
use crate::components::merge_conflicts::MergeConflicts;
use crate::components::not_connected::NotConnected;
use crate::components::notice::Notice;
use crate::components::rename_bar::RenameBar;
use crate::components::rename_refused::RenameRefused;
use crate::pages::lazy;
use crate::state::capabilities::Access;
use crate::state::connection::{use_connection, Connection, Session};
use crate::state::embed::Change;
use crate::state::rename::NameConflict;
use crate::state::rename_session::RenameSession;
use crate::state::url::{posthog_group_settings, Target};

/// The route: resolves the connection from the URL and the key held, or says how to connect.
#[component]
pub fn GroupTypesPage() -> impl IntoView {
    let (target, connection) = use_connection();
    view! {
        <section aria-labelledby="gt-title">
            <h1 id="gt-title" tabindex="-1">"Group types"</h1>
            {move || match connection.get() {
                Some(conn) => view! { <GroupTypesScreen connection=conn /> }.into_any(),
                None => view! { <NotConnected target=target.get() /> }.into_any(),
            }}
        </section>
    }
}

/// The screen for one connection; its state (edits, dialogs) lives as long as the connection.
#[component]
fn GroupTypesScreen(connection: Connection) -> impl IntoView {
    let session = Session::expect();
    let notice = Notice::expect();
    let conn = StoredValue::new(connection);
    // "Refreshing…" while a list already on screen is read again (after a rename, a delete).
    let refreshing = RwSignal::new(false);
    let answered = StoredValue::new(false);
    // A list received moments ago (on connect, or as a rename's or delete's answer) is
    // taken as it is by the read layer.
    let loaded = fresh_resource(move |fresh| {
        let conn = conn.get_value();
        async move {
            if answered.try_get_value() == Some(true) {
                let _ = refreshing.try_set(true);
            }
            let list = api::list_group_types_fresh(&conn, move |r| fresh.replace(r)).await;
            answered.try_set_value(true);
            let _ = refreshing.try_set(false);
            list
        }
    });
    // What the key can do, beside the list (not before it): known at once in this tab after
    // connecting; the rename probe is sent once per connection per tab, from here only.
    let _learned = LocalResource::new(move || async move {
        session.capabilities_for(&conn.get_value(), true).await
    });
    let caps = Memo::new(move |_| {
        session.capabilities.with(|c| {
            c.as_ref()
                .filter(|(c, _)| *c == conn.get_value())
                .map(|(_, caps)| caps.clone())
        })
    });
    let current = Memo::new(move |_| loaded.get().and_then(Result::ok).unwrap_or_default());
    // Another tab renamed or deleted a group type of this project: read the list again (the
    // edits here stay, and a save merges them over what the server holds).
    let other = api::read::other_tab_writes_from_now();
    Effect::new(move |_| {
        let Some(w) = other.get() else {
            return;
        };
        let list = conn.with_value(|c| request::list_group_types(&c.project));
        let ours = conn.with_value(|c| w.host == c.host.to_string());
        if ours && w.path.starts_with(&list.path) && !w.path.contains("/metrics/") {
            loaded.refetch();
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = loaded.get() {
            lazy::preload();
        }
    });

    let embed = Embed::expect();
    let rename = RenameSession::new(conn, current, move |indexes| {
        let count = indexes.len();
        embed.emit(Change::GroupTypesRenamed(indexes));
        // The rename's answer (the new list) was kept by the read layer and is shown as it
        // is; with no list in the answer, this asks the server.
        loaded.refetch();
        // The bar that held focus is gone: put focus somewhere meaningful.
        browser::focus_id_after_render("gt-title");
        notice.show(match count {
            0 => "Nothing to send: the server already holds these names.".to_string(),
            1 => "Saved the names of 1 group type.".to_string(),
            n => format!("Saved the names of {n} group types."),
        });
    });
    let changed = rename.changed;
    Effect::new(move |_| session.unsaved.set(changed.get() > 0));
    on_cleanup(move || session.unsaved.set(false));
    let delete_target = RwSignal::new(None::<GroupType>);
    // The dialogs' code comes with the metrics list's chunk (usually preloaded by now),
    // fetched the first time one is opened. If it cannot be had there is nothing to show:
    // the page says why where the notices are, and pressing the button again tries again.
    let delete_dialog = lazy::on_demand(
        move || delete_target.with(Option::is_some),
        lazy::delete_dialog,
        move || {
            let _ = delete_target.try_set(None);
            notice.show("The delete dialog could not be loaded: its code did not arrive from the server the app is served from. Check the connection, then press Delete again.".to_string());
        },
    );
    let review_open = rename.review_open;
    let review_dialog = lazy::on_demand(
        move || review_open.get(),
        lazy::review_dialog,
        move || {
            let _ = review_open.try_set(false);
            notice.show("The review could not be loaded: its code did not arrive from the server the app is served from. Your edits are kept; check the connection, then press Review again, or Save without the review.".to_string());
        },
    );

    let on_deleted = move |index: u32| {
        let removed = current
            .get_untracked()
            .into_iter()
            .find(|g| g.group_type_index == index);
        rename.drop_row(index);
        embed.emit(Change::GroupTypeDeleted(index));
        delete_target.set(None);
        // The list without it was kept by the read layer: shown without asking again.
        loaded.refetch();
        // The row (and its Delete button, where focus would return) is gone.
        browser::focus_id_after_render("gt-title");
        if let Some(g) = removed {
            notice.show(format!("Deleted the group type {}.", g.group_type));
        }
    };
    let can_delete = move || {
        caps.with(|c| {
            c.as_ref()
                .is_none_or(|c| !matches!(c.delete_group_types, Access::MissingScope(_)))
        })
    };
    // A key that lacks group:write gets names as text, not inputs: nothing it could not save.
    let can_rename = move || {
        caps.with(|c| {
            c.as_ref()
                .is_none_or(|c| !matches!(c.rename_group_types, Access::MissingScope(_)))
        })
    };
    let rename_only_in_posthog = move || {
        caps.with(|c| {
            c.as_ref()
                .is_some_and(|c| c.rename_group_types == Access::OnlyInPostHog)
        })
    };
    // Said beside the table, not only in the collapsible summary: the table itself shows why
    // it has no inputs and no Delete.
    let write_reason =
        Memo::new(move |_| caps.with(|c| c.as_ref().and_then(|c| c.group_types_write_reason())));
    let settings_url = conn.with_value(|c| posthog_group_settings(&c.host, &c.project));
    let settings_link = settings_url.clone();

    view! {
        <p class="connection-line">
            "Project "{conn.with_value(|c| c.project.to_string())}" on "{conn.with_value(|c| c.host.to_string())}
            <span class="refreshing" role="status">{move || refreshing.get().then_some(" · Refreshing…")}</span>
        </p>
        {move || caps.get().map(|c| view! { <CapabilitySummary capabilities=c /> })}
        <Show when=rename_only_in_posthog>
            <p class="warning">
                "This instance allows renaming only in PostHog's own settings. You can still edit names here, then copy them to "
                <a href=settings_link.clone() target="_blank" rel="noopener noreferrer">"PostHog's group type settings"</a>"."
            </p>
        </Show>
        // No `<Transition>`: Leptos 0.8 can show its fallback again at the first re-read
        // when the first answer came at once, as an adopted early read does (leptos#4492),
        // swapping the table and the focus in it out. A resource keeps its last answer while
        // it reads again, so the table simply stays.
        {move || loaded.with(Option::is_none).then(|| view! { <p class="loading" role="status">"Loading group types…"</p> })}
            {move || loaded.get().map(|result| match result {
                Err(error) => view! { <ErrorPanel error=error on_retry=move |_| loaded.refetch() /> }.into_any(),
                Ok(list) if list.is_empty() => view! {
                    <div class="empty-state">
                        <p><strong>"This project has no group types yet."</strong></p>
                        <p>"Group types appear when events that carry groups arrive (for example, "<code>"posthog.group('company', id)"</code>"). A project can have up to five."</p>
                    </div>
                }.into_any(),
                Ok(list) => view! {
                    <Show when=can_rename>
                        <p class="hint">"Edit a name and save; clear a name to go back to PostHog's default (shown in grey)."</p>
                    </Show>
                    {move || write_reason.get().map(|text| view! {
                        <p class="read-only-note" id="gt-write-reason">
                            <strong>"Read only. "</strong>{text}
                        </p>
                    })}
                    <GroupTypeTable
                        group_types=list
                        described_by=Signal::derive(move || write_reason.with(Option::is_some).then_some("gt-write-reason"))
                        editable=Signal::derive(can_rename)
                        edits=rename.edits
                        bases=rename.bases
                        errors=rename.name_errors()
                        disabled=rename.saving()
                        target=Some(conn.with_value(|c| Target::of(&c.host, &c.project)))
                        on_delete=can_delete().then_some(Callback::new(move |g: GroupType| delete_target.set(Some(g))))
                    />
                }.into_any(),
            })}
        {move || rename.refused.get().map(|names| view! { <RenameRefused settings_url=settings_url.clone() names=names /> })}
        {move || rename.save_error.get().map(|e| view! { <ErrorPanel error=e /> })}
        {move || rename.gone.get().map(|keys| view! {
            <p class="error-panel" role="alert">
                "Not saved: "{breakable(&keys.join(", "))}" was deleted since this page loaded, so its names cannot be saved. Discard its edits, or reload the page."
            </p>
        })}
        {move || rename.conflicts.get().map(|(conflicts, _)| {
            let items: Vec<_> = conflicts.iter().map(NameConflict::item).collect();
            view! {
            <MergeConflicts items=items
                on_settle=move |choices| rename.settle(choices)
                on_back=move |_| { rename.conflicts.set(None); browser::focus_id_after_render("gt-title"); } />
        }})}
        <Show when=move || { changed.get() > 0 }>
            <RenameBar
                count=changed
                saving=rename.saving()
                on_review=move || rename.review()
                on_save=move || rename.save()
                on_discard=move || rename.discard()
            />
        </Show>
        {move || review_open.get().then(|| match review_dialog.get() {
            Some(Ok(build)) => untrack(|| build(lazy::ReviewDialogArgs {
                changes: rename.planned.get_untracked().map(|p| p.changes).unwrap_or_default(),
                on_save: Callback::new(move |()| rename.save()),
                on_close: Callback::new(move |()| review_open.set(false)),
            })),
            Some(Err(_)) | None => view! { <p class="loading" role="status">"Opening the review…"</p> }.into_any(),
        })}
        {move || delete_target.get().map(|g| match delete_dialog.get() {
            Some(Ok(build)) => untrack(|| build(lazy::DeleteDialogArgs {
                group_type: g,
                connection: conn.get_value(),
                used_slots: current.with_untracked(Vec::len),
                on_deleted: Callback::new(on_deleted),
                on_close: Callback::new(move |()| delete_target.set(None)),
            })),
            Some(Err(_)) | None => view! { <p class="loading" role="status">"Opening the delete dialog…"</p> }.into_any(),
        })}
    }
}
