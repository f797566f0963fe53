//! A labelled text input with its hint and its error message next to it.

use leptos::prelude::*;

/// A text field: label, input, hint, and the error for this field (announced, and tied to
/// the input with `aria-describedby` so a screen reader reads it with the field).
#[component]
pub fn TextField(
    /// Unique DOM id of the input; the hint and error ids derive from it.
    id: &'static str,
    /// Visible label.
    label: &'static str,
    /// The value, kept by the caller so nothing typed is lost when the form re-renders.
    value: RwSignal<String>,
    /// The error to show under the field, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// Help shown under the label.
    #[prop(optional)]
    hint: Option<&'static str>,
    /// Input type (`text` by default).
    #[prop(into, optional)]
    input_type: MaybeProp<String>,
    /// `autocomplete` hint for the browser.
    #[prop(optional)]
    autocomplete: Option<&'static str>,
    /// Placeholder text.
    #[prop(optional)]
    placeholder: Option<&'static str>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error.with(Option::is_some) {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:has-error=move || error.with(Option::is_some)>
            <label for=id>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            <input
                id=id
                name=id
                type=move || input_type.get().unwrap_or_else(|| "text".into())
                bind:value=value
                autocomplete=autocomplete
                placeholder=placeholder
                spellcheck="false"
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=described_by
            />
            <p class="field-error" id=error_id aria-live="polite">{move || error.get()}</p>
        </div>
    }
}
