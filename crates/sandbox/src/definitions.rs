//! What the project knows about its events, for the pickers: event and property definitions,
//! as PostHog's `posthog/api/event_definition.py` and
//! `posthog/taxonomy/property_definition_api.py` list them, and the search rules they share.
//!
//! The definitions are taken from the synthetic event store's vocabulary once, when the seed
//! is built (see [`of_project`]), and kept: PostHog learns a definition when an event is
//! ingested, never when a metric names it, so a metric saved later with a misspelt event
//! (`paid_bil`) finds no definition, as it would on PostHog.

use crate::model::Project;
use serde::Serialize;

/// PostHog's always-hidden event properties (`ALWAYS_EXCLUDED_EVENT_PROPERTIES`, type=event
/// only): never listed. `$session_entry_*` is hidden by its prefix.
const HIDDEN: &[&str] = &[
    "distinct_id",
    "$set",
    "$set_once",
    "$initial_referrer",
    "$initial_referring_domain",
    "$groups",
    "$group_type",
    "$group_key",
    "$group_set",
    "$group_0",
    "$group_1",
    "$group_2",
    "$group_3",
    "$group_4",
];

/// Whether PostHog never lists this event property.
pub fn is_hidden(name: &str) -> bool {
    HIDDEN.contains(&name) || name.starts_with("$session_entry_")
}

/// One event the project has seen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventDefinition {
    /// Deterministic UUID.
    pub id: String,
    /// The event's name.
    pub name: String,
}

/// One event property the project has seen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PropertyDefinition {
    /// Deterministic UUID.
    pub id: String,
    /// The property's name.
    pub name: String,
    /// Whether its values are numbers (PostHog's "property to sum" offers only these).
    pub is_numerical: bool,
    /// `Numeric`, `String`, …
    pub property_type: &'static str,
    /// The events it was seen with (PostHog's `posthog_eventproperty` rows).
    pub events: Vec<String>,
}

/// The definitions of a project's seed: each event of its event store, each property those
/// events carry, and what every PostHog event carries besides (`distinct_id`, `$set`, the
/// group keys, a session entry URL), which the property list hides as PostHog does.
pub fn of_project(project: &Project) -> (Vec<EventDefinition>, Vec<PropertyDefinition>) {
    let pid = project.id.to_string();
    let kinds = crate::usage::event_kinds(project);
    let events = kinds
        .iter()
        .map(|(name, _, _)| EventDefinition {
            id: crate::usage::stable_uuid(&[&pid, "event", name]),
            name: name.clone(),
        })
        .collect();
    let mut props: Vec<PropertyDefinition> = Vec::new();
    let mut add =
        |name: &str, numeric: bool, event: &str| match props.iter_mut().find(|p| p.name == name) {
            Some(p) => {
                p.events.push(event.to_string());
                p.is_numerical |= numeric;
            }
            None => props.push(PropertyDefinition {
                id: crate::usage::stable_uuid(&[&pid, "property", name]),
                name: name.to_string(),
                is_numerical: numeric,
                property_type: "String",
                events: vec![event.to_string()],
            }),
        };
    for (event, numeric, strings) in &kinds {
        for n in numeric {
            add(n, true, event);
        }
        for s in strings {
            add(s, false, event);
        }
        for hidden in [
            "distinct_id",
            "$set",
            "$group_0",
            "$groups",
            "$session_entry_url",
        ] {
            add(hidden, false, event);
        }
    }
    for p in &mut props {
        if p.is_numerical {
            p.property_type = "Numeric";
        }
        p.events.sort();
        p.events.dedup();
    }
    props.sort_by(|a, b| a.name.cmp(&b.name));
    (events, props)
}

/// PostHog's `term_search_filter_sql` on one field: the search split on single spaces (empty
/// pieces and NUL bytes dropped), each piece an `ILIKE '%piece%'`, all of them required. `%`
/// and `_` in a piece are LIKE wildcards there, since PostHog does not escape them.
pub fn term_search(search: &str, name: &str) -> bool {
    search
        .replace('\0', "")
        .split(' ')
        .filter(|t| !t.is_empty())
        .all(|term| ilike(&format!("%{term}%"), name))
}

/// DRF's `SearchFilter` on one field (warehouse tables): terms split on whitespace and commas,
/// each a case-insensitive substring, all required.
pub fn drf_search(search: &str, name: &str) -> bool {
    let name = name.to_lowercase();
    search
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .all(|term| name.contains(&term.to_lowercase()))
}

/// SQL `ILIKE`: `%` any run, `_` any one character, `\` escapes the next; case-insensitive.
pub fn ilike(pattern: &str, text: &str) -> bool {
    #[derive(Clone, Copy, PartialEq)]
    enum P {
        Any,
        One,
        Char(char),
    }
    let mut parts = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        parts.push(match c {
            '%' => P::Any,
            '_' => P::One,
            '\\' => P::Char(chars.next().unwrap_or('\\')),
            c => P::Char(c),
        });
    }
    let text: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let parts: Vec<P> = parts
        .into_iter()
        .flat_map(|p| match p {
            P::Char(c) => c.to_lowercase().map(P::Char).collect::<Vec<_>>(),
            other => vec![other],
        })
        .collect();
    // Dynamic programming over (pattern part, text position): no backtracking blow-up.
    let mut reach = vec![false; text.len() + 1];
    reach[0] = true;
    for part in &parts {
        let mut next = vec![false; text.len() + 1];
        match part {
            P::Any => {
                let mut on = false;
                for i in 0..=text.len() {
                    on |= reach[i];
                    next[i] = on;
                }
            }
            P::One => {
                next[1..].copy_from_slice(&reach[..text.len()]);
            }
            P::Char(c) => {
                for i in 0..text.len() {
                    next[i + 1] = reach[i] && text[i] == *c;
                }
            }
        }
        reach = next;
    }
    reach[text.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_follows_sql() {
        assert!(ilike("%paid%", "Paid_Bill"));
        assert!(ilike("%pa_d%", "paid_bill"));
        assert!(!ilike("%pa_d%", "pad"));
        assert!(ilike("%", ""));
        assert!(ilike("%bill", "paid_bill"));
        assert!(!ilike("bill", "paid_bill"));
        assert!(ilike("%50\\%%", "up 50% off"));
        assert!(!ilike("%50\\%%", "up 50 off"));
    }

    #[test]
    fn term_search_needs_every_piece_and_splits_on_spaces_only() {
        assert!(term_search("paid bill", "bill_paid"));
        assert!(term_search("PAID", "paid_bill"));
        assert!(!term_search("paid sent", "paid_bill"));
        assert!(term_search("  ", "anything"));
        // A tab is not a separator: the piece holds it.
        assert!(!term_search("paid\tbill", "paid_bill"));
        // `_` is a wildcard, as PostHog leaves it unescaped.
        assert!(term_search("paid_bill", "paidXbill"));
    }

    #[test]
    fn drf_search_splits_on_whitespace_and_commas() {
        assert!(drf_search("stripe,charges", "stripe_charges"));
        assert!(drf_search("STRIPE  charges", "stripe_charges"));
        assert!(!drf_search("stripe invoices", "stripe_charges"));
    }

    #[test]
    fn hidden_properties() {
        assert!(is_hidden("distinct_id"));
        assert!(is_hidden("$group_4"));
        assert!(is_hidden("$session_entry_pathname"));
        assert!(!is_hidden("$host"));
        assert!(!is_hidden("amount"));
    }
}
