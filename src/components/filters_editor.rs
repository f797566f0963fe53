//! The editor of a metric's `filters`: events, data warehouse or raw JSON. It only wires
//! inputs to the in-place JSON edits of `state::filters_edit`, so keys it does not show
//! survive every edit.

use std::time::Duration;

use leptos::prelude::*;
use posthog_groups::model::Filters;
use posthog_groups::validate::{warehouse_form_field, FieldErrors};

use crate::browser::focus_id;
use crate::components::definition_picker::DefinitionPicker;
use crate::state::filters_edit::{
    action_id, action_text, add_action, add_event, add_property, chosen_events, event_name,
    list_len, operator_takes_value, parse_raw, pretty, property_field, remove_item, says_events,
    set_action, set_event_name, set_filter_test_accounts, set_property_field, set_text_field,
    use_events_source, use_warehouse_source, warehouse_error_on_top, EditMode, PropField, ACTIONS,
    EVENTS, OPERATORS, PROPERTIES, PROPERTY_TYPES, WAREHOUSE_INPUTS,
};
use crate::state::pickers::{self, Choice, Pickers, Source};

/// Edits `filters` in place. The mode starts from `filters.source()` (an unknown source
/// opens as raw JSON); switching between events and data warehouse only changes `source`.
#[component]
pub fn FiltersEditor(
    /// The metric's filters; every edit mutates this object rather than rebuilding it.
    filters: RwSignal<Filters>,
    /// The message for the filters field from validation or the server, shown on top.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// Where the raw-JSON parse error is published, so the form refuses to save text that
    /// does not parse (the last valid object would otherwise be sent silently).
    #[prop(optional)]
    raw_error: Option<RwSignal<Option<String>>>,
    /// Messages for the data-warehouse inputs, by the core's form keys
    /// (`filters.table_name`, …), each shown under its input; while those inputs are not on
    /// screen (raw JSON), the first one is shown on top instead, so it is never hidden.
    #[prop(into, optional)]
    warehouse_errors: Option<Signal<FieldErrors>>,
) -> impl IntoView {
    let warehouse_errors = warehouse_errors.unwrap_or_else(|| Signal::derive(FieldErrors::new));
    let mode = RwSignal::new(filters.with_untracked(EditMode::for_filters));
    // Remembers an explicit `"source": "events"` across a visit to data warehouse.
    let explicit = StoredValue::new(filters.with_untracked(says_events));
    // The raw text lives apart from `filters` so invalid text is never rewritten.
    let raw_text = RwSignal::new(filters.with_untracked(pretty));
    let raw_error = raw_error.unwrap_or_else(|| RwSignal::new(None));

    // A change from outside (a reset, a reload) replaces the raw text, but the user's own
    // valid typing parses to the object already held, so it is left exactly as typed.
    Effect::new(move |_| {
        filters.with(|f| {
            if mode.get_untracked() == EditMode::Raw
                && parse_raw(&raw_text.get_untracked()).ok().as_ref() != Some(f)
            {
                raw_text.set(pretty(f));
                raw_error.set(None);
            }
        })
    });

    let switch = move |to: EditMode| {
        let from = mode.get_untracked();
        if from == to {
            return;
        }
        if from != EditMode::Warehouse {
            explicit.set_value(filters.with_untracked(says_events));
        }
        if from == EditMode::Raw {
            // Leaving raw mode abandons unparsable text: the structured view shows the last
            // valid object, which is what would be saved.
            raw_error.set(None);
        }
        match to {
            EditMode::Raw => {
                raw_text.set(filters.with_untracked(pretty));
                raw_error.set(None);
            }
            EditMode::Warehouse => filters.update(use_warehouse_source),
            EditMode::Events => filters.update(|f| use_events_source(f, explicit.get_value())),
        }
        mode.set(to);
    };
    let radio = move |to: EditMode, id: &'static str, label: &'static str| {
        view! {
            <label class="filters-radio">
                <input type="radio" name="filters-source" id=id prop:checked=move || mode.get() == to on:change=move |_| switch(to) />
                {label}
            </label>
        }
    };

    let top_error = Signal::derive(move || {
        error
            .get()
            .or_else(|| warehouse_errors.with(|e| warehouse_error_on_top(mode.get(), e)))
    });

    view! {
        <fieldset
            class="filters-editor"
            aria-describedby=move || top_error.with(Option::is_some).then_some("filters-error")
        >
            <legend>"Filters"</legend>
            <p class="field-error" id="filters-error">{move || top_error.get()}</p>
            <fieldset class="filters-source">
                <legend>"Source"</legend>
                {radio(EditMode::Events, "filters-source-events", "Events")}
                {radio(EditMode::Warehouse, "filters-source-warehouse", "Data warehouse")}
                {radio(EditMode::Raw, "filters-source-raw", "Raw JSON")}
            </fieldset>
            {move || match mode.get() {
                EditMode::Events => events_mode(filters).into_any(),
                EditMode::Warehouse => warehouse_mode(filters, warehouse_errors).into_any(),
                EditMode::Raw => raw_mode(filters, raw_text, raw_error).into_any(),
            }}
        </fieldset>
    }
}

/// Moves focus once the list has re-rendered, so keyboard users are not dropped to the page top.
fn focus_soon(id: String) {
    set_timeout(move || focus_id(&id), Duration::ZERO);
}

/// Events, actions, property filters and the test-accounts checkbox.
fn events_mode(filters: RwSignal<Filters>) -> impl IntoView {
    let test_accounts = move || filters.with(Filters::filter_test_accounts);
    view! {
        {list_section(filters, EVENTS, "Events", "event", add_event, event_row)}
        {list_section(filters, ACTIONS, "Actions", "action", add_action, action_row)}
        {list_section(filters, PROPERTIES, "Property filters", "property filter", add_property, property_row)}
        <label class="filters-check">
            <input type="checkbox" prop:checked=test_accounts
                on:change=move |ev| filters.update(|f| set_filter_test_accounts(f, event_target_checked(&ev))) />
            "Filter out internal and test accounts"
        </label>
    }
}

/// A fieldset of rows for one list, each with a remove button, then an add button. Rows are
/// keyed by position and read their values by position, so removing one shows the next in
/// its place; focus then goes to the add button rather than to the top of the page.
fn list_section(
    filters: RwSignal<Filters>,
    key: &'static str,
    legend: &'static str,
    item: &'static str,
    add: fn(&mut Filters),
    row: fn(RwSignal<Filters>, usize) -> AnyView,
) -> impl IntoView {
    let len = move || filters.with(|f| list_len(f, key));
    let add_id = format!("filters-add-{key}");
    let focus_add = add_id.clone();
    let remove = move |i: usize| {
        filters.update(|f| remove_item(f, key, i));
        focus_soon(focus_add.clone());
    };
    view! {
        <fieldset class="filters-group">
            <legend>{legend}</legend>
            <Show when=move || len().is_none()>
                <p class="hint">"Kept as it is: this editor cannot show its shape. Use Raw JSON to change it."</p>
            </Show>
            <For each=move || 0..len().unwrap_or(0) key=|i| *i children=move |i| {
                let remove = remove.clone();
                view! {
                    <div class="filters-row">
                        {row(filters, i)}
                        <button type="button" class="danger-link" aria-label=format!("Remove {item} {}", i + 1)
                            on:click=move |_| remove(i)>"Remove"</button>
                    </div>
                }
            } />
            <button type="button" id=add_id disabled=move || len().is_none() on:click=move |_| {
                let next = len().unwrap_or(0);
                filters.update(add);
                focus_soon(format!("filters-{key}-{next}"));
            }>{format!("Add {item}")}</button>
        </fieldset>
    }
}

/// A labelled text input that reads its value from `filters` and writes typing back.
fn text_cell(
    id: String,
    label: String,
    value: Signal<String>,
    input: impl Fn(String) + 'static,
    disabled: Signal<bool>,
) -> impl IntoView {
    view! {
        <div class="filters-cell">
            <label for=id.clone()>{label}</label>
            <input
                type="text"
                id=id
                spellcheck="false"
                prop:value=value
                disabled=disabled
                on:input=move |ev| input(event_target_value(&ev))
            />
        </div>
    }
}

/// One event's name, picked from the project's events or typed (typing sets the event's
/// `id` and `name`).
fn event_row(filters: RwSignal<Filters>, i: usize) -> AnyView {
    let value = Signal::derive(move || filters.with(|f| event_name(f, i)));
    let input = Callback::new(move |text: String| filters.update(|f| set_event_name(f, i, &text)));
    view! {
        <DefinitionPicker id=format!("filters-{EVENTS}-{i}") label=format!("Event {} name", i + 1)
            text=value on_input=input source=Source::Events />
    }
    .into_any()
}

/// One action, picked by name from the project's actions; without them, typed as its id.
fn action_row(filters: RwSignal<Filters>, i: usize) -> AnyView {
    let shown = RwSignal::new(filters.with_untracked(|f| action_text(f, i)));
    let input = Callback::new(move |text: String| {
        shown.set(text.clone());
        if let Ok(id) = text.trim().parse::<i64>() {
            filters.update(|f| set_action(f, i, id, None));
        }
    });
    let choose = Callback::new(move |c: Choice| {
        if let Ok(id) = c.value.parse::<i64>() {
            filters.update(|f| set_action(f, i, id, Some(&c.label)));
        }
    });
    // An action stored with its id only is shown by name once the project's actions are read.
    if let (Some(id), Some(p)) = (
        filters
            .with_untracked(|f| action_id(f, i))
            .filter(|id| shown.with_untracked(|s| *s == id.to_string())),
        use_context::<Pickers>(),
    ) {
        Effect::new(move |done: Option<bool>| {
            if done == Some(true) || p.state(&Source::Actions) != Some(true) {
                return done.unwrap_or(false);
            }
            leptos::task::spawn_local(async move {
                if let Ok(names) = pickers::action_names(&p.connection()).await {
                    if let Some(name) = names.get(&id) {
                        shown.try_set(name.clone());
                    }
                }
            });
            true
        });
    }
    view! {
        <DefinitionPicker id=format!("filters-{ACTIONS}-{i}") label=format!("Action {}", i + 1)
            text=shown on_input=input on_choose=choose source=Source::Actions />
    }
    .into_any()
}

/// One property filter: key, operator, value (off for `is_set`/`is_not_set`) and type.
fn property_row(filters: RwSignal<Filters>, i: usize) -> AnyView {
    let (n, base) = (i + 1, format!("filters-{PROPERTIES}-{i}"));
    let get = move |field| Memo::new(move |_| filters.with(|f| property_field(f, i, field)));
    let (key, op, value, kind) = (
        get(PropField::Key),
        get(PropField::Operator),
        get(PropField::Value),
        get(PropField::Type),
    );
    let set =
        move |field| move |text: String| filters.update(|f| set_property_field(f, i, field, &text));
    let no_value = Signal::derive(move || !op.with(|o| operator_takes_value(o)));
    // Properties seen with the events chosen above come first.
    let source = Memo::new(move |_| Source::Properties {
        events: filters.with(chosen_events),
        numerical: false,
    });
    view! {
        <DefinitionPicker id=base.clone() label=format!("Property {n} key") text=key
            on_input=Callback::new(set(PropField::Key)) source=source />
        {choice(format!("{base}-operator"), format!("Property {n} operator"), &OPERATORS, op, set(PropField::Operator))}
        {text_cell(format!("{base}-value"), format!("Property {n} value"), value.into(), set(PropField::Value), no_value)}
        {choice(format!("{base}-type"), format!("Property {n} type"), &PROPERTY_TYPES, kind, set(PropField::Type))}
    }
    .into_any()
}

/// A labelled select; a value it does not offer (a newer PostHog operator) is shown as an
/// extra option so the select never silently claims another value.
fn choice(
    id: String,
    label: String,
    options: &'static [(&'static str, &'static str)],
    current: Memo<String>,
    pick: impl Fn(String) + 'static,
) -> impl IntoView {
    let unknown =
        move || current.with(|c| (!options.iter().any(|(v, _)| v == c)).then(|| c.clone()));
    view! {
        <div class="filters-cell">
            <label for=id.clone()>{label}</label>
            <select id=id on:change=move |ev| pick(event_target_value(&ev))>
                {options
                    .iter()
                    .map(|&(v, l)| view! { <option value=v prop:selected=move || current.with(|c| c == v)>{l}</option> })
                    .collect_view()}
                {move || unknown().map(|c| view! { <option value=c.clone() prop:selected=true>{c.clone()}</option> })}
            </select>
        </div>
    }
}

/// The three data-warehouse inputs, each with its message from `errors`: the table picked
/// from the project's tables, the two columns from that table's.
fn warehouse_mode(filters: RwSignal<Filters>, errors: Signal<FieldErrors>) -> impl IntoView {
    let table = Memo::new(move |_| Source::Columns {
        table: filters.with(|f| f.str_field("table_name").unwrap_or_default().to_owned()),
    });
    let inputs = WAREHOUSE_INPUTS.map(|(key, label)| {
        let value = move || filters.with(|f| f.str_field(key).unwrap_or_default().to_owned());
        let input = Callback::new(move |text: String| filters.update(|f| set_text_field(f, key, &text)));
        let error = Signal::derive(move || {
            let field = warehouse_form_field(key)?;
            errors.with(|e| e.get(field).cloned())
        });
        let source = if key == "table_name" {
            Signal::from(Source::Tables)
        } else {
            table.into()
        };
        view! {
            <DefinitionPicker id=format!("filters-{key}") label=label.to_owned() text=Signal::derive(value)
                on_input=input source=source error=error />
        }
    });
    view! {
        <fieldset class="filters-group">
            <legend>"Data warehouse table"</legend>
            {inputs.into_iter().collect_view()}
        </fieldset>
    }
}

/// The whole object as text; each valid object typed replaces `filters`, invalid text does not.
fn raw_mode(
    filters: RwSignal<Filters>,
    text: RwSignal<String>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let invalid = move || error.with(Option::is_some);
    view! {
        <div class="filters-raw">
            <label for="filters-raw">"Filters (JSON)"</label>
            <textarea
                id="filters-raw"
                rows="12"
                spellcheck="false"
                prop:value=move || text.get()
                aria-invalid=move || invalid().then_some("true")
                aria-describedby=move || invalid().then_some("filters-raw-error")
                on:input=move |ev| {
                    let typed = event_target_value(&ev);
                    let parsed = parse_raw(&typed);
                    text.set(typed);
                    error.set(parsed.as_ref().err().cloned());
                    if let Ok(parsed) = parsed {
                        filters.set(parsed);
                    }
                }
            ></textarea>
            <p class="field-error" id="filters-raw-error" aria-live="polite">{move || error.get()}</p>
        </div>
    }
}
