//! Three-way merge of an edit with what the server holds now.
//!
//! PostHog's API has no version field and no ETag: the last write wins. So before a save the
//! client reads the item again and compares, field by field, three versions: `base` (what
//! the form opened with), `theirs` (what the server holds now) and `mine` (what the user
//! made of it). A field only one side changed takes that side's value without asking; a
//! field both changed to different values is a conflict for the user to settle.

use serde_json::Value;

use crate::compare::value_paths;
use crate::model::{MetricDraft, MetricPatch};

/// What became of one field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldMerge<T> {
    /// Nobody changed it.
    Untouched(T),
    /// Changed on the server only: its value is taken.
    Theirs(T),
    /// Changed by the user only.
    Mine(T),
    /// Both changed it to the same value.
    Agreed(T),
    /// Both changed it, to different values.
    Conflict {
        /// The value both started from.
        base: T,
        /// The server's value now.
        theirs: T,
        /// The user's value.
        mine: T,
    },
}

/// Merges one field. Values are compared with `==`, so filters compare as JSON values (key
/// order does not matter, list order does).
pub fn three_way<T: PartialEq + Clone>(base: &T, theirs: &T, mine: &T) -> FieldMerge<T> {
    match (theirs == base, mine == base) {
        (true, true) => FieldMerge::Untouched(base.clone()),
        (false, true) => FieldMerge::Theirs(theirs.clone()),
        (true, false) => FieldMerge::Mine(mine.clone()),
        (false, false) if theirs == mine => FieldMerge::Agreed(mine.clone()),
        (false, false) => FieldMerge::Conflict {
            base: base.clone(),
            theirs: theirs.clone(),
            mine: mine.clone(),
        },
    }
}

impl<T> FieldMerge<T> {
    /// The merged value; a conflict holds the user's value until settled.
    pub fn value(self) -> T {
        match self {
            FieldMerge::Untouched(v)
            | FieldMerge::Theirs(v)
            | FieldMerge::Mine(v)
            | FieldMerge::Agreed(v) => v,
            FieldMerge::Conflict { mine, .. } => mine,
        }
    }
}

/// A field of a metric as the merge sees it. Math and the property it sums are one field:
/// merged apart, a count from one side and a property from the other make a metric the
/// server refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MetricField {
    /// `name`.
    Name,
    /// `interval`.
    Interval,
    /// `format`.
    Format,
    /// `display`.
    Display,
    /// `math` with `math_property`.
    Math,
    /// `filters`, compared as a JSON value.
    Filters,
}

impl MetricField {
    /// Every field, in the form's order.
    pub const ALL: [MetricField; 6] = [
        MetricField::Name,
        MetricField::Interval,
        MetricField::Format,
        MetricField::Display,
        MetricField::Math,
        MetricField::Filters,
    ];

    /// The field's label, as the form shows it.
    pub fn label(self) -> &'static str {
        match self {
            MetricField::Name => "Name",
            MetricField::Interval => "Interval",
            MetricField::Format => "Format",
            MetricField::Display => "Display",
            MetricField::Math => "Math",
            MetricField::Filters => "Filters",
        }
    }

    /// The field's value in `d` as text for people; filters as compact JSON.
    pub fn text(self, d: &MetricDraft) -> String {
        match self {
            MetricField::Name => d.name.clone(),
            MetricField::Interval => match d.interval {
                1 => "1 day".into(),
                n => format!("{n} days"),
            },
            MetricField::Format => d.format.to_string(),
            MetricField::Display => d.display.to_string(),
            MetricField::Math => match &d.math_property {
                Some(p) => format!("{} of {p}", d.math),
                None => d.math.to_string(),
            },
            MetricField::Filters => serde_json::to_string(&d.filters).unwrap_or_default(),
        }
    }

    /// Copies this field from `from` into `to`.
    pub fn copy(self, from: &MetricDraft, to: &mut MetricDraft) {
        match self {
            MetricField::Name => to.name = from.name.clone(),
            MetricField::Interval => to.interval = from.interval,
            MetricField::Format => to.format = from.format.clone(),
            MetricField::Display => to.display = from.display.clone(),
            MetricField::Math => {
                to.math = from.math.clone();
                to.math_property = from.math_property.clone();
            }
            MetricField::Filters => to.filters = from.filters.clone(),
        }
    }

    fn same(self, a: &MetricDraft, b: &MetricDraft) -> bool {
        match self {
            MetricField::Name => a.name == b.name,
            MetricField::Interval => a.interval == b.interval,
            MetricField::Format => a.format == b.format,
            MetricField::Display => a.display == b.display,
            MetricField::Math => a.math == b.math && a.math_property == b.math_property,
            MetricField::Filters => a.filters == b.filters,
        }
    }

    /// Where two versions' filters differ, as JSON paths (empty for other fields).
    pub fn paths(self, a: &MetricDraft, b: &MetricDraft) -> Vec<String> {
        let mut out = Vec::new();
        if self == MetricField::Filters {
            let json = |d: &MetricDraft| Value::Object(d.filters.0.clone());
            value_paths(&json(a), &json(b), "", &mut out);
        }
        out
    }
}

/// What changed from `before` to `after`, one line per field ("Interval: 7 days → 30 days";
/// filters by the paths that differ): what a delete asks again about.
pub fn metric_changes(before: &MetricDraft, after: &MetricDraft) -> Vec<String> {
    MetricField::ALL
        .into_iter()
        .filter(|f| !f.same(before, after))
        .map(|f| match f {
            MetricField::Filters => {
                format!("Filters changed at {}", f.paths(before, after).join(", "))
            }
            _ => format!("{}: {} → {}", f.label(), f.text(before), f.text(after)),
        })
        .collect()
}

/// Which side a settled conflict keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The value on the server now.
    Theirs,
    /// The user's value.
    Mine,
}

/// One conflict as a screen shows it: the three versions as text, and where they differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConflictItem {
    /// A stable key, unique among the conflicts of one save (a DOM id stem too).
    pub key: String,
    /// What the field is, for people.
    pub label: String,
    /// The value both started from.
    pub base: String,
    /// The server's value now.
    pub theirs: String,
    /// The user's value.
    pub mine: String,
    /// JSON paths where the server's value and the user's differ (filters), else empty.
    pub paths: Vec<String>,
    /// Whether the values are code (JSON), shown in a monospace font.
    pub code: bool,
}

/// A metric edit merged with the server's version.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricMerge {
    /// What the form opened with.
    pub base: MetricDraft,
    /// What the server holds now.
    pub theirs: MetricDraft,
    /// The merge: the server's changes and the user's, each conflict holding the user's value.
    pub merged: MetricDraft,
    /// Fields changed on the server only, taken without asking.
    pub taken: Vec<MetricField>,
    /// Fields both sides changed to different values.
    pub conflicts: Vec<MetricField>,
}

/// Merges the user's edit `mine` of `base` with `theirs`, the server's version now.
pub fn merge_metric(base: &MetricDraft, theirs: &MetricDraft, mine: &MetricDraft) -> MetricMerge {
    let mut merged = theirs.clone();
    let (mut taken, mut conflicts) = (Vec::new(), Vec::new());
    for field in MetricField::ALL {
        let changed_theirs = !field.same(base, theirs);
        let changed_mine = !field.same(base, mine);
        match (changed_theirs, changed_mine) {
            (true, false) => taken.push(field),
            (false, true) => field.copy(mine, &mut merged),
            (true, true) if !field.same(theirs, mine) => {
                conflicts.push(field);
                field.copy(mine, &mut merged);
            }
            _ => {}
        }
    }
    MetricMerge {
        base: base.clone(),
        theirs: theirs.clone(),
        merged,
        taken,
        conflicts,
    }
}

impl MetricMerge {
    /// The draft once every conflict is settled by `choose`.
    pub fn resolve(&self, choose: impl Fn(MetricField) -> Side) -> MetricDraft {
        let mut out = self.merged.clone();
        for &field in &self.conflicts {
            if choose(field) == Side::Theirs {
                field.copy(&self.theirs, &mut out);
            }
        }
        out
    }

    /// The key of a field's conflict in [`MetricMerge::items`].
    pub fn key(field: MetricField) -> String {
        format!("conflict-{}", field.label().to_lowercase())
    }

    /// The conflicts as a screen shows them, in the form's order.
    pub fn items(&self) -> Vec<ConflictItem> {
        self.conflicts
            .iter()
            .map(|&f| ConflictItem {
                key: MetricMerge::key(f),
                label: f.label().to_owned(),
                base: f.text(&self.base),
                theirs: f.text(&self.theirs),
                mine: f.text(&self.merged),
                paths: f.paths(&self.theirs, &self.merged),
                code: f == MetricField::Filters,
            })
            .collect()
    }

    /// What to send when there is no conflict: the merge's fields that differ from the
    /// server's version now (the server's own changes are not sent back).
    pub fn patch(&self) -> MetricPatch {
        MetricPatch::between(&self.theirs, &self.merged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Filters, MetricMath};
    use serde_json::json;

    fn filters(v: Value) -> Filters {
        serde_json::from_value(v).unwrap()
    }

    fn base() -> MetricDraft {
        MetricDraft {
            name: "Seats".into(),
            filters: filters(json!({"events": [{"id": "seat_added", "type": "events"}],
                "filter_test_accounts": true})),
            ..MetricDraft::default()
        }
    }

    #[test]
    fn one_field_merges_in_every_case() {
        assert_eq!(three_way(&1, &1, &1), FieldMerge::Untouched(1));
        assert_eq!(three_way(&1, &2, &1), FieldMerge::Theirs(2));
        assert_eq!(three_way(&1, &1, &3), FieldMerge::Mine(3));
        assert_eq!(three_way(&1, &4, &4), FieldMerge::Agreed(4));
        let c = three_way(&1, &2, &3);
        assert_eq!(
            c,
            FieldMerge::Conflict {
                base: 1,
                theirs: 2,
                mine: 3
            }
        );
        assert_eq!(c.value(), 3, "a conflict holds the user's value");
    }

    #[test]
    fn untouched_theirs_only_and_mine_only_merge_without_asking() {
        let b = base();
        let mut theirs = b.clone();
        theirs.interval = 30;
        let mut mine = b.clone();
        mine.name = "Seats bought".into();
        let m = merge_metric(&b, &theirs, &mine);
        assert!(m.conflicts.is_empty());
        assert_eq!(m.taken, [MetricField::Interval]);
        assert_eq!(
            (m.merged.name.as_str(), m.merged.interval),
            ("Seats bought", 30)
        );
        // Only the user's change is sent: the server already has its own.
        let patch = m.patch();
        assert_eq!(patch.name.as_deref(), Some("Seats bought"));
        assert_eq!(patch.interval, None);

        // Nobody changed anything: nothing to send.
        let m = merge_metric(&b, &b, &b);
        assert!(m.patch().is_empty() && m.taken.is_empty() && m.conflicts.is_empty());
    }

    #[test]
    fn both_changing_a_field_is_a_conflict_settled_per_field() {
        let b = base();
        let mut theirs = b.clone();
        theirs.interval = 30;
        let mut mine = b.clone();
        mine.interval = 90;
        mine.name = "Seats 90".into();
        let m = merge_metric(&b, &theirs, &mine);
        assert_eq!(m.conflicts, [MetricField::Interval]);
        let items = m.items();
        assert_eq!(items.len(), 1);
        let i = &items[0];
        assert_eq!(
            (
                i.key.as_str(),
                i.base.as_str(),
                i.theirs.as_str(),
                i.mine.as_str()
            ),
            ("conflict-interval", "7 days", "30 days", "90 days")
        );
        let keep_theirs = m.resolve(|_| Side::Theirs);
        assert_eq!(
            (keep_theirs.interval, keep_theirs.name.as_str()),
            (30, "Seats 90")
        );
        assert_eq!(m.resolve(|_| Side::Mine).interval, 90);

        // Both making the same change is no conflict, and nothing of it is sent again.
        mine.interval = 30;
        let m = merge_metric(&b, &theirs, &mine);
        assert!(m.conflicts.is_empty() && m.taken.is_empty());
        assert_eq!(m.patch().interval, None);
    }

    #[test]
    fn filters_compare_as_values() {
        let b = base();
        // The same filters with their keys in another order: not a change.
        let mut theirs = b.clone();
        theirs.filters = filters(json!({"filter_test_accounts": true,
            "events": [{"type": "events", "id": "seat_added"}]}));
        let mut mine = b.clone();
        mine.filters = filters(json!({"events": [{"id": "seat_removed", "type": "events"}],
            "filter_test_accounts": true}));
        let m = merge_metric(&b, &theirs, &mine);
        assert!(m.conflicts.is_empty(), "{:?}", m.conflicts);
        assert_eq!(m.merged.filters, mine.filters);

        // A real change on both sides is a conflict, with the paths where they differ.
        theirs.filters = filters(json!({"events": [{"id": "seat_added", "type": "events"}],
            "filter_test_accounts": false}));
        let m = merge_metric(&b, &theirs, &mine);
        assert_eq!(m.conflicts, [MetricField::Filters]);
        assert_eq!(
            MetricField::Filters.paths(&m.theirs, &mine),
            ["events[0].id", "filter_test_accounts"]
        );
    }

    #[test]
    fn a_delete_is_told_what_changed() {
        let b = base();
        let mut after = b.clone();
        after.interval = 30;
        after.filters = filters(json!({"events": [{"id": "seat_added", "type": "events"}],
            "filter_test_accounts": false}));
        assert_eq!(
            metric_changes(&b, &after),
            [
                "Interval: 7 days → 30 days",
                "Filters changed at filter_test_accounts"
            ]
        );
        assert!(metric_changes(&b, &b).is_empty());
    }

    #[test]
    fn math_and_its_property_merge_as_one_field() {
        let b = base();
        let mut theirs = b.clone();
        theirs.math = MetricMath::Sum;
        theirs.math_property = Some("seats".into());
        let mut mine = b.clone();
        mine.math = MetricMath::Sum;
        mine.math_property = Some("amount".into());
        let m = merge_metric(&b, &theirs, &mine);
        assert_eq!(m.conflicts, [MetricField::Math]);
        assert_eq!(MetricField::Math.text(&m.theirs), "sum of seats");
        let settled = m.resolve(|_| Side::Theirs);
        assert_eq!(settled.math_property.as_deref(), Some("seats"));
    }
}
