//! The conflict view of a save that met changes made elsewhere: per item both sides changed,
//! the value when opened, the server's now and the user's, and a choice between the last two.
//! Used by the metric form and by the group type names.

use std::collections::BTreeMap;

use leptos::prelude::*;
use posthog_groups::merge::{ConflictItem, Side};

use crate::browser;
use crate::components::breakable::breakable;

/// Shows `items`. `on_settle` gets a side per item key once every item has one; `on_back`
/// closes the view (what was typed stays). `note` says what was merged without asking.
#[component]
pub fn MergeConflicts(
    items: Vec<ConflictItem>,
    #[prop(default = None)] note: Option<String>,
    #[prop(into)] on_settle: Callback<BTreeMap<String, Side>>,
    #[prop(into)] on_back: Callback<()>,
) -> impl IntoView {
    let choices = RwSignal::new(BTreeMap::<String, Side>::new());
    let error = RwSignal::new(None::<String>);
    let items = StoredValue::new(items);
    let rows = items.with_value(|items| {
        items
            .iter()
            .map(|i| conflict_row(i, choices))
            .collect_view()
    });
    let settle = move |_| {
        let unchosen = items.with_value(|items| {
            choices.with(|c| {
                items
                    .iter()
                    .filter(|i| !c.contains_key(&i.key))
                    .map(|i| (i.key.clone(), i.label.clone()))
                    .collect::<Vec<_>>()
            })
        });
        if let Some((first, _)) = unchosen.first() {
            let names: Vec<&str> = unchosen.iter().map(|(_, l)| l.as_str()).collect();
            error.set(Some(format!(
                "Choose which value to keep for {}.",
                names.join(", ")
            )));
            browser::focus_id_after_render(format!("{first}-theirs"));
            return;
        }
        error.set(None);
        on_settle.run(choices.get_untracked());
    };
    view! {
        <section class="merge-conflicts" aria-labelledby="conflicts-title">
            <h2 id="conflicts-title" tabindex="-1">"Changed since you opened it"</h2>
            <p>
                "Someone else, or another tab, changed the same values since you opened them. "
                "Choose which value to keep for each: nothing is saved until you do."
            </p>
            {note.map(|t| view! { <p>{t}</p> })}
            {rows}
            <p class="field-error" id="conflicts-error" role="alert">{move || error.get()}</p>
            <div class="form-buttons">
                <button type="button" class="primary" id="conflicts-save" on:click=settle
                    aria-describedby=move || error.with(Option::is_some).then_some("conflicts-error")>
                    "Save with these choices"
                </button>
                <button type="button" on:click=move |_| on_back.run(())>"Back to editing"</button>
            </div>
        </section>
    }
}

/// One conflicting item: three columns, and a side to keep.
fn conflict_row(item: &ConflictItem, choices: RwSignal<BTreeMap<String, Side>>) -> impl IntoView {
    let class = if item.code {
        "conflict-value code"
    } else {
        "conflict-value"
    };
    let value = move |text: &str| view! { <span class=class>{breakable(text)}</span> };
    let paths = item.paths.join(", ");
    let key = item.key.clone();
    let choice = move |side: Side, label: &'static str| {
        let (key, name) = (key.clone(), key.clone());
        let input_id = format!(
            "{key}-{}",
            if side == Side::Theirs {
                "theirs"
            } else {
                "mine"
            }
        );
        let checked = {
            let key = key.clone();
            move || choices.with(|c| c.get(&key) == Some(&side))
        };
        view! {
            <label class="conflict-choice">
                <input type="radio" name=name id=input_id prop:checked=checked
                    on:change=move |_| choices.update(|c| { c.insert(key.clone(), side); }) />
                {label}
            </label>
        }
    };
    view! {
        <fieldset class="conflict" id=item.key.clone()>
            <legend>{breakable(&item.label)}</legend>
            <dl class="conflict-columns">
                <div><dt>"When opened"</dt><dd>{value(&item.base)}</dd></div>
                <div><dt>"Now on the server"</dt><dd>{value(&item.theirs)}{choice(Side::Theirs, "Keep the server's")}</dd></div>
                <div><dt>"Yours"</dt><dd>{value(&item.mine)}{choice(Side::Mine, "Keep yours")}</dd></div>
            </dl>
            {(!paths.is_empty()).then(|| view! {
                <p class="hint">"The two differ at "{breakable(&paths)}"."</p>
            })}
        </fieldset>
    }
}
