//! Choosing a group: a group type, then a search-as-you-type box over `GET groups/` that
//! follows the server's cursor, built as the WAI-ARIA combobox pattern (a text box that
//! controls a listbox popup, the active option named by `aria-activedescendant`). Nothing is
//! asked of the server until the user types or opens the list.

use std::time::Duration;

use leptos::prelude::*;
use posthog_groups::{ApiError, Connection, Group, GroupRef, GroupType};

use crate::api::{self, read};
use crate::state::group_search::{on_key, status, KeyAction, Search};

/// How long typing may pause before the search is sent: one request per pause, not per key.
const DEBOUNCE: Duration = Duration::from_millis(250);

/// The type choice, the box, its listbox and the status line.
#[component]
pub fn GroupPicker(
    /// Whose groups to list.
    connection: StoredValue<Connection>,
    /// The project's group types, offered in the type choice.
    #[prop(into)]
    group_types: Signal<Vec<GroupType>>,
    /// The group type listed first (the chosen group's, else the page's).
    index: u32,
    /// The chosen group's name, shown in the box until the user types.
    #[prop(into)]
    chosen_name: Signal<Option<String>>,
    /// Called with the group chosen and its name.
    on_choose: Callback<(GroupRef, String)>,
) -> impl IntoView {
    let kind = RwSignal::new(index);
    let text = RwSignal::new(chosen_name.get_untracked().unwrap_or_default());
    let open = RwSignal::new(false);
    let active = RwSignal::new(None::<usize>);
    let results = RwSignal::new(Vec::<Group>::new());
    let cursor = RwSignal::new(None::<String>);
    let search = RwSignal::new(Search::Idle);
    // What the results are for, so opening the list again asks nothing new.
    let listed = RwSignal::new(None::<(u32, String)>);
    let searches = read::Latest::new();
    let timer = StoredValue::new(None::<TimeoutHandle>);

    // The box follows the chosen group (a reload, a link) until the user types.
    Effect::new(move |_| {
        if let Some(name) = chosen_name.get() {
            text.set(name);
        }
    });

    // Only the newest search may fill the list: an older answer arriving late is dropped,
    // and its request aborted.
    let load = move |more: bool| {
        let (i, q) = (kind.get_untracked(), text.get_untracked().trim().to_owned());
        let from = if more { cursor.get_untracked() } else { None };
        if more && from.is_none() {
            return;
        }
        search.set(Search::Loading);
        let conn = connection.get_value();
        let request = async move {
            api::list_groups(&conn, i, &q, from.as_deref())
                .await
                .map(|p| (p, q))
        };
        searches.run(request, move |answer| match answer {
            Ok((page, q)) => {
                let next = page.next_cursor();
                if more {
                    results.try_update(|r| r.extend(page.results));
                } else {
                    // A newer search can answer after the user has arrowed to an option of
                    // the last one (typing outran the debounce): the same group stays active
                    // if it is still listed, so Enter chooses what is highlighted.
                    let was = active.try_get_untracked().flatten().and_then(|i| {
                        results
                            .try_with_untracked(|r| r.get(i).map(|g| g.group_key.clone()))
                            .flatten()
                    });
                    let still =
                        was.and_then(|key| page.results.iter().position(|g| g.group_key == key));
                    results.try_set(page.results);
                    active.try_set(still);
                }
                cursor.try_set(next.clone());
                let shown = results.try_with_untracked(Vec::len).unwrap_or(0);
                search.try_set(Search::Done {
                    shown,
                    more: next.is_some(),
                });
                listed.try_set(Some((i, q)));
            }
            Err(ApiError::Aborted) => {}
            Err(e) => {
                search.try_set(Search::Failed(e.to_string()));
            }
        });
    };
    on_cleanup(move || {
        if let Some(t) = timer.try_get_value().flatten() {
            t.clear();
        }
    });
    let ensure_listed = move || {
        open.set(true);
        let wanted = (kind.get_untracked(), text.get_untracked().trim().to_owned());
        if listed.get_untracked() != Some(wanted) && search.get_untracked() != Search::Loading {
            load(false);
        }
    };
    let schedule = move || {
        if let Some(t) = timer.get_value() {
            t.clear();
        }
        timer.set_value(set_timeout_with_handle(move || load(false), DEBOUNCE).ok());
    };
    let choose = move |i: usize| {
        let Some(g) = results.with_untracked(|r| r.get(i).cloned()) else {
            // The last option is "More results": load the next page, and stay on its first.
            load(true);
            return;
        };
        let name = g.shown_name().to_owned();
        text.set(name.clone());
        open.set(false);
        active.set(None);
        search.set(Search::Idle);
        listed.set(Some((kind.get_untracked(), name.clone())));
        on_choose.run((
            GroupRef {
                index: kind.get_untracked(),
                key: g.group_key,
            },
            name,
        ));
    };
    let options = move || results.with(Vec::len) + usize::from(cursor.with(Option::is_some));
    let showing = move || open.get() && options() > 0;
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let action = on_key(
            &ev.key(),
            ev.alt_key(),
            open.get_untracked(),
            showing(),
            active.get_untracked(),
            options(),
        );
        if action.handled() {
            ev.prevent_default();
        }
        match action {
            KeyAction::Open => ensure_listed(),
            KeyAction::Activate(i) => active.set(i),
            KeyAction::Choose(i) => choose(i),
            KeyAction::Close => {
                open.set(false);
                active.set(None);
            }
            // With the list closed, Escape empties the box (the pattern's optional clear).
            KeyAction::EscapeClosed if !text.with_untracked(String::is_empty) => {
                ev.prevent_default();
                text.set(String::new());
            }
            KeyAction::EscapeClosed | KeyAction::Ignore => {}
        }
    };
    let names = move || {
        let i = kind.get();
        group_types.with(|list| {
            list.iter().find(|g| g.group_type_index == i).map_or_else(
                || (format!("group of type {i}"), format!("groups of type {i}")),
                |g| (g.shown_singular().to_owned(), g.shown_plural()),
            )
        })
    };
    let status_line = move || {
        let (singular, plural) = names();
        search.with(|s| text.with(|t| status(s, t, &singular, &plural)))
    };
    let option_id = |i: usize| format!("group-option-{i}");
    view! {
        <div class="group-picker">
            <div class="picker-field">
                <label for="group-type-choice">"Group type"</label>
                <select id="group-type-choice" on:change=move |ev| {
                        if let Ok(i) = event_target_value(&ev).parse::<u32>() {
                            kind.set(i);
                            text.set(String::new());
                            results.set(Vec::new());
                            cursor.set(None);
                            listed.set(None);
                            search.set(Search::Idle);
                        }
                    }>
                        {move || group_types.get().into_iter().map(|g| {
                            let i = g.group_type_index;
                            view! { <option value=i.to_string() selected=move || kind.get() == i>{g.shown_singular().to_owned()}</option> }
                        }).collect_view()}
                </select>
            </div>
            <div class="picker-field grow">
                <label for="group-search" id="group-search-label">"Group"</label>
                <div class="combobox">
                    <input
                        id="group-search"
                        type="text"
                        role="combobox"
                        autocomplete="off"
                        aria-autocomplete="list"
                        aria-controls="group-options"
                        aria-describedby="group-search-status"
                        aria-expanded=move || showing().to_string()
                        aria-activedescendant=move || active.get().filter(|_| showing()).map(option_id)
                        prop:value=move || text.get()
                        on:input=move |ev| {
                            text.set(event_target_value(&ev));
                            open.set(true);
                            active.set(None);
                            schedule();
                        }
                        on:click=move |_| ensure_listed()
                        on:keydown=on_key
                        on:blur=move |_| { open.set(false); active.set(None); }
                    />
                    <ul id="group-options" role="listbox" aria-labelledby="group-search-label" hidden=move || !showing()>
                        {move || results.get().into_iter().enumerate().map(|(i, g)| {
                            // The name PostHog shows, with the key beside it; a group without a
                            // name is its key.
                            let (shown, key) = match g.name() {
                                Some(n) => (n.to_owned(), Some(g.group_key.clone())),
                                None => (g.group_key.clone(), None),
                            };
                            view! {
                                <li role="option" id=option_id(i)
                                    aria-selected=move || (active.get() == Some(i)).to_string()
                                    // Keeps focus in the box, so choosing does not blur it first.
                                    on:mousedown=|ev| ev.prevent_default()
                                    on:click=move |_| choose(i)>
                                    {shown}
                                    // Read as "Stark Industries, key stark": the words are in
                                    // the content (not an aria-label) so name and text agree.
                                    {key.map(|k| view! { <span class="visually-hidden">", key "</span><span class="group-key">{k}</span> })}
                                </li>
                            }
                        }).collect_view()}
                        {move || cursor.with(Option::is_some).then(|| {
                            let i = results.with(Vec::len);
                            view! {
                                <li role="option" id=option_id(i) class="more"
                                    aria-selected=move || (active.get() == Some(i)).to_string()
                                    on:mousedown=|ev| ev.prevent_default()
                                    on:click=move |_| choose(i)>
                                    "More results…"
                                </li>
                            }
                        })}
                    </ul>
                </div>
            </div>
            <p id="group-search-status" class="hint" role="status">{status_line}</p>
        </div>
    }
}
