//! Pure logic of renaming group types: what the user changed, whether it is valid, the one
//! `update_metadata` request that carries only the changed rows, and the review diff.

use std::collections::BTreeMap;

use posthog_groups::validate::group_type_name;
use posthog_groups::{GroupType, GroupTypeNames};

/// Which of the two display names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NameField {
    /// `name_singular`.
    Singular,
    /// `name_plural`.
    Plural,
}

impl NameField {
    /// Label for people.
    pub fn label(self) -> &'static str {
        match self {
            NameField::Singular => "Singular name",
            NameField::Plural => "Plural name",
        }
    }
}

/// The two inputs of one row, exactly as typed (nothing typed is ever rewritten).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameEdit {
    /// Singular input text.
    pub singular: String,
    /// Plural input text.
    pub plural: String,
}

impl NameEdit {
    /// What the inputs show before any edit: the custom names, or empty for defaults.
    pub fn from_group_type(g: &GroupType) -> NameEdit {
        NameEdit {
            singular: g.name_singular.clone().unwrap_or_default(),
            plural: g.name_plural.clone().unwrap_or_default(),
        }
    }

    /// The text of one field.
    pub fn get(&self, field: NameField) -> &str {
        match field {
            NameField::Singular => &self.singular,
            NameField::Plural => &self.plural,
        }
    }

    /// Sets the text of one field.
    pub fn set(&mut self, field: NameField, text: String) {
        match field {
            NameField::Singular => self.singular = text,
            NameField::Plural => self.plural = text,
        }
    }
}

/// Edits by group type index; rows the user never touched are absent.
pub type Edits = BTreeMap<u32, NameEdit>;

/// Messages for invalid inputs, by row and field.
pub type NameErrors = BTreeMap<(u32, NameField), String>;

/// One field that will change, for the review dialog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Group type index.
    pub index: u32,
    /// Group type key, to name the row.
    pub group_type: String,
    /// Which name.
    pub field: NameField,
    /// The name PostHog shows now.
    pub old: String,
    /// The name PostHog will show.
    pub new: String,
    /// True when the new value is the default (the name was cleared).
    pub reset: bool,
}

/// A validated rename: the request rows and the diff to review.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RenamePlan {
    /// One row per changed group type, with both final names.
    pub rows: Vec<GroupTypeNames>,
    /// Every changed field.
    pub changes: Vec<Change>,
}

/// Compares as the server would store it: trimmed, empty meaning "default".
fn loose(text: &str) -> Option<&str> {
    let t = text.trim();
    (!t.is_empty()).then_some(t)
}

fn stored(g: &GroupType, field: NameField) -> Option<&str> {
    match field {
        NameField::Singular => g.name_singular.as_deref(),
        NameField::Plural => g.name_plural.as_deref(),
    }
}

fn shown(g: &GroupType, field: NameField, name: Option<&str>) -> String {
    match (field, name) {
        (_, Some(n)) => n.to_owned(),
        (NameField::Singular, None) => g.group_type.clone(),
        (NameField::Plural, None) => posthog_groups::model::default_plural(&g.group_type),
    }
}

const FIELDS: [NameField; 2] = [NameField::Singular, NameField::Plural];

/// Whether one field of a row differs from what the server has.
pub fn field_changed(g: &GroupType, edit: &NameEdit, field: NameField) -> bool {
    loose(edit.get(field)) != stored(g, field)
}

/// Indexes of rows whose inputs differ from the server's names (valid or not).
pub fn changed_rows(original: &[GroupType], edits: &Edits) -> Vec<u32> {
    original
        .iter()
        .filter(|g| {
            edits
                .get(&g.group_type_index)
                .is_some_and(|e| FIELDS.iter().any(|&f| field_changed(g, e, f)))
        })
        .map(|g| g.group_type_index)
        .collect()
}

/// Validates the edits and builds the request rows and the review diff.
pub fn plan(original: &[GroupType], edits: &Edits) -> Result<RenamePlan, NameErrors> {
    let mut plan = RenamePlan::default();
    let mut errors = NameErrors::new();
    for g in original {
        let Some(edit) = edits.get(&g.group_type_index) else {
            continue;
        };
        if !FIELDS.iter().any(|&f| field_changed(g, edit, f)) {
            continue;
        }
        let mut finals = [None, None];
        for (slot, field) in FIELDS.into_iter().enumerate() {
            match group_type_name(edit.get(field)) {
                Ok(name) => {
                    if field_changed(g, edit, field) {
                        plan.changes.push(Change {
                            index: g.group_type_index,
                            group_type: g.group_type.clone(),
                            field,
                            old: shown(g, field, stored(g, field)),
                            new: shown(g, field, name.as_deref()),
                            reset: name.is_none(),
                        });
                    }
                    finals[slot] = name;
                }
                Err(message) => {
                    errors.insert((g.group_type_index, field), message);
                }
            }
        }
        let [name_singular, name_plural] = finals;
        plan.rows.push(GroupTypeNames {
            group_type_index: g.group_type_index,
            name_singular,
            name_plural,
        });
    }
    if errors.is_empty() {
        Ok(plan)
    } else {
        Err(errors)
    }
}

/// The planned names as plain text, for pasting into PostHog's own settings page.
pub fn names_text(original: &[GroupType], plan: &RenamePlan) -> String {
    plan.rows
        .iter()
        .map(|row| {
            let key = original
                .iter()
                .find(|g| g.group_type_index == row.group_type_index)
                .map_or("?", |g| g.group_type.as_str());
            let name = |n: &Option<String>| n.clone().unwrap_or_else(|| "(default)".into());
            format!(
                "{key}: singular \"{}\", plural \"{}\"",
                name(&row.name_singular),
                name(&row.name_plural)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gt(index: u32, key: &str, singular: Option<&str>, plural: Option<&str>) -> GroupType {
        GroupType {
            group_type: key.into(),
            group_type_index: index,
            name_singular: singular.map(Into::into),
            name_plural: plural.map(Into::into),
            detail_dashboard: None,
            default_columns: None,
            created_at: None,
        }
    }

    fn edit(s: &str, p: &str) -> NameEdit {
        NameEdit {
            singular: s.into(),
            plural: p.into(),
        }
    }

    fn list() -> Vec<GroupType> {
        vec![
            gt(
                0,
                "organization",
                Some("Organization"),
                Some("Organizations"),
            ),
            gt(1, "company", None, None),
            gt(2, "project", Some("Workspace"), None),
        ]
    }

    #[test]
    fn untouched_and_unchanged_rows_are_not_sent() {
        let mut edits = Edits::new();
        edits.insert(0, edit(" Organization ", "Organizations"));
        assert!(changed_rows(&list(), &edits).is_empty());
        assert_eq!(plan(&list(), &edits), Ok(RenamePlan::default()));
    }

    #[test]
    fn only_changed_rows_are_sent_with_both_final_names() {
        let mut edits = Edits::new();
        edits.insert(0, edit("Organization", "Organizations"));
        edits.insert(1, edit("  Company ", ""));
        edits.insert(2, edit("Workspace", "Workspaces"));
        assert_eq!(changed_rows(&list(), &edits), vec![1, 2]);
        let p = plan(&list(), &edits).expect("valid");
        assert_eq!(
            p.rows,
            vec![
                GroupTypeNames {
                    group_type_index: 1,
                    name_singular: Some("Company".into()),
                    name_plural: None
                },
                GroupTypeNames {
                    group_type_index: 2,
                    name_singular: Some("Workspace".into()),
                    name_plural: Some("Workspaces".into())
                },
            ]
        );
        assert_eq!(p.changes.len(), 2);
        assert_eq!(
            (p.changes[0].old.as_str(), p.changes[0].new.as_str()),
            ("company", "Company")
        );
        assert_eq!(
            (p.changes[1].old.as_str(), p.changes[1].new.as_str()),
            ("project(s)", "Workspaces")
        );
    }

    #[test]
    fn clearing_a_name_resets_it_to_the_default() {
        let mut edits = Edits::new();
        edits.insert(0, edit("", "Organizations"));
        let p = plan(&list(), &edits).expect("valid");
        assert_eq!(p.rows[0].name_singular, None);
        assert_eq!(p.rows[0].name_plural.as_deref(), Some("Organizations"));
        let c = &p.changes[0];
        assert!(c.reset);
        assert_eq!(
            (c.old.as_str(), c.new.as_str()),
            ("Organization", "organization")
        );
    }

    #[test]
    fn too_long_names_are_errors_on_their_field() {
        let mut edits = Edits::new();
        edits.insert(1, edit("ok", &"x".repeat(401)));
        let e = plan(&list(), &edits).expect_err("too long");
        assert_eq!(e.len(), 1);
        assert!(e[&(1, NameField::Plural)].contains("400"));
        // Still counted as a change, so the bar shows it and nothing typed is dropped.
        assert_eq!(changed_rows(&list(), &edits), vec![1]);
    }

    #[test]
    fn names_text_lists_the_planned_names() {
        let mut edits = Edits::new();
        edits.insert(1, edit("Company", ""));
        let p = plan(&list(), &edits).expect("valid");
        assert_eq!(
            names_text(&list(), &p),
            "company: singular \"Company\", plural \"(default)\""
        );
    }
}
