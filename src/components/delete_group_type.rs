//! Deleting a group type: says what stays, what follows and how many slots are used, offers
//! to move the metrics filed under it into PostHog's list first, and asks for the key typed
//! out.

use leptos::prelude::*;
use posthog_groups::model::GROUP_TYPE_SLOTS;
use posthog_groups::project_metrics::{merge, Filed, SETTINGS_INDEX};
use posthog_groups::{ApiError, GroupType};

use crate::api;
use crate::components::breakable::breakable;
use crate::components::dialog::Modal;
use crate::components::error_panel::ErrorPanel;
use crate::components::move_metrics::MoveMetricsDialog;
use crate::state::connection::Connection;
use crate::state::rename::name_changes;

/// The confirmation dialog; `on_deleted` runs only after the server confirmed.
#[component]
pub fn DeleteGroupTypeDialog(
    /// The group type to delete.
    group_type: GroupType,
    /// Where to send the request.
    connection: Connection,
    /// How many group types the project has now (this one included), from the list on
    /// screen: the dialog says how many of the slots are used.
    used_slots: usize,
    /// Called with the index once the server has deleted it.
    #[prop(into)]
    on_deleted: Callback<u32>,
    /// Called when the user cancels.
    #[prop(into)]
    on_close: Callback<()>,
) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let key = group_type.group_type.clone();
    let key_for_check = StoredValue::new(key.clone());
    let index = group_type.group_type_index;
    let matches = {
        let key = key.clone();
        Memo::new(move |_| typed.with(|t| t.trim() == key))
    };
    let conn = StoredValue::new(connection);
    // The version the user said yes to: as shown, then as read when it had changed.
    let agreed = StoredValue::new(group_type.clone());
    // What changed since it was shown, when the list read before deleting says so.
    let changed = RwSignal::new(None::<Vec<String>>);
    let delete = Action::new_local(move |_: &()| {
        let (connection, agreed) = (conn.get_value(), agreed.get_value());
        async move {
            // No version field: the list is read again, and a changed type is asked again.
            let now = api::list_group_types(&connection).await?;
            match now.into_iter().find(|g| g.group_type_index == index) {
                // Gone already is what the user wanted.
                None => Ok(None),
                Some(g) if g.group_type != agreed.group_type => Ok(Some((
                    g.clone(),
                    vec![format!(
                        "Index {index} now holds another group type, {}",
                        g.group_type
                    )],
                ))),
                Some(g) => match name_changes(&agreed, &g) {
                    c if c.is_empty() => api::delete_group_type(&connection, index)
                        .await
                        .map(|()| None),
                    c => Ok(Some((g, c))),
                },
            }
        }
    });
    let error = RwSignal::new(None::<ApiError>);
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(None)) => on_deleted.run(index),
        Some(Ok(Some((now, changes)))) => {
            // Another type at this index is never deleted by this dialog.
            if now.group_type == agreed.with_value(|a| a.group_type.clone()) {
                agreed.set_value(now);
            }
            changed.set(Some(changes));
            crate::browser::focus_id_after_render("delete-gt-changed");
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let pending = delete.pending();
    let can_delete = move || {
        matches.get()
            && !pending.get()
            && agreed.with_value(|a| key_for_check.with_value(|k| a.group_type == *k))
    };
    let shown = group_type.shown_singular().to_owned();
    let writes = api::read::writes();
    // The metrics filed under this type (none to move for index 0, which PostHog's settings
    // list), read again after a move; and index 0's, which a move checks names against.
    // Taken once here: an action's `value()` may not be asked for once the dialog is gone.
    let answer = delete.value();
    let filed = LocalResource::new(move || {
        writes.track();
        async move {
            if index == SETTINGS_INDEX {
                return Ok((Vec::new(), Vec::new()));
            }
            // A write can wake this just as the dialog closes, or its own delete has just
            // succeeded: then there is nothing to read.
            let deleted = answer.try_with_untracked(|v| matches!(v, Some(Ok(None))));
            if deleted != Some(false) {
                return Err(ApiError::Aborted);
            }
            let conn = conn.try_get_value().ok_or(ApiError::Aborted)?;
            // Only the two lists the move needs, not the whole project's.
            let pages = api::project_metrics(&conn, &[SETTINGS_INDEX, index]).await?;
            let (here, index0) = merge(pages)
                .into_iter()
                .partition::<Vec<Filed>, _>(|f| f.index == index);
            Ok::<_, ApiError>((here, index0.into_iter().map(|f| f.metric).collect()))
        }
    });
    let moving = RwSignal::new(false);
    let move_offer = move || {
        filed.get().map(|r| match r {
            Ok((here, _)) if here.is_empty() => ().into_any(),
            Ok((here, _)) => {
                let n = here.len();
                let noun = if n == 1 { "usage metric is" } else { "usage metrics are" };
                view! {
                    <div class="move-first">
                        <p>{format!("{n} {noun} filed under it. PostHog keeps computing them, but its settings list only index 0, so no PostHog screen can edit or delete them.")}</p>
                        <button type="button" on:click=move |_| moving.set(true)>
                            {if n == 1 { "Move it into PostHog's list first".to_owned() } else { format!("Move the {n} into PostHog's list first") }}
                        </button>
                    </div>
                }
                .into_any()
            }
            Err(e) => view! { <ErrorPanel error=e on_retry=move |_| filed.refetch() /> }.into_any(),
        })
    };

    let dialog = move || {
        let key = key.clone();
        view! {
        <Modal title_id="delete-gt-title" title=format!("Delete the group type “{shown}”?") on_close=on_close>
            <form on:submit=move |ev| {
                ev.prevent_default();
                if can_delete() {
                    error.set(None);
                    delete.dispatch(());
                }
            }>
                <p>"This removes the group type "<code>{key.clone()}</code>" (index "{index}") from this project. It cannot be undone."</p>
                <p>"What stays:"</p>
                <ul>
                    <li>"The events, and the groups of this type with their properties."</li>
                    <li>"The usage metrics filed under it. They keep showing on group pages: PostHog computes every metric of the project on every group page, whatever group type it is filed under."</li>
                </ul>
                <p>"If events carry this group type again, it comes back, possibly at another index."</p>
                {move_offer}
                <p>{slots_text(used_slots)}</p>
                <div class="field">
                    <label for="delete-confirm">"Type "<code>{key.clone()}</code>" to confirm"</label>
                    <input id="delete-confirm" type="text" autocomplete="off" spellcheck="false" bind:value=typed />
                </div>
                {move || changed.get().map(|c| view! {
                    <div class="warning" id="delete-gt-changed" tabindex="-1" role="alert">
                        <p><strong>"Not deleted: it changed since it was shown."</strong></p>
                        <ul>{c.into_iter().map(|line| view! { <li>{breakable(&line)}</li> }).collect_view()}</ul>
                        <p>"Press Delete group type again to delete it as it is now."</p>
                    </div>
                })}
                {move || error.get().map(|e| view! { <ErrorPanel error=e /> })}
                <div class="dialog-buttons">
                    <button type="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button type="submit" class="danger" disabled=move || !can_delete()>
                        {move || if pending.get() { "Deleting…" } else { "Delete group type" }}
                    </button>
                </div>
            </form>
        </Modal>
        }
    };
    // One dialog at a time: the move replaces this one, and this one comes back after it.
    move || {
        if moving.get() {
            let (items, index0) = filed
                .get_untracked()
                .and_then(Result::ok)
                .unwrap_or_default();
            view! {
                <MoveMetricsDialog connection=conn.get_value() items=items index0=index0 on_close=move |_| moving.set(false) />
            }
            .into_any()
        } else {
            dialog().into_any()
        }
    }
}

/// "4 of this project's 5 group type slots are used; deleting this one frees one."
fn slots_text(used: usize) -> String {
    let verb = if used == 1 { "is" } else { "are" };
    format!(
        "{used} of this project's {GROUP_TYPE_SLOTS} group type slots {verb} used; deleting this one frees one."
    )
}
