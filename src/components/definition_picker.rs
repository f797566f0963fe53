//! A text input that offers the project's own names as the user types (events, properties,
//! actions, warehouse tables and columns), built as the WAI-ARIA combobox pattern the group
//! picker uses. What is typed stays what is stored unless an option is chosen; without the
//! list's scope it is a plain input with a note naming the scope.

use std::time::Duration;

use leptos::prelude::*;
use posthog_groups::ApiError;

use crate::browser;
use crate::components::breakable::breakable;
use crate::state::group_search::{on_key, KeyAction, Search};
use crate::state::pickers::{self, Choice, Pickers, Source};

/// How long typing may pause before the search is sent: one request per pause, not per key.
const DEBOUNCE: Duration = Duration::from_millis(300);

/// A labelled combobox over `source`'s names.
#[component]
pub fn DefinitionPicker(
    /// The input's id; the list, status and notes take ids from it.
    id: String,
    /// The label.
    label: String,
    /// The text in the box.
    #[prop(into)]
    text: Signal<String>,
    /// Called with each typed text.
    on_input: Callback<String>,
    /// Called with the option chosen (after the text is set to its label).
    #[prop(optional)]
    on_choose: Option<Callback<Choice>>,
    /// Which list is offered.
    #[prop(into)]
    source: Signal<Source>,
    /// Looks the starting text up once (no list shown), so a flag can be shown at once.
    #[prop(optional)]
    check_at_start: bool,
    /// A message from the form's own checks, shown under the input.
    #[prop(into, optional)]
    error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let Some(pickers) = use_context::<Pickers>() else {
        return plain(id, label, text, on_input, None, error).into_any();
    };
    // A memo, so the input is rebuilt only when the picker turns on or off, not whenever its
    // list changes (the events chosen above, say).
    let off = Memo::new(move |_| source.with(|s| pickers.state(s) == Some(false)));
    view! {
        {move || if off.get() {
            let note = source.with_untracked(pickers::off_note);
            plain(id.clone(), label.clone(), text, on_input, Some(note), error).into_any()
        } else {
            combobox(Props {
                id: id.clone(),
                label: label.clone(),
                text,
                on_input,
                on_choose,
                source,
                check_at_start,
                error,
                pickers,
            })
            .into_any()
        }}
    }
    .into_any()
}

/// The inputs the combobox is built from.
struct Props {
    id: String,
    label: String,
    text: Signal<String>,
    on_input: Callback<String>,
    on_choose: Option<Callback<Choice>>,
    source: Signal<Source>,
    check_at_start: bool,
    error: Option<Signal<Option<String>>>,
    pickers: Pickers,
}

/// Ids of the notes under an input that describe it, space-separated.
fn described(ids: &[Option<String>]) -> Option<String> {
    let ids: Vec<&str> = ids.iter().flatten().map(String::as_str).collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// The input with no list: a note says which scope would turn the list on.
fn plain(
    id: String,
    label: String,
    text: Signal<String>,
    on_input: Callback<String>,
    note: Option<String>,
    error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let (note_id, error_id) = (format!("{id}-note"), format!("{id}-error"));
    let has_error = move || error.is_some_and(|e| e.with(Option::is_some));
    let note_ref = note.as_ref().map(|_| note_id.clone());
    let err_ref = error_id.clone();
    let describe = move || described(&[note_ref.clone(), has_error().then(|| err_ref.clone())]);
    view! {
        <div class="filters-cell" class:has-error=has_error>
            <label for=id.clone()>{label}</label>
            <input type="text" id=id spellcheck="false" autocomplete="off"
                prop:value=text
                aria-invalid=move || has_error().then_some("true")
                aria-describedby=describe
                on:input=move |ev| on_input.run(event_target_value(&ev)) />
            {note.map(|n| view! { <p class="hint picker-note" id=note_id>{n}</p> })}
            {error.map(|e| view! { <p class="field-error" id=error_id aria-live="polite">{move || e.get()}</p> })}
        </div>
    }
}

/// The combobox: the input, its listbox popup, the status line and the flag.
fn combobox(p: Props) -> impl IntoView {
    let Props {
        id,
        label,
        text,
        on_input,
        on_choose,
        source,
        check_at_start,
        error,
        pickers,
    } = p;
    let open = RwSignal::new(false);
    let active = RwSignal::new(None::<usize>);
    let results = RwSignal::new(Vec::<Choice>::new());
    let more = RwSignal::new(false);
    let search = RwSignal::new(Search::Idle);
    // What the results are for, so opening the list again asks nothing new.
    let listed = RwSignal::new(None::<(Source, String)>);
    let searches = crate::api::read::Latest::new();
    let timer = StoredValue::new(None::<TimeoutHandle>);
    on_cleanup(move || {
        if let Some(t) = timer.try_get_value().flatten() {
            t.clear();
        }
    });

    let input_id = StoredValue::new(id.clone());
    // Only the newest search may fill the list (an older one is aborted).
    let load = move |next_page: bool| {
        let (src, q) = (
            source.get_untracked(),
            text.get_untracked().trim().to_owned(),
        );
        let offset = if next_page {
            if !more.get_untracked() {
                return;
            }
            results.with_untracked(Vec::len) as u64
        } else {
            0
        };
        search.set(Search::Loading);
        let conn = pickers.connection();
        let (s2, q2) = (src.clone(), q.clone());
        let request = async move { pickers::search(&conn, &s2, &q2, offset).await };
        let input_id = input_id.get_value();
        searches.run(request, move |answer| match answer {
            Ok(found) => {
                if offset == 0 {
                    pickers.learn(src.kind(), &q, found.has(&q));
                }
                let more_now = found.more;
                if next_page {
                    results.try_update(|r| r.extend(found.choices));
                } else {
                    // The same option stays active if a newer answer still lists it.
                    let was = active.try_get_untracked().flatten().and_then(|i| {
                        results
                            .try_with_untracked(|r| r.get(i).map(|c| c.value.clone()))
                            .flatten()
                    });
                    let still = was.and_then(|v| found.choices.iter().position(|c| c.value == v));
                    results.try_set(found.choices);
                    active.try_set(still);
                }
                more.try_set(more_now);
                let shown = results.try_with_untracked(Vec::len).unwrap_or(0);
                search.try_set(Search::Done {
                    shown,
                    more: more_now,
                });
                listed.try_set(Some((src, q)));
            }
            Err(ApiError::Aborted) => {}
            Err(ApiError::MissingScope { .. }) => {
                // The box becomes a plain input with the note; whoever was typing in it
                // keeps typing there.
                let focused = browser::focused_element().is_some_and(|el| el.id() == input_id);
                search.try_set(Search::Idle);
                pickers.refuse(&src);
                if focused {
                    browser::focus_id_after_render(input_id.clone());
                }
            }
            Err(e) => {
                search.try_set(Search::Failed(e.to_string()));
            }
        });
    };
    if check_at_start {
        let (kind, t) = (source.with_untracked(Source::kind), text.get_untracked());
        // Once the key is known to allow the list (a plain input asks nothing).
        Effect::new(move |done: Option<bool>| {
            if done == Some(true) {
                return true;
            }
            let on = source.with(|s| pickers.state(s)) == Some(true);
            if on && !t.trim().is_empty() && !pickers.looked_up(kind, &t) {
                load(false);
            }
            on
        });
    }
    let ensure_listed = move || {
        open.set(true);
        let wanted = (
            source.get_untracked(),
            text.get_untracked().trim().to_owned(),
        );
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
        let Some(c) = results.with_untracked(|r| r.get(i).cloned()) else {
            // The last option is "More results": load the next page.
            load(true);
            return;
        };
        on_input.run(c.label.clone());
        open.set(false);
        active.set(None);
        pickers.learn(source.with_untracked(Source::kind), &c.value, true);
        listed.set(Some((source.get_untracked(), c.label.clone())));
        if let Some(f) = on_choose {
            f.run(c);
        }
    };
    let options = move || results.with(Vec::len) + usize::from(more.get());
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
            KeyAction::EscapeClosed | KeyAction::Ignore => {}
        }
    };
    let list_id = format!("{id}-options");
    let status_id = format!("{id}-status");
    let flag_id = format!("{id}-flag");
    let error_id = format!("{id}-error");
    let label_id = format!("{id}-label");
    let option_prefix = format!("{id}-option-");
    let option_id = move |i: usize| format!("{option_prefix}{i}");
    let has_error = move || error.is_some_and(|e| e.with(Option::is_some));
    let flag = move || {
        let kind = source.with(Source::kind);
        text.with(|t| pickers.flag(kind, t))
    };
    let (f_id, e_id) = (flag_id.clone(), error_id.clone());
    let s_id = status_id.clone();
    let describe = move || {
        described(&[
            Some(s_id.clone()),
            flag().map(|_| f_id.clone()),
            has_error().then(|| e_id.clone()),
        ])
    };
    let failed = move || search.with(|s| matches!(s, Search::Failed(_)));
    // The status is read out while the list is open, but takes no room on screen: closing the
    // list (a click on Save, say) must not move what is under it between press and release.
    // A failed search is shown, under the box, until a search answers.
    let status_line = move || {
        if open.get() || failed() {
            search.with(|s| text.with(|t| source.with(|src| pickers::status(s, t, src))))
        } else {
            String::new()
        }
    };
    let option_view = {
        let option_id = option_id.clone();
        move |(i, c): (usize, Choice)| {
            view! {
                <li role="option" id=option_id(i)
                    aria-selected=move || (active.get() == Some(i)).to_string()
                    on:mousedown=|ev| ev.prevent_default()
                    on:click=move |_| choose(i)>
                    // Long snake_case names break at their underscores, never mid-word. Read
                    // as "paid_bill, last seen 3 days ago": the comma sits inside the name's
                    // box, since a browser puts a space between the two boxes.
                    <span class="choice-label">{breakable(&c.label)}<span class="visually-hidden">","</span></span>
                    <span class="choice-detail">{c.detail}</span>
                </li>
            }
        }
    };
    let more_id = option_id.clone();
    view! {
        <div class="filters-cell picker" class:has-error=has_error>
            <label for=id.clone() id=label_id.clone()>{label}</label>
            <div class="combobox">
                <input
                    id=id
                    type="text"
                    role="combobox"
                    spellcheck="false"
                    autocomplete="off"
                    aria-autocomplete="list"
                    aria-controls=list_id.clone()
                    aria-describedby=describe
                    aria-invalid=move || has_error().then_some("true")
                    aria-expanded=move || showing().to_string()
                    aria-activedescendant=move || active.get().filter(|_| showing()).map(option_id.clone())
                    prop:value=text
                    on:input=move |ev| {
                        let typed = event_target_value(&ev);
                        // Until the search answers, the list keeps only what still matches,
                        // so an Enter pressed meanwhile cannot choose an option typed away.
                        results.update(|r| r.retain(|c| pickers::matches(&typed, &c.label)));
                        on_input.run(typed);
                        open.set(true);
                        active.set(None);
                        schedule();
                    }
                    on:click=move |_| ensure_listed()
                    on:keydown=on_key
                    on:blur=move |_| { open.set(false); active.set(None); }
                />
                <ul id=list_id role="listbox" aria-labelledby=label_id hidden=move || !showing()
                    on:scroll=move |ev| {
                        if browser::scrolled_to_end(&ev) && search.get_untracked() != Search::Loading {
                            load(true);
                        }
                    }>
                    {move || results.get().into_iter().enumerate().map(option_view.clone()).collect_view()}
                    {move || more.get().then(|| {
                        let i = results.with(Vec::len);
                        view! {
                            <li role="option" id=more_id(i) class="more"
                                aria-selected=move || (active.get() == Some(i)).to_string()
                                on:mousedown=|ev| ev.prevent_default()
                                on:click=move |_| choose(i)>
                                "More results…"
                            </li>
                        }
                    })}
                </ul>
            </div>
            <p id=status_id role="status"
                class=move || if failed() { "picker-status failed" } else { "visually-hidden" }>
                {status_line}
            </p>
            <p id=flag_id class="warning picker-flag" role="status">{flag}</p>
            {error.map(|e| view! { <p class="field-error" id=error_id aria-live="polite">{move || e.get()}</p> })}
        </div>
    }
}
