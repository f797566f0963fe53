//! Pure logic of renaming group types: what the user changed, whether it is valid, the one
//! `update_metadata` request that carries only the changed rows, and the review diff.

use std::collections::BTreeMap;

use posthog_groups::merge::{three_way, ConflictItem, FieldMerge, Side};
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

/// Each edited row as it was shown when its first edit was typed, by index.
pub type Bases = BTreeMap<u32, GroupType>;

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

/// One name both sides changed: renamed elsewhere since the page loaded, and edited here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameConflict {
    /// Group type index.
    pub index: u32,
    /// Group type key, to name the row.
    pub group_type: String,
    /// Which name.
    pub field: NameField,
    /// The name shown when the page loaded.
    pub base: String,
    /// The name on the server now.
    pub theirs: String,
    /// The name typed here.
    pub mine: String,
    /// The server's stored value (`None`: the default), put in the input when kept.
    pub theirs_value: Option<String>,
}

impl NameConflict {
    /// The conflict's key: the DOM id stem of its choice.
    pub fn key(index: u32, field: NameField) -> String {
        let which = match field {
            NameField::Singular => "singular",
            NameField::Plural => "plural",
        };
        format!("conflict-{index}-{which}")
    }

    /// As the conflict view shows it.
    pub fn item(&self) -> ConflictItem {
        ConflictItem {
            key: NameConflict::key(self.index, self.field),
            label: format!("{} of {}", self.field.label(), self.group_type),
            base: self.base.clone(),
            theirs: self.theirs.clone(),
            mine: self.mine.clone(),
            paths: Vec::new(),
            code: false,
        }
    }
}

/// What the list read again just before saving says about the rows to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenameCheck {
    /// The rows to send: each edited row with the user's names merged over the server's
    /// (a name renamed elsewhere and left alone here is kept). Rows the server already holds
    /// are left out.
    Send(Vec<GroupTypeNames>),
    /// Names both sides changed: nothing is sent until each is settled.
    Conflicts(Vec<NameConflict>),
    /// Group types (by key) deleted since the page loaded: renaming them would fail.
    Gone(Vec<String>),
}

/// Merges `mine` (the planned rows) with `now` (the list read just before saving), each row
/// against `bases` (the row as it was when its first edit was typed; a row with no base is
/// taken as the server has it now).
pub fn check_rows(
    bases: &BTreeMap<u32, GroupType>,
    now: &[GroupType],
    mine: &[GroupTypeNames],
) -> RenameCheck {
    let (mut send, mut conflicts, mut gone) = (Vec::new(), Vec::new(), Vec::new());
    for row in mine {
        let index = row.group_type_index;
        let base = bases.get(&index);
        let theirs = now.iter().find(|g| {
            g.group_type_index == index && base.is_none_or(|b| b.group_type == g.group_type)
        });
        let Some(theirs) = theirs else {
            gone.push(base.map_or_else(|| index.to_string(), |b| b.group_type.clone()));
            continue;
        };
        let base = base.unwrap_or(theirs);
        let mut merged = [None, None];
        for (slot, field) in FIELDS.into_iter().enumerate() {
            let mine_value = match field {
                NameField::Singular => row.name_singular.clone(),
                NameField::Plural => row.name_plural.clone(),
            };
            let (b, t) = (
                stored(base, field).map(str::to_owned),
                stored(theirs, field).map(str::to_owned),
            );
            match three_way(&b, &t, &mine_value) {
                FieldMerge::Conflict {
                    base: b,
                    theirs: t,
                    mine: m,
                } => {
                    conflicts.push(NameConflict {
                        index,
                        group_type: theirs.group_type.clone(),
                        field,
                        base: shown(base, field, b.as_deref()),
                        theirs: shown(theirs, field, t.as_deref()),
                        mine: shown(theirs, field, m.as_deref()),
                        theirs_value: t,
                    });
                }
                other => merged[slot] = other.value(),
            }
        }
        let [name_singular, name_plural] = merged;
        let unchanged = name_singular.as_deref() == stored(theirs, NameField::Singular)
            && name_plural.as_deref() == stored(theirs, NameField::Plural);
        if !unchanged {
            send.push(GroupTypeNames {
                group_type_index: index,
                name_singular,
                name_plural,
            });
        }
    }
    if !gone.is_empty() {
        RenameCheck::Gone(gone)
    } else if !conflicts.is_empty() {
        RenameCheck::Conflicts(conflicts)
    } else {
        RenameCheck::Send(send)
    }
}

/// What changed in a group type's names from `before` to `after`, one line per name
/// ("Singular name: Organization → Org"): what a delete asks again about.
pub fn name_changes(before: &GroupType, after: &GroupType) -> Vec<String> {
    FIELDS
        .into_iter()
        .filter(|&f| stored(before, f) != stored(after, f))
        .map(|f| {
            format!(
                "{}: {} → {}",
                f.label(),
                shown(before, f, stored(before, f)),
                shown(after, f, stored(after, f))
            )
        })
        .collect()
}

/// After the user settled the conflicts of a save: every edited row takes the server's
/// version `now` as its new base, and its inputs are brought up to date with it (a name
/// renamed elsewhere and left alone here is put in the input; a conflict gets the side
/// `choose` picks for its key), so that the next save merges from there and overwrites
/// nothing the user did not choose to.
pub fn rebase(
    edits: &mut Edits,
    bases: &mut BTreeMap<u32, GroupType>,
    now: &[GroupType],
    choose: impl Fn(&str) -> Side,
) {
    for (index, edit) in edits.iter_mut() {
        let Some(theirs) = now.iter().find(|g| g.group_type_index == *index) else {
            continue;
        };
        let base = bases.get(index).unwrap_or(theirs).clone();
        if base.group_type != theirs.group_type {
            continue;
        }
        for field in FIELDS {
            let take = match three_way(
                &stored(&base, field),
                &stored(theirs, field),
                &loose(edit.get(field)),
            ) {
                FieldMerge::Theirs(_) => true,
                FieldMerge::Conflict { .. } => {
                    choose(&NameConflict::key(*index, field)) == Side::Theirs
                }
                _ => false,
            };
            if take {
                edit.set(field, stored(theirs, field).unwrap_or_default().to_owned());
            }
        }
        bases.insert(*index, theirs.clone());
    }
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

    /// Every row of [`list`] as the base of an edit.
    fn bases_of_list() -> Bases {
        list()
            .into_iter()
            .map(|g| (g.group_type_index, g))
            .collect()
    }

    /// [`list`] after another user renamed organization's plural and company's singular.
    fn renamed_elsewhere() -> Vec<GroupType> {
        let mut now = list();
        now[0].name_plural = Some("Orgs".into());
        now[1].name_singular = Some("Account".into());
        now
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

    #[test]
    fn a_name_renamed_elsewhere_is_kept_or_is_a_conflict() {
        let bases = bases_of_list();
        // Elsewhere: organization's plural and company's singular were renamed.
        let now = renamed_elsewhere();
        // Here: organization's singular was edited (its plural input still shows the old name).
        let mut edits = Edits::new();
        edits.insert(0, edit("Org", "Organizations"));
        let mine = plan(&list(), &edits).unwrap().rows;
        assert_eq!(
            check_rows(&bases, &now, &mine),
            RenameCheck::Send(vec![GroupTypeNames {
                group_type_index: 0,
                name_singular: Some("Org".into()),
                name_plural: Some("Orgs".into()),
            }]),
            "only the edited row, with the plural renamed elsewhere kept"
        );

        // The same name renamed on both sides, differently: a conflict, and nothing to send.
        edits.insert(1, edit("Customer", ""));
        let mine = plan(&list(), &edits).unwrap().rows;
        let RenameCheck::Conflicts(c) = check_rows(&bases, &now, &mine) else {
            panic!("expected a conflict");
        };
        assert_eq!(c.len(), 1);
        assert_eq!(
            (
                c[0].index,
                c[0].field,
                c[0].base.as_str(),
                c[0].theirs.as_str(),
                c[0].mine.as_str()
            ),
            (1, NameField::Singular, "company", "Account", "Customer")
        );
        assert_eq!(c[0].theirs_value.as_deref(), Some("Account"));
        assert_eq!(c[0].item().label, "Singular name of company");

        // Both renamed it to the same name: no conflict, and the row need not be sent.
        edits.insert(1, edit("Account", ""));
        edits.remove(&0);
        let mine = plan(&list(), &edits).unwrap().rows;
        assert_eq!(check_rows(&bases, &now, &mine), RenameCheck::Send(vec![]));

        // Deleted meanwhile (or its index taken by another type): said, not sent.
        let mut other = now.clone();
        other[1].group_type = "team".into();
        assert_eq!(
            check_rows(&bases, &other, &mine),
            RenameCheck::Gone(vec!["company".into()])
        );
    }

    #[test]
    fn settling_takes_the_servers_names_into_the_inputs() {
        let mut bases = bases_of_list();
        let now = renamed_elsewhere();
        let mut edits = Edits::new();
        edits.insert(0, edit("Org", "Organizations"));
        edits.insert(1, edit("Customer", ""));
        rebase(&mut edits, &mut bases, &now, |key| {
            assert_eq!(key, "conflict-1-singular");
            Side::Mine
        });
        assert_eq!(
            edits[&0],
            edit("Org", "Orgs"),
            "renamed elsewhere, left alone here"
        );
        assert_eq!(edits[&1], edit("Customer", ""), "the side chosen");
        assert_eq!(bases[&1], now[1]);
        // From the new base, the next save sends the user's names over the server's.
        let mine = plan(&now, &edits).unwrap().rows;
        let RenameCheck::Send(rows) = check_rows(&bases, &now, &mine) else {
            panic!("no conflict once settled");
        };
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].name_plural.as_deref(), Some("Orgs"));
        assert_eq!(rows[1].name_singular.as_deref(), Some("Customer"));

        let mut edits = Edits::new();
        edits.insert(1, edit("Customer", ""));
        let mut bases = bases_of_list();
        rebase(&mut edits, &mut bases, &now, |_| Side::Theirs);
        assert_eq!(edits[&1], edit("Account", ""));
    }

    #[test]
    fn a_delete_is_told_which_names_changed() {
        let mut after = list()[0].clone();
        after.name_singular = Some("Org".into());
        assert_eq!(
            name_changes(&list()[0], &after),
            ["Singular name: Organization → Org"]
        );
        after.name_plural = None;
        assert_eq!(
            name_changes(&list()[0], &after)[1],
            "Plural name: Organizations → organization(s)"
        );
        assert!(name_changes(&list()[1], &list()[1]).is_empty());
    }
}
