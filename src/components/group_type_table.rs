//! The table of a project's group types, with the display names editable inline.

use leptos::prelude::*;
use posthog_groups::GroupType;

use crate::browser;
use crate::components::breakable::breakable;
use crate::state::rename::{field_changed, Bases, Edits, NameEdit, NameErrors, NameField};
use crate::state::rename_session::input_id;
use crate::state::url::{project_metrics_href, Target, PAGE_SIZES};

/// One row per group type: index, key, the two names as inputs (placeholders show the
/// default PostHog uses when a name is empty), created date, extra settings, delete.
#[component]
pub fn GroupTypeTable(
    /// The group types to show, sorted by index.
    group_types: Vec<GroupType>,
    /// The user's edits, by index; rows absent here show the server's names.
    #[prop(optional)]
    edits: Option<RwSignal<Edits>>,
    /// Each edited row as it was shown when its first edit was typed: what a save merges
    /// the edit from (see [`crate::state::rename::check_rows`]).
    #[prop(optional)]
    bases: Option<RwSignal<Bases>>,
    /// Validation messages by row and field.
    #[prop(into, optional)]
    errors: Signal<NameErrors>,
    /// Called when the user asks to delete a row; no delete buttons when absent.
    #[prop(default = None)]
    on_delete: Option<Callback<GroupType>>,
    /// Names are inputs when true; plain text for a key that may not rename.
    #[prop(into, default = Signal::stored(true))]
    editable: Signal<bool>,
    /// Disables the inputs (while saving).
    #[prop(into, optional)]
    disabled: Signal<bool>,
    /// Host and project for links to each group type's metrics; no links when absent.
    #[prop(default = None)]
    target: Option<Target>,
    /// The id of a note beside the table that it is described by (why it offers no edits).
    #[prop(into, optional)]
    described_by: MaybeProp<&'static str>,
) -> impl IntoView {
    let edits = edits.unwrap_or_else(|| RwSignal::new(Edits::new()));
    let bases = bases.unwrap_or_else(|| RwSignal::new(Bases::new()));
    let has_details = group_types
        .iter()
        .any(|g| g.detail_dashboard.is_some() || g.default_columns.is_some());
    view! {
        <table class="data-table group-types stack-1024" aria-describedby=move || described_by.get()>
            <caption class="visually-hidden">"Group types of this project"</caption>
            <thead>
                <tr>
                    <th scope="col">"Index"</th>
                    <th scope="col">"Key"</th>
                    <th scope="col">"Singular name"</th>
                    <th scope="col">"Plural name"</th>
                    <th scope="col">"Created"</th>
                    {has_details.then(|| view! { <th scope="col">"Settings"</th> })}
                    {target.is_some().then(|| view! { <th scope="col">"Usage metrics"</th> })}
                    {on_delete.map(|_| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                </tr>
            </thead>
            <tbody>
                // Keyed by index, as every list of the app is keyed by its id.
                <For each=move || group_types.clone() key=|g| g.group_type_index let(g)>
                {
                    let row = g.clone();
                    let changed = move || edits.with(|e| e.get(&row.group_type_index).is_some_and(|ed| {
                        field_changed(&row, ed, NameField::Singular) || field_changed(&row, ed, NameField::Plural)
                    }));
                    let changed_label = changed.clone();
                    view! {
                        <tr class:changed=changed>
                            <td class="num" data-label="Index">{g.group_type_index}</td>
                            <td data-label="Key">
                                <code>{breakable(&g.group_type)}</code>
                                <Show when=changed_label.clone()>
                                    <span class="badge changed-badge">"changed"</span>
                                </Show>
                            </td>
                            <td class="name-cell" data-label="Singular name">{name_cell(&g, NameField::Singular, editable, (edits, bases), errors, disabled)}</td>
                            <td class="name-cell" data-label="Plural name">{name_cell(&g, NameField::Plural, editable, (edits, bases), errors, disabled)}</td>
                            <td class="date" data-label="Created">{g.created_at.as_deref().map(date_part).unwrap_or("—").to_owned()}</td>
                            {has_details.then(|| view! { <td data-label="Settings">{details(&g)}</td> })}
                            {target.clone().map(|t| {
                                // The project's one list, narrowed to what is filed under this type.
                                let link = browser::app_link(&project_metrics_href(&t, "all", Some(g.group_type_index), PAGE_SIZES[0], 0));
                                view! {
                                    <td class="row-actions"><a href=link aria-label=format!("Usage metrics of {}", g.group_type)>"Metrics"</a></td>
                                }
                            })}
                            {on_delete.map(|cb| {
                                let g = g.clone();
                                let label = format!("Delete {}", g.group_type);
                                view! {
                                    <td class="row-actions">
                                        <button type="button" class="danger-link" aria-label=label on:click=move |_| cb.run(g.clone())>
                                            "Delete"
                                        </button>
                                    </td>
                                }
                            })}
                        </tr>
                    }
                }
                </For>
            </tbody>
        </table>
    }
}

/// A name as an input, or as text (the default PostHog shows, marked so) when not editable.
fn name_cell(
    g: &GroupType,
    field: NameField,
    editable: Signal<bool>,
    edits: (RwSignal<Edits>, RwSignal<Bases>),
    errors: Signal<NameErrors>,
    disabled: Signal<bool>,
) -> impl IntoView {
    let (custom, shown) = match field {
        NameField::Singular => (g.name_singular.is_some(), g.shown_singular().to_owned()),
        NameField::Plural => (g.name_plural.is_some(), g.shown_plural()),
    };
    let g = g.clone();
    move || {
        if editable.get() {
            name_input(&g, field, edits, errors, disabled).into_any()
        } else {
            view! { <span class:default-name=!custom>{shown.clone()}</span> }.into_any()
        }
    }
}

/// One name input, labelled for screen readers with the row's key, its default as placeholder.
fn name_input(
    g: &GroupType,
    field: NameField,
    (edits, bases): (RwSignal<Edits>, RwSignal<Bases>),
    errors: Signal<NameErrors>,
    disabled: Signal<bool>,
) -> impl IntoView {
    let index = g.group_type_index;
    let id = input_id(index, field);
    let error_id = format!("{id}-error");
    let initial = NameEdit::from_group_type(g);
    let placeholder = match field {
        NameField::Singular => g.group_type.clone(),
        NameField::Plural => posthog_groups::model::default_plural(&g.group_type),
    };
    let label = format!("{} of {}", field.label(), g.group_type);
    let original = g.clone();
    let value = move || edits.with(|e| e.get(&index).unwrap_or(&initial).get(field).to_owned());
    let error = move || errors.with(|e| e.get(&(index, field)).cloned());
    let has_error = error;
    let described = error_id.clone();
    view! {
        <input
            id=id
            type="text"
            class="name-input"
            aria-label=label
            placeholder=placeholder
            prop:value=value
            disabled=disabled
            aria-invalid=move || has_error().map(|_| "true")
            aria-describedby=move || error().map(|_| described.clone())
            on:input=move |ev| {
                let text = event_target_value(&ev);
                // The row as shown when its first edit is typed is what a save merges from.
                if edits.with_untracked(|e| !e.contains_key(&index)) {
                    bases.update(|b| { b.insert(index, original.clone()); });
                }
                edits.update(|e| {
                    e.entry(index)
                        .or_insert_with(|| NameEdit::from_group_type(&original))
                        .set(field, text)
                });
            }
        />
        <p class="field-error" id=error_id>{error}</p>
    }
}

/// Dashboard and default columns, when PostHog has them.
fn details(g: &GroupType) -> String {
    let mut parts = Vec::new();
    if let Some(d) = g.detail_dashboard {
        parts.push(format!("Dashboard #{d}"));
    }
    if let Some(cols) = &g.default_columns {
        parts.push(format!("Columns: {}", cols.join(", ")));
    }
    parts.join("; ")
}

/// The date part of an ISO 8601 timestamp.
fn date_part(iso: &str) -> &str {
    iso.split('T').next().unwrap_or(iso)
}
