//! The reactive side of renaming on the group types screen: the edits, their validation,
//! the one save request and what its answer means for the edits.

use leptos::prelude::*;
use posthog_groups::{ApiError, GroupType, GroupTypeNames};

use crate::api;
use crate::browser;
use crate::state::connection::Connection;
use crate::state::rename::{
    changed_rows, names_text, plan, Edits, NameErrors, NameField, RenamePlan,
};

type SaveResult = (Vec<u32>, Result<Option<Vec<GroupType>>, ApiError>);

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
    save: Action<Vec<GroupTypeNames>, SaveResult>,
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
        let save = Action::new_local(move |rows: &Vec<GroupTypeNames>| {
            let (conn, rows) = (connection.get_value(), rows.clone());
            let indexes = rows.iter().map(|r| r.group_type_index).collect();
            async move { (indexes, api::update_metadata(&conn, &rows).await) }
        });
        let session = RenameSession {
            edits,
            planned,
            changed,
            review_open: RwSignal::new(false),
            save_error: RwSignal::new(None),
            refused: RwSignal::new(None),
            save,
        };
        Effect::new(move |_| {
            let Some((indexes, result)) = save.value().get() else {
                return;
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

    /// Drops every edit and the messages about them.
    pub fn discard(&self) {
        self.edits.set(Edits::new());
        self.save_error.set(None);
        self.refused.set(None);
    }

    /// Forgets the edits of a row that no longer exists.
    pub fn drop_row(&self, index: u32) {
        self.edits.update(|e| {
            e.remove(&index);
        });
    }
}
