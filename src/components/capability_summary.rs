//! The small summary of what the connected key can do.

use leptos::prelude::*;

use posthog_groups::capability::Verdict;

use crate::state::capabilities::Capabilities;

/// One line per kind of action, marked yes, no or not known in text (not by colour alone).
#[component]
pub fn CapabilitySummary(
    /// What the key's record and the rename probe told.
    capabilities: Capabilities,
) -> impl IntoView {
    let read_only = capabilities.read_only();
    let caveat = capabilities.caveat();
    view! {
        <details class="capabilities" open=read_only>
            <summary>
                "What this key can do"
                {read_only.then(|| view! { <span class="badge">"read-only"</span> })}
            </summary>
            <ul aria-label="What this key can do">
                {capabilities.lines().into_iter().map(|(verdict, text)| {
                    let (class, mark) = match verdict {
                        Verdict::Yes => ("ok", "✓"),
                        Verdict::No => ("no", "✕"),
                        Verdict::Unsure => ("unsure", "?"),
                    };
                    view! {
                        <li class=class>
                            <span aria-hidden="true" class="mark">{mark}</span>
                            {text}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {caveat.map(|text| view! { <p class="hint">{text}</p> })}
        </details>
    }
}
