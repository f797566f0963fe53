//! Group types side by side by index: keys and names of both sides, what differs, and a
//! tick to carry names over where the key is the same.

use leptos::prelude::*;
use posthog_groups::compare::{Selection, TypeRow, TypeStatus};
use posthog_groups::configuration::TypeConfig;

use crate::components::breakable::breakable;

/// How a side's group type reads: `organization — "Organization" / "Organizations"`.
fn described(t: &Option<TypeConfig>) -> String {
    match t {
        None => "(none)".into(),
        Some(t) => {
            let name = |n: &Option<String>| match n {
                Some(n) => format!("“{n}”"),
                None => "default".into(),
            };
            format!("{} — {} / {}", t.key, name(&t.singular), name(&t.plural))
        }
    }
}

/// What a row's status means, in a sentence, and whether it is serious.
fn explain(row: &TypeRow) -> (&'static str, String) {
    match &row.status {
        TypeStatus::Same => ("same", "Same key and names.".into()),
        TypeStatus::Renamed => ("changed", "Same key; the names differ.".into()),
        TypeStatus::Missing => ("missing", "The target has no group type with this key. The API cannot create group types: the first event the target's project receives with this group key creates it, at its next free index.".into()),
        TypeStatus::OnlyInTarget => ("extra", "Only the target has a group type at this index. Group types are not deleted from here.".into()),
        TypeStatus::Clash { source_key_in_target, target_key_in_source } => {
            let mut s = String::from("Index clash: events of one key land under different indexes in the two projects, so group filters, insights and metric values that name an index mean different things there. Only the projects' events can change this.");
            if let (Some(i), Some(src)) = (source_key_in_target, &row.source) {
                s.push_str(&format!(" The target has “{}” at index {i}.", src.key));
            }
            if let (Some(i), Some(t)) = (target_key_in_source, &row.target) {
                s.push_str(&format!(" The source has “{}” at index {i}.", t.key));
            }
            ("clash", s)
        }
    }
}

/// The group types section.
#[component]
pub fn CompareTypes(
    /// The rows, by index.
    rows: Vec<TypeRow>,
    /// What is ticked; only renames are changed here.
    selection: RwSignal<Selection>,
    /// Whether ticking is offered (a file as the target cannot be changed).
    can_plan: bool,
) -> impl IntoView {
    let clashes = rows
        .iter()
        .filter(|r| matches!(r.status, TypeStatus::Clash { .. }))
        .count();
    let body = if rows.is_empty() {
        view! { <p class="empty-state">"Neither side has group types."</p> }.into_any()
    } else {
        view! {
            <ul class="compare-list">
                {rows.into_iter().map(|row| {
                    let (tag, sentence) = explain(&row);
                    let index = row.index;
                    let id = format!("rename-{index}");
                    let tick = (can_plan && row.status == TypeStatus::Renamed).then(|| view! {
                        <label class="checkbox">
                            <input type="checkbox" id=id.clone()
                                prop:checked=move || selection.with(|s| s.renames.contains(&index))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    selection.update(|s| { if on { s.renames.insert(index); } else { s.renames.remove(&index); } });
                                } />
                            {format!("Carry index {index}'s names over")}
                        </label>
                    });
                    view! {
                        <li class=format!("compare-item compare-{tag}")>
                            <h3>{format!("Index {index}")}<span class="badge">{tag}</span></h3>
                            <dl class="compare-sides-values">
                                <dt>"Source"</dt><dd>{breakable(&described(&row.source))}</dd>
                                <dt>"Target"</dt><dd>{breakable(&described(&row.target))}</dd>
                            </dl>
                            <p class:warning=tag == "clash">{sentence}</p>
                            {tick}
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="compare-types-title">
            <h2 id="compare-types-title">"Group types"</h2>
            {(clashes > 0).then(|| view! {
                <p class="warning" role="note">{format!("{clashes} index clash{}: see below. The console cannot move a group type to another index.", if clashes == 1 { "" } else { "es" })}</p>
            })}
            {body}
        </section>
    }
}
