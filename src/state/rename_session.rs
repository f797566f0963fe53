//! The reactive side of renaming on the group types screen: the edits, their validation,
//! the one save request and what its answer means for the edits.

use std::collections::BTreeMap;

use leptos::prelude::*;
use posthog_groups::merge::Side;
use posthog_groups::{ApiError, GroupType, GroupTypeNames};

use crate::api;
use crate::browser;
use crate::state::connection::Connection;
use crate::state::rename::{
    changed_rows, check_rows, names_text, plan, rebase, Bases, Edits, NameConflict, NameErrors,
    NameField, RenameCheck, RenamePlan,
};

/// What a save came to.
#[derive(Clone)]
enum Outcome {
    /// The rows sent (by index) and the server's answer; a failed read of the list comes
    /// with no rows.
    Answered(Vec<u32>, Result<Option<Vec<GroupType>>, ApiError>),
    /// Names both sides changed, with the list read: nothing was sent.
    Conflicts(Vec<NameConflict>, Vec<GroupType>),
    /// Group types deleted since the page loaded: nothing was sent.
    Gone(Vec<String>),
}

/// Everything the rename UI reads and does; `Copy`, so closures can share it freely.
#[derive(Clone, Copy)]
pub struct RenameSession {
    /// The inputs as typed, by group type index.
    pub edits: RwSignal<Edits>,
    /// The validated request and review diff, or the messages of invalid fields.
    pub planned: Memo<Result<RenamePlan, NameErrors>>,
    /// How many group types have edits.
    pub changed: Memo<usize>,
    /// Whether the review dialog is open.
    pub review_open: RwSignal<bool>,
    /// The last save's failure, other than the refusal below.
    pub save_error: RwSignal<Option<ApiError>>,
    /// Set when the instance refuses personal keys for renaming: the names to paste in PostHog.
    pub refused: RwSignal<Option<String>>,
    /// Names renamed elsewhere and edited here, with the list read: shown to be settled.
    pub conflicts: RwSignal<Option<(Vec<NameConflict>, Vec<GroupType>)>>,
    /// Group types deleted since the page loaded that have edits here.
    pub gone: RwSignal<Option<Vec<String>>>,
    /// Each edited row as it was shown when its first edit was typed: what a save merges
    /// from (filled by the table).
    pub bases: RwSignal<Bases>,
    save: Action<Vec<GroupTypeNames>, Outcome>,
}

/// The DOM id of a name input, shared with the table that renders it.
pub fn input_id(index: u32, field: NameField) -> String {
    let which = match field {
        NameField::Singular => "singular",
        NameField::Plural => "plural",
    };
    format!("name-{index}-{which}")
}

impl RenameSession {
    /// Starts a session over `current` (the server's list); `on_saved` gets the indexes of
    /// the rows saved (the list the server returned is kept by the read layer).
    pub fn new(
        connection: StoredValue<Connection>,
        current: Memo<Vec<GroupType>>,
        on_saved: impl Fn(Vec<u32>) + 'static,
    ) -> RenameSession {
        let edits = RwSignal::new(Edits::new());
        let planned = Memo::new(move |_| current.with(|list| edits.with(|e| plan(list, e))));
        let changed =
            Memo::new(move |_| current.with(|list| edits.with(|e| changed_rows(list, e).len())));
        // Filled by the table as each row's first edit is typed (the row as the user saw
        // it); a row whose edits are gone (saved, discarded) drops its base.
        let bases = RwSignal::new(Bases::new());
        Effect::new(move |_| {
            let edited: Vec<u32> = edits.with(|e| e.keys().copied().collect());
            if bases.with_untracked(|b| b.keys().any(|i| !edited.contains(i))) {
                bases.update(|b| b.retain(|i, _| edited.contains(i)));
            }
        });
        let save = Action::new_local(move |rows: &Vec<GroupTypeNames>| {
            let (conn, rows) = (connection.get_value(), rows.clone());
            let bases = bases.get_untracked();
            async move {
                // The API has no version: the list is read again and merged before sending.
                let now = match api::list_group_types(&conn).await {
                    Ok(now) => now,
                    Err(e) => return Outcome::Answered(Vec::new(), Err(e)),
                };
                match check_rows(&bases, &now, &rows) {
                    RenameCheck::Conflicts(c) => Outcome::Conflicts(c, now),
                    RenameCheck::Gone(keys) => Outcome::Gone(keys),
                    // The server already holds every name: nothing to send (an empty
                    // request would be the rename probe).
                    RenameCheck::Send(rows) if rows.is_empty() => {
                        Outcome::Answered(Vec::new(), Ok(Some(now)))
                    }
                    RenameCheck::Send(rows) => {
                        let indexes = rows.iter().map(|r| r.group_type_index).collect();
                        Outcome::Answered(indexes, api::update_metadata(&conn, &rows).await)
                    }
                }
            }
        });
        let session = RenameSession {
            edits,
            planned,
            changed,
            review_open: RwSignal::new(false),
            save_error: RwSignal::new(None),
            refused: RwSignal::new(None),
            conflicts: RwSignal::new(None),
            gone: RwSignal::new(None),
            bases,
            save,
        };
        Effect::new(move |_| {
            let (indexes, result) = match save.value().get() {
                None => return,
                Some(Outcome::Conflicts(c, now)) => {
                    session.conflicts.set(Some((c, now)));
                    browser::focus_id_after_render("conflicts-title");
                    return;
                }
                Some(Outcome::Gone(keys)) => {
                    session.gone.set(Some(keys));
                    return;
                }
                Some(Outcome::Answered(indexes, result)) => (indexes, result),
            };
            match result {
                Ok(_) => {
                    edits.set(Edits::new());
                    on_saved(indexes);
                }
                // Every failure keeps the edits; this one also explains where renaming works.
                Err(ApiError::PersonalKeyNotAllowed) => {
                    session.refused.set(Some(current.with(|list| {
                        planned
                            .with(|p| p.as_ref().map(|p| names_text(list, p)).unwrap_or_default())
                    })))
                }
                Err(e) => session.save_error.set(Some(e)),
            }
        });
        session
    }

    /// True while the save request is in flight.
    pub fn saving(&self) -> Signal<bool> {
        self.save.pending().into()
    }

    /// Messages of invalid inputs, shown live under them.
    pub fn name_errors(&self) -> Signal<NameErrors> {
        let planned = self.planned;
        Signal::derive(move || planned.with(|p| p.as_ref().err().cloned().unwrap_or_default()))
    }

    fn focus_first_invalid(&self) -> bool {
        let first = self
            .planned
            .with(|p| p.as_ref().err().and_then(|e| e.keys().next().copied()));
        if let Some((index, field)) = first {
            browser::focus_id(&input_id(index, field));
        }
        first.is_some()
    }

    /// Sends the changed rows in one request, or moves focus to the first invalid input.
    pub fn save(&self) {
        if self.focus_first_invalid() {
            return;
        }
        if let Ok(p) = self.planned.get_untracked() {
            if !p.rows.is_empty() {
                self.review_open.set(false);
                self.save_error.set(None);
                self.refused.set(None);
                self.conflicts.set(None);
                self.gone.set(None);
                self.save.dispatch(p.rows);
            }
        }
    }

    /// Opens the review, unless an input is invalid (then focuses it).
    pub fn review(&self) {
        if !self.focus_first_invalid() {
            self.review_open.set(true);
        }
    }

    /// Settles the conflicts shown with the sides chosen (by conflict key), then saves
    /// again: the inputs take the server's names where chosen, and the list read becomes
    /// the base, so the save reads again and still catches a change made since.
    pub fn settle(&self, choices: BTreeMap<String, Side>) {
        let Some((_, now)) = self.conflicts.get_untracked() else {
            return;
        };
        let mut edits = self.edits.get_untracked();
        let mut bases = self.bases.get_untracked();
        rebase(&mut edits, &mut bases, &now, |key| {
            choices.get(key).copied().unwrap_or(Side::Mine)
        });
        self.bases.set(bases);
        self.edits.set(edits);
        self.conflicts.set(None);
        self.save();
    }

    /// Drops every edit and the messages about them.
    pub fn discard(&self) {
        self.edits.set(Edits::new());
        self.save_error.set(None);
        self.refused.set(None);
        self.conflicts.set(None);
        self.gone.set(None);
    }

    /// Forgets the edits of a row that no longer exists.
    pub fn drop_row(&self, index: u32) {
        self.edits.update(|e| {
            e.remove(&index);
        });
    }
}
