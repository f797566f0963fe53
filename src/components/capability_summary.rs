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
    // A sign-in's powers are what the user granted at consent, not a key's.
    let signed_in =
        use_context::<crate::state::connection::Session>().is_some_and(|s| s.signed_in());
    let title = if signed_in {
        "What this sign-in can do"
    } else {
        "What this key can do"
    };
    view! {
        <details class="capabilities" open=read_only>
            <summary>
                {title}
                {read_only.then(|| view! { <span class="badge">"read-only"</span> })}
            </summary>
            <ul aria-label=title>
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
