//! Usage metrics as the project's: PostHog files each metric under a group type index, but
//! its query runner computes every metric of the project on every group and person page,
//! and its own settings page lists only the metrics filed under index 0 (contract: "What
//! PostHog computes", "Where PostHog's own screens put metrics"). This module merges the
//! indexes' lists into one, marks what PostHog's settings cannot show and what every page
//! shows twice, and plans the move of a metric into index 0.

use crate::model::{GroupType, Metric, MetricDraft};

/// The index PostHog's own settings page (and its MCP tools) file metrics under.
pub const SETTINGS_INDEX: u32 = 0;

/// A metric and the group type index it is filed under.
#[derive(Clone, Debug, PartialEq)]
pub struct Filed {
    /// The index in the metric's API address.
    pub index: u32,
    /// The metric.
    pub metric: Metric,
}

impl Filed {
    /// Whether PostHog's settings page lists it (only index 0's are).
    pub fn in_settings(&self) -> bool {
        self.index == SETTINGS_INDEX
    }
}

/// The indexes whose metrics make the project's list: every group type's, and index 0
/// (where new metrics go) always, in order, once each.
pub fn indexes(group_types: &[GroupType]) -> Vec<u32> {
    let mut list: Vec<u32> = group_types.iter().map(|g| g.group_type_index).collect();
    list.push(SETTINGS_INDEX);
    list.sort_unstable();
    list.dedup();
    list
}

/// Merges each index's metrics (`(index, metrics in server order)`, in any order of
/// indexes) into the project's one list: by index, then in the server's order within it.
/// A metric that a server sent twice on two pages of one index (offset paging while
/// metrics are created) is kept once.
pub fn merge(pages: Vec<(u32, Vec<Metric>)>) -> Vec<Filed> {
    let mut pages = pages;
    // Stable: pages of one index keep the order they were read in.
    pages.sort_by_key(|(index, _)| *index);
    let mut seen = std::collections::HashSet::new();
    pages
        .into_iter()
        .flat_map(|(index, metrics)| {
            metrics
                .into_iter()
                .map(move |metric| Filed { index, metric })
        })
        .filter(|f| seen.insert((f.index, f.metric.id.clone())))
        .collect()
}

/// Whether two metrics compute the same thing: every field but the name (filters compared
/// as JSON values, so key order and spacing do not matter). Compared in place: the list
/// compares every pair across indexes.
pub fn same_definition(a: &Metric, b: &Metric) -> bool {
    a.format == b.format
        && a.interval == b.interval
        && a.display == b.display
        && a.math == b.math
        && a.math_property == b.math_property
        && a.filters == b.filters
}

/// Why a metric is marked "Shown twice on each page".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Twice {
    /// Another metric, filed under another index, has the same name.
    SameName,
    /// Another metric, filed under another index, computes the same thing.
    SameDefinition,
}

/// What a row of the project's list says beside the metric.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Marks {
    /// Not under index 0: PostHog computes it on every page, but no PostHog screen lists,
    /// edits or deletes it.
    pub not_in_settings: bool,
    /// Filed under another index too (by name or definition): each page shows both.
    pub shown_twice: Option<Twice>,
}

/// Where the metrics of one name (or one definition) are filed: the first index seen, and
/// whether another index was seen too.
#[derive(Clone, Copy)]
struct Spread {
    first: u32,
    several: bool,
}

/// For each key, whether its metrics are filed under more than one index.
fn spread<K: std::hash::Hash + Eq>(
    keys: impl Iterator<Item = (K, u32)>,
) -> std::collections::HashMap<K, Spread> {
    let mut map = std::collections::HashMap::<K, Spread>::new();
    for (key, index) in keys {
        map.entry(key)
            .and_modify(|s| s.several |= s.first != index)
            .or_insert(Spread {
                first: index,
                several: false,
            });
    }
    map
}

/// A metric's definition as text, for grouping: every field [`same_definition`] compares,
/// the filters written with their keys sorted, so two metrics have the same text exactly when
/// they compute the same thing.
fn definition_key(m: &Metric) -> String {
    let mut key = format!(
        "{:?}|{}|{:?}|{:?}|{:?}|",
        m.format, m.interval, m.display, m.math, m.math_property
    );
    canonical(&serde_json::Value::Object(m.filters.0.clone()), &mut key);
    key
}

/// JSON with object keys in sorted order (whatever order the map keeps them in).
fn canonical(v: &serde_json::Value, out: &mut String) {
    match v {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String(k.clone()).to_string());
                out.push(':');
                canonical(&map[k], out);
            }
            out.push('}');
        }
        serde_json::Value::Array(list) => {
            out.push('[');
            for (i, item) in list.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The marks of every metric of `list`, in the same order. Linear in the list (grouped by
/// name and by definition, not compared pair by pair), so a project of thousands of metrics
/// is marked as fast as the demo's.
pub fn marks(list: &[Filed]) -> Vec<Marks> {
    let by_name = spread(list.iter().map(|f| (f.metric.name.as_str(), f.index)));
    let definitions: Vec<String> = list.iter().map(|f| definition_key(&f.metric)).collect();
    let by_definition = spread(
        definitions
            .iter()
            .zip(list)
            .map(|(d, f)| (d.as_str(), f.index)),
    );
    list.iter()
        .zip(&definitions)
        .map(|(f, d)| {
            let several = |s: Option<&Spread>| s.is_some_and(|s| s.several);
            // A shared name says more than a shared definition.
            let shown_twice = if several(by_name.get(f.metric.name.as_str())) {
                Some(Twice::SameName)
            } else if several(by_definition.get(d.as_str())) {
                Some(Twice::SameDefinition)
            } else {
                None
            };
            Marks {
                not_in_settings: !f.in_settings(),
                shown_twice,
            }
        })
        .collect()
}

/// The filter above the list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Placement {
    /// Every metric.
    #[default]
    All,
    /// Only those PostHog's settings list (index 0).
    InSettings,
    /// Only those it does not.
    NotInSettings,
    /// Only those every page shows twice.
    ShownTwice,
}

impl Placement {
    /// Every choice, in the order offered.
    pub const ALL: [Placement; 4] = [
        Placement::All,
        Placement::InSettings,
        Placement::NotInSettings,
        Placement::ShownTwice,
    ];

    /// The value in the URL's `placement=` and the select.
    pub fn value(self) -> &'static str {
        match self {
            Placement::All => "all",
            Placement::InSettings => "in-settings",
            Placement::NotInSettings => "not-in-settings",
            Placement::ShownTwice => "shown-twice",
        }
    }

    /// The option's label.
    pub fn label(self) -> &'static str {
        match self {
            Placement::All => "All metrics",
            Placement::InSettings => "In PostHog's settings",
            Placement::NotInSettings => "Not in PostHog's settings",
            Placement::ShownTwice => "Shown twice on each page",
        }
    }

    /// Reads a `placement=` value; anything else is `All`.
    pub fn parse(value: &str) -> Placement {
        Placement::ALL
            .into_iter()
            .find(|p| p.value() == value)
            .unwrap_or_default()
    }

    /// Whether a metric with `marks` passes.
    pub fn keeps(self, marks: &Marks) -> bool {
        match self {
            Placement::All => true,
            Placement::InSettings => !marks.not_in_settings,
            Placement::NotInSettings => marks.not_in_settings,
            Placement::ShownTwice => marks.shown_twice.is_some(),
        }
    }
}

/// What the user chose for a metric whose name index 0 already has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Conflict {
    /// Move it under this new name.
    Rename(String),
    /// Keep index 0's metric and delete this one (it only made each page show it twice).
    KeepExisting,
    /// Leave both as they are.
    Skip,
}

/// The requests a move makes, in order; nothing is deleted unless what replaces it exists.
#[derive(Clone, Debug, PartialEq)]
pub enum MovePlan {
    /// Create `draft` under index 0, then (only when that succeeded) delete the old copy.
    CreateThenDelete {
        /// The metric as it will be under index 0.
        draft: MetricDraft,
        /// The index it leaves.
        from_index: u32,
        /// Its id there.
        id: String,
    },
    /// Index 0 already has it: delete the other copy.
    DeleteOnly {
        /// The index it leaves.
        from_index: u32,
        /// Its id there.
        id: String,
    },
    /// Nothing to do (already under index 0, or skipped).
    Nothing,
}

/// Why a move cannot be planned yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NeedsChoice {
    /// Index 0 has a metric of this name: the user must choose (see [`Conflict`]).
    NameTaken {
        /// The id of index 0's metric of that name.
        existing: String,
    },
    /// The new name given is empty, too long, or also taken under index 0.
    BadName(String),
}

/// The plan for moving `filed` into index 0, whose metrics are `index0`; `choice` answers a
/// name conflict (ignored when there is none).
pub fn plan_move(
    filed: &Filed,
    index0: &[Metric],
    choice: Option<&Conflict>,
) -> Result<MovePlan, NeedsChoice> {
    if filed.in_settings() {
        return Ok(MovePlan::Nothing);
    }
    let taken = |name: &str| index0.iter().find(|m| m.name == name);
    let create = |name: String| MovePlan::CreateThenDelete {
        draft: MetricDraft {
            name,
            ..MetricDraft::from(&filed.metric)
        },
        from_index: filed.index,
        id: filed.metric.id.clone(),
    };
    let Some(existing) = taken(&filed.metric.name) else {
        return Ok(create(filed.metric.name.clone()));
    };
    match choice {
        None => Err(NeedsChoice::NameTaken {
            existing: existing.id.clone(),
        }),
        Some(Conflict::Skip) => Ok(MovePlan::Nothing),
        Some(Conflict::KeepExisting) => Ok(MovePlan::DeleteOnly {
            from_index: filed.index,
            id: filed.metric.id.clone(),
        }),
        Some(Conflict::Rename(name)) => {
            let name = name.trim();
            if name.is_empty() {
                Err(NeedsChoice::BadName("Enter a new name.".into()))
            } else if name.chars().count() > 255 {
                Err(NeedsChoice::BadName("Use at most 255 characters.".into()))
            } else if taken(name).is_some() {
                Err(NeedsChoice::BadName(format!(
                    "PostHog's list already has a metric named \"{name}\"."
                )))
            } else {
                Ok(create(name.to_owned()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn metric(id: &str, name: &str, filters: serde_json::Value) -> Metric {
        serde_json::from_value(json!({"id": id, "name": name, "filters": filters})).expect("metric")
    }

    fn events(name: &str) -> serde_json::Value {
        json!({"events": [{"id": name, "name": name, "type": "events", "order": 0}], "actions": [], "properties": [], "filter_test_accounts": false})
    }

    #[test]
    fn merging_puts_index_0_first_and_keeps_the_server_order_within_an_index() {
        let merged = merge(vec![
            (1, vec![metric("c", "C", events("c"))]),
            (
                0,
                vec![metric("b", "B", events("b")), metric("a", "A", events("a"))],
            ),
            (
                0,
                vec![metric("d", "D", events("d")), metric("a", "A", events("a"))],
            ),
        ]);
        let order: Vec<(u32, &str)> = merged
            .iter()
            .map(|f| (f.index, f.metric.id.as_str()))
            .collect();
        assert_eq!(order, vec![(0, "b"), (0, "a"), (0, "d"), (1, "c")]);
    }

    /// A project of thousands of metrics (a server answering every index with the same
    /// 10,000) is marked by grouping, not by comparing every pair, which froze the page for
    /// minutes (this test then runs that long).
    #[test]
    fn marks_stay_linear_on_a_huge_project() {
        let page = |i: u32| {
            (0..10_000)
                .map(|n| {
                    metric(
                        &format!("{i}-{n}"),
                        &format!("Generated {n}"),
                        events("$pageview"),
                    )
                })
                .collect::<Vec<_>>()
        };
        let list = merge((0..4).map(|i| (i, page(i))).collect());
        let m = marks(&list);
        assert_eq!(m.len(), 40_000);
        assert!(m.iter().all(|k| k.shown_twice == Some(Twice::SameName)));
        // Within one index, a repeated definition is not "shown twice" by this rule.
        let one = merge(vec![(0, page(0))]);
        assert!(marks(&one).iter().all(|k| k.shown_twice.is_none()));
    }

    #[test]
    fn shown_twice_by_name_or_by_definition_across_indexes() {
        // The definition is compared as values: the same filters in another key order match.
        let reordered = json!({"filter_test_accounts": false, "properties": [], "actions": [], "events": [{"order": 0, "type": "events", "name": "paid", "id": "paid"}]});
        let list = merge(vec![
            (
                0,
                vec![
                    metric("t0", "Support tickets opened", events("ticket")),
                    metric("p0", "Paid", events("paid")),
                    metric("x0", "Other", events("x")),
                ],
            ),
            (
                1,
                vec![
                    metric("t1", "Support tickets opened", events("different")),
                    metric("p1", "Paid bills", reordered),
                    metric("y1", "Own", events("y")),
                ],
            ),
        ]);
        let m = marks(&list);
        let by_id = |id: &str| &m[list.iter().position(|f| f.metric.id == id).expect("id")];
        assert_eq!(by_id("t0").shown_twice, Some(Twice::SameName));
        assert_eq!(by_id("t1").shown_twice, Some(Twice::SameName));
        assert_eq!(by_id("p1").shown_twice, Some(Twice::SameDefinition));
        assert_eq!(by_id("p0").shown_twice, Some(Twice::SameDefinition));
        assert_eq!(by_id("x0").shown_twice, None);
        assert_eq!(by_id("y1").shown_twice, None);
        assert!(!by_id("x0").not_in_settings);
        assert!(by_id("y1").not_in_settings);
        // Another interval is another definition.
        let mut longer = metric("p2", "Paid", events("paid"));
        longer.interval = 30;
        assert!(!same_definition(
            &longer,
            &metric("p3", "Paid", events("paid"))
        ));
        // The filter keeps what it says.
        let keep = |p: Placement| {
            list.iter()
                .zip(&m)
                .filter(|(_, mk)| p.keeps(mk))
                .map(|(f, _)| f.metric.id.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(keep(Placement::InSettings), vec!["t0", "p0", "x0"]);
        assert_eq!(keep(Placement::NotInSettings), vec!["t1", "p1", "y1"]);
        assert_eq!(keep(Placement::ShownTwice), vec!["t0", "p0", "t1", "p1"]);
        assert_eq!(Placement::parse("shown-twice"), Placement::ShownTwice);
        assert_eq!(Placement::parse("junk"), Placement::All);
    }

    #[test]
    fn a_move_creates_under_index_0_before_it_deletes_and_asks_when_the_name_is_taken() {
        let index0 = vec![metric("t0", "Support tickets opened", events("ticket"))];
        let free = Filed {
            index: 1,
            metric: metric("r1", "Revenue", events("paid")),
        };
        match plan_move(&free, &index0, None) {
            Ok(MovePlan::CreateThenDelete {
                draft,
                from_index,
                id,
            }) => {
                assert_eq!(
                    (draft.name.as_str(), from_index, id.as_str()),
                    ("Revenue", 1, "r1")
                );
                assert_eq!(draft.filters, free.metric.filters);
            }
            other => panic!("{other:?}"),
        }
        let home = Filed {
            index: 0,
            metric: index0[0].clone(),
        };
        assert_eq!(plan_move(&home, &index0, None), Ok(MovePlan::Nothing));

        let clash = Filed {
            index: 1,
            metric: metric("t1", "Support tickets opened", events("other")),
        };
        assert_eq!(
            plan_move(&clash, &index0, None),
            Err(NeedsChoice::NameTaken {
                existing: "t0".into()
            })
        );
        assert_eq!(
            plan_move(&clash, &index0, Some(&Conflict::Skip)),
            Ok(MovePlan::Nothing)
        );
        assert_eq!(
            plan_move(&clash, &index0, Some(&Conflict::KeepExisting)),
            Ok(MovePlan::DeleteOnly {
                from_index: 1,
                id: "t1".into()
            })
        );
        match plan_move(
            &clash,
            &index0,
            Some(&Conflict::Rename("  Tickets (company) ".into())),
        ) {
            Ok(MovePlan::CreateThenDelete { draft, .. }) => {
                assert_eq!(draft.name, "Tickets (company)")
            }
            other => panic!("{other:?}"),
        }
        for bad in ["", "Support tickets opened", &"x".repeat(256)] {
            assert!(
                matches!(
                    plan_move(&clash, &index0, Some(&Conflict::Rename(bad.to_string()))),
                    Err(NeedsChoice::BadName(_))
                ),
                "{bad}"
            );
        }
    }
}
