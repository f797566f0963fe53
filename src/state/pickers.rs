//! The metric editor's pickers: which list each input offers, how a search of it is answered
//! (one page of choices), what the status line says, and what the editor knows of the names
//! typed (seen in the project or not), shared by every picker of one form.

use std::collections::HashMap;

use leptos::prelude::*;
use posthog_groups::capability::{Access, PICKER_SCOPES};
use posthog_groups::definitions::PICKER_PAGE;
use posthog_groups::{ApiError, Connection};

use crate::api::pickers as api;
use crate::browser;
use crate::state::connection::Session;
use crate::state::group_search::Search;

/// Which list a picker offers.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// The project's events (`event_definitions/`).
    Events,
    /// Event properties, those seen with `events` first; numeric ones only when `numerical`.
    Properties {
        /// The events the metric counts.
        events: Vec<String>,
        /// Only numbers (the property to sum).
        numerical: bool,
    },
    /// The project's actions, by name (`actions/`).
    Actions,
    /// Data-warehouse tables.
    Tables,
    /// The columns of the data-warehouse table named `table`.
    Columns {
        /// The table's name, as typed in the table input.
        table: String,
    },
}

/// What a search's answer is about: names known per kind (events, numeric properties).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Event names.
    Event,
    /// Numeric event properties.
    Numeric,
    /// Anything else (no flag is shown for it).
    Other,
}

impl Source {
    /// Its place in [`posthog_groups::Capabilities`]' `pickers` (and [`PICKER_SCOPES`]).
    fn slot(&self) -> usize {
        match self {
            Source::Events => 0,
            Source::Properties { .. } => 1,
            Source::Actions => 2,
            Source::Tables | Source::Columns { .. } => 3,
        }
    }

    /// The scope that turns this picker on.
    pub fn scope(&self) -> &'static str {
        PICKER_SCOPES[self.slot()]
    }

    /// What it lists, singular and plural.
    pub fn nouns(&self) -> (&'static str, &'static str) {
        match self {
            Source::Events => ("event", "events"),
            Source::Properties {
                numerical: true, ..
            } => ("numeric property", "numeric properties"),
            Source::Properties { .. } => ("property", "properties"),
            Source::Actions => ("action", "actions"),
            Source::Tables => ("table", "tables"),
            Source::Columns { .. } => ("column", "columns"),
        }
    }

    /// Which names a search of it tells about.
    pub fn kind(&self) -> Kind {
        match self {
            Source::Events => Kind::Event,
            Source::Properties {
                numerical: true, ..
            } => Kind::Numeric,
            _ => Kind::Other,
        }
    }
}

/// One option of a picker.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    /// What choosing it stores (a name, a key, an action's id).
    pub value: String,
    /// What the list and the box show.
    pub label: String,
    /// A second, quieter text beside it ("last seen 3 days ago", a type).
    pub detail: String,
}

/// One page of a search.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    /// The choices, in the server's order.
    pub choices: Vec<Choice>,
    /// More can be had from the next offset.
    pub more: bool,
}

impl Found {
    /// Whether `text` is itself one of the choices (exactly, as PostHog matches names).
    pub fn has(&self, text: &str) -> bool {
        self.choices.iter().any(|c| c.value == text)
    }
}

fn page_of<T>(page: posthog_groups::Page<T>, choice: impl Fn(T) -> Choice) -> Found {
    let more = page.next.is_some() && !page.results.is_empty();
    Found {
        choices: page.results.into_iter().map(choice).collect(),
        more,
    }
}

/// Whether `name` holds every space-separated word of `search`, ignoring case: PostHog's
/// rule, for the lists filtered here (actions, a table's columns).
pub fn matches(search: &str, name: &str) -> bool {
    let name = name.to_lowercase();
    search
        .split_whitespace()
        .all(|w| name.contains(&w.to_lowercase()))
}

/// A page of a list filtered here.
fn local_page(all: Vec<Choice>, search: &str, offset: u64) -> Found {
    let mut hits = all
        .into_iter()
        .filter(|c| matches(search, &c.label) || c.value == search.trim());
    let skip = usize::try_from(offset).unwrap_or(usize::MAX);
    let take = PICKER_PAGE as usize;
    let choices: Vec<Choice> = hits.by_ref().skip(skip).take(take).collect();
    Found {
        more: hits.next().is_some(),
        choices,
    }
}

/// The detail of a property: its type, and whether it was seen with the metric's events.
fn property_detail(kind: Option<&str>, seen: Option<bool>) -> String {
    let kind = kind.unwrap_or("type unknown");
    match seen {
        Some(true) => format!("{kind} · seen with these events"),
        Some(false) => format!("{kind} · not seen with these events"),
        None => kind.to_owned(),
    }
}

/// One page of `source`'s choices for `text`, from `offset`.
pub async fn search(
    conn: &Connection,
    source: &Source,
    text: &str,
    offset: u64,
) -> Result<Found, ApiError> {
    let text = text.trim();
    Ok(match source {
        Source::Events => {
            let now = browser::now_ms();
            page_of(api::event_definitions(conn, text, offset).await?, |e| {
                Choice {
                    detail: e.last_seen(now),
                    label: e.name.clone(),
                    value: e.name,
                }
            })
        }
        Source::Properties { events, numerical } => {
            let page = api::property_definitions(conn, text, events, *numerical, offset).await?;
            page_of(page, |p| Choice {
                detail: property_detail(
                    p.property_type.as_deref(),
                    p.is_seen_on_filtered_events.filter(|_| !events.is_empty()),
                ),
                label: p.name.clone(),
                value: p.name,
            })
        }
        Source::Actions => {
            let all = api::actions(conn).await?.into_iter().map(|a| Choice {
                value: a.id.to_string(),
                detail: format!("action {}", a.id),
                label: if a.name.trim().is_empty() {
                    format!("Action {}", a.id)
                } else {
                    a.name
                },
            });
            local_page(all.collect(), text, offset)
        }
        Source::Tables => page_of(api::warehouse_tables(conn, text, 0).await?, |t| {
            let n = t.columns.len();
            Choice {
                detail: if n == 1 {
                    "1 column".into()
                } else {
                    format!("{n} columns")
                },
                label: t.name.clone(),
                value: t.name,
            }
        }),
        Source::Columns { table } => {
            let table = table.trim();
            if table.is_empty() {
                return Ok(Found {
                    choices: Vec::new(),
                    more: false,
                });
            }
            let page = api::warehouse_tables(conn, table, 0).await?;
            let columns = page
                .results
                .into_iter()
                .find(|t| t.name == table)
                .map(|t| t.columns)
                .unwrap_or_default()
                .into_iter()
                .map(|c| Choice {
                    detail: c.kind.unwrap_or_else(|| "type unknown".into()),
                    label: c.key.clone(),
                    value: c.key,
                });
            local_page(columns.collect(), text, offset)
        }
    })
}

/// The project's actions' names by id (one read, kept like any other).
pub async fn action_names(conn: &Connection) -> Result<HashMap<i64, String>, ApiError> {
    Ok(api::actions(conn)
        .await?
        .into_iter()
        .filter(|a| !a.name.trim().is_empty())
        .map(|a| (a.id, a.name))
        .collect())
}

/// What the metric's page says of its events and actions, read from the project's
/// definitions where the key may list them: the events never seen, and the actions' names.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Known {
    /// Event names of the metric the project has not seen (each flagged).
    pub unseen_events: Vec<String>,
    /// The metric's actions as "name (action id)", in its order; by id alone when the
    /// actions could not be read.
    pub actions: Vec<String>,
}

/// Reads what [`Known`] says of `filters` with `conn`: one `names=` read when the metric has
/// events, one `actions/` read when it has actions; each only when the key may (`access`).
/// A read that fails leaves its part empty: the page shows what it stores either way.
pub async fn known_of(
    conn: &Connection,
    access: &[Access; 4],
    filters: &posthog_groups::Filters,
) -> Known {
    let may = |slot: usize| !access[slot].refused();
    let events: Vec<&str> = filters
        .event_names()
        .into_iter()
        .filter(|n| !n.trim().is_empty())
        .collect();
    let ids: Vec<i64> = filters
        .0
        .get("actions")
        .and_then(serde_json::Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|a| a.get("id").and_then(serde_json::Value::as_i64))
                .collect()
        })
        .unwrap_or_default();
    let (seen, names) = futures::join!(
        async {
            if events.is_empty() || !may(0) {
                return None;
            }
            api::events_named(conn, &events).await.ok()
        },
        async {
            if ids.is_empty() || !may(2) {
                return None;
            }
            action_names(conn).await.ok()
        }
    );
    let mut unseen_events: Vec<String> = seen
        .map(|seen| {
            events
                .iter()
                .filter(|n| !seen.iter().any(|e| e.name == **n))
                .map(|n| (*n).to_owned())
                .collect()
        })
        .unwrap_or_default();
    unseen_events.dedup();
    let actions = ids
        .iter()
        .map(|id| match names.as_ref().map(|n| n.get(id)) {
            Some(Some(n)) => format!("{n} (action {id})"),
            Some(None) => format!("action {id}, not in the project's actions"),
            None => format!("action {id}"),
        })
        .collect();
    Known {
        unseen_events,
        actions,
    }
}

/// The status line under a picker: what to do next, or why nothing is listed.
pub fn status(search: &Search, text: &str, source: &Source) -> String {
    let (singular, plural) = source.nouns();
    let text = text.trim();
    match (search, source) {
        (Search::Idle, _) => String::new(),
        (Search::Loading, _) => "Searching…".into(),
        (Search::Done { shown: 0, .. }, Source::Columns { table }) if table.trim().is_empty() => {
            "Choose the table first: its columns are listed here.".into()
        }
        (Search::Done { shown: 0, .. }, Source::Columns { table }) if text.is_empty() => {
            format!(
                "No table named “{}” is known, so no columns are listed.",
                table.trim()
            )
        }
        (Search::Done { shown: 0, .. }, _) if text.is_empty() => {
            format!("No {plural} in this project yet. You can still type a name.")
        }
        (Search::Done { shown: 0, .. }, _) => {
            format!("No {singular} matches “{text}”. You can keep it as typed.")
        }
        (Search::Done { shown, more }, _) => {
            let what = if *shown == 1 { singular } else { plural };
            let more = if *more { ", more below" } else { "" };
            format!("{shown} {what} listed{more}. Use the arrow keys, then Enter to choose.")
        }
        (Search::Failed(why), _) => {
            format!("The {plural} could not be listed: {why} What you typed is kept.")
        }
    }
}

/// Why a picker is a plain input: the key lacks `scope`.
pub fn off_note(source: &Source) -> String {
    let (_, plural) = source.nouns();
    format!(
        "Typed, not picked: listing the project's {plural} needs the scope {}.",
        source.scope()
    )
}

/// The flag on a name the project has not seen, by what it names.
pub fn unseen(kind: Kind, name: &str) -> Option<String> {
    match kind {
        Kind::Event => Some(format!(
            "No event named “{name}” has been seen in this project: the metric would count 0 until one is sent."
        )),
        Kind::Numeric => Some(format!(
            "No numeric event property named “{name}” has been seen in this project: PostHog sums only numbers."
        )),
        Kind::Other => None,
    }
}

/// What one metric form's pickers share: the connection, what the key may do, and the names
/// known to be seen (or not) in the project, learned from every search.
#[derive(Clone, Copy)]
pub struct Pickers {
    conn: StoredValue<Connection>,
    access: Memo<Option<[Access; 4]>>,
    /// Set when a list answered that the key lacks its scope (known only then where the
    /// instance has no key record).
    refused: RwSignal<[bool; 4]>,
    known: RwSignal<HashMap<(Kind, String), bool>>,
}

impl Pickers {
    /// The pickers of a form on `conn`. `events` are the names the form opens with: one
    /// `names=` read tells which of them the project has seen.
    pub fn new(conn: StoredValue<Connection>, mut events: Vec<String>) -> Pickers {
        events.retain(|n| !n.trim().is_empty());
        let session = Session::expect();
        let caps = LocalResource::new(move || async move {
            session.capabilities_for(&conn.get_value(), false).await
        });
        let access = Memo::new(move |_| {
            let known = session.capabilities.with(|c| {
                c.as_ref()
                    .filter(|(c, _)| *c == conn.get_value())
                    .map(|(_, caps)| caps.pickers.clone())
            });
            known.or_else(|| caps.get().flatten().map(|c| c.pickers))
        });
        let pickers = Pickers {
            conn,
            access,
            refused: RwSignal::new([false; 4]),
            known: RwSignal::new(HashMap::new()),
        };
        if !events.is_empty() {
            // Once what the key may do is known, and only if it may list events.
            Effect::new(move |done: Option<bool>| {
                if done == Some(true) || pickers.state(&Source::Events) != Some(true) {
                    return done.unwrap_or(false);
                }
                let names = events.clone();
                leptos::task::spawn_local(async move {
                    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                    if let Ok(seen) = api::events_named(&conn.get_value(), &refs).await {
                        let _ = pickers.known.try_update(|k| {
                            for n in &names {
                                let hit = seen.iter().any(|e| e.name == *n);
                                k.insert((Kind::Event, n.clone()), hit);
                            }
                        });
                    }
                });
                true
            });
        }
        pickers
    }

    /// The connection the pickers read with.
    pub fn connection(&self) -> Connection {
        self.conn.get_value()
    }

    /// Whether `source`'s picker is on (`Some(true)`), off for want of its scope
    /// (`Some(false)`), or not known yet (`None`: the picker is offered, and a refused search
    /// turns it off). Tracked.
    pub fn state(&self, source: &Source) -> Option<bool> {
        let slot = source.slot();
        if self.refused.with(|r| r[slot]) {
            return Some(false);
        }
        self.access.with(|a| {
            a.as_ref()
                .map(|a| !matches!(a[slot], Access::MissingScope(_)))
        })
    }

    /// Turns `source`'s picker off: its list answered that the key lacks the scope.
    pub fn refuse(&self, source: &Source) {
        let slot = source.slot();
        self.refused.update(|r| r[slot] = true);
    }

    /// Records what a search for `text` told: whether it is a listed name.
    pub fn learn(&self, kind: Kind, text: &str, seen: bool) {
        if kind != Kind::Other && !text.trim().is_empty() {
            let key = (kind, text.trim().to_owned());
            if self.known.with_untracked(|k| k.get(&key) != Some(&seen)) {
                self.known.update(|k| {
                    k.insert(key, seen);
                });
            }
        }
    }

    /// The flag for `text` when it is known not to be seen (tracked).
    pub fn flag(&self, kind: Kind, text: &str) -> Option<String> {
        if text.trim().is_empty() {
            return None;
        }
        let key = (kind, text.trim().to_owned());
        let unseen_known = self.known.with(|k| k.get(&key) == Some(&false));
        unseen_known.then(|| unseen(kind, text.trim())).flatten()
    }

    /// Whether `kind`'s name `text` has been looked up (seen or not). Untracked.
    pub fn looked_up(&self, kind: Kind, text: &str) -> bool {
        let key = (kind, text.trim().to_owned());
        self.known.with_untracked(|k| k.contains_key(&key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(v: &str) -> Choice {
        Choice {
            value: v.into(),
            label: v.into(),
            detail: String::new(),
        }
    }

    #[test]
    fn local_lists_match_every_word_and_page() {
        assert!(matches("TASK compl", "Completed a task"));
        assert!(!matches("task ticket", "Completed a task"));
        assert!(matches("  ", "anything"));
        let all: Vec<Choice> = (0..120).map(|i| choice(&format!("c{i}"))).collect();
        let first = local_page(all.clone(), "", 0);
        assert_eq!(first.choices.len(), 50);
        assert!(first.more);
        let last = local_page(all.clone(), "", 100);
        assert_eq!(last.choices.len(), 20);
        assert!(!last.more);
        let one = local_page(all, "c11", 0);
        assert_eq!(
            one.choices
                .iter()
                .map(|c| c.value.as_str())
                .collect::<Vec<_>>(),
            [
                "c11", "c110", "c111", "c112", "c113", "c114", "c115", "c116", "c117", "c118",
                "c119"
            ]
        );
        assert!(one.has("c11") && !one.has("c1"));
    }

    #[test]
    fn status_lines_say_what_to_do() {
        let events = Source::Events;
        let done = |shown, more| Search::Done { shown, more };
        assert_eq!(status(&Search::Idle, "x", &events), "");
        assert_eq!(
            status(&done(0, false), "paid_bil", &events),
            "No event matches “paid_bil”. You can keep it as typed."
        );
        assert_eq!(
            status(&done(3, true), "paid", &events),
            "3 events listed, more below. Use the arrow keys, then Enter to choose."
        );
        assert_eq!(
            status(
                &Search::Failed("The server answered 500.".into()),
                "paid",
                &events
            ),
            "The events could not be listed: The server answered 500. What you typed is kept."
        );
        let columns = Source::Columns { table: " ".into() };
        assert_eq!(
            status(&done(0, false), "", &columns),
            "Choose the table first: its columns are listed here."
        );
        let sum = Source::Properties {
            events: vec![],
            numerical: true,
        };
        assert_eq!(sum.kind(), Kind::Numeric);
        assert_eq!(
            off_note(&sum),
            "Typed, not picked: listing the project's numeric properties needs the scope property_definition:read."
        );
        assert!(unseen(Kind::Event, "paid_bil")
            .unwrap()
            .starts_with("No event named “paid_bil” has been seen in this project"));
        assert_eq!(unseen(Kind::Other, "x"), None);
    }

    #[test]
    fn a_property_says_whether_it_was_seen_with_the_events() {
        assert_eq!(
            property_detail(Some("Numeric"), Some(true)),
            "Numeric · seen with these events"
        );
        assert_eq!(
            property_detail(None, Some(false)),
            "type unknown · not seen with these events"
        );
        assert_eq!(property_detail(Some("String"), None), "String");
    }
}
