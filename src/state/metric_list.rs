//! Sorting and filtering within the loaded page of metrics (the server neither sorts nor
//! filters), and the "51–100 of 230" range text.

use posthog_groups::Metric;

use crate::state::explain;

/// Columns the metric table can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    /// Server order (creation order in practice; not guaranteed).
    Server,
    /// By name, case-insensitive.
    Name,
    /// By calculation text.
    Calculation,
    /// By interval in days.
    Interval,
}

/// A sort: key and direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort {
    /// The column.
    pub key: SortKey,
    /// True for descending.
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort {
            key: SortKey::Server,
            descending: false,
        }
    }
}

impl Sort {
    /// Sorting by `key`: a second click on the same column reverses it.
    pub fn toggled(self, key: SortKey) -> Sort {
        if self.key == key {
            Sort {
                key,
                descending: !self.descending,
            }
        } else {
            Sort {
                key,
                descending: false,
            }
        }
    }

    /// The `aria-sort` value of a column header.
    pub fn aria(self, key: SortKey) -> &'static str {
        match (self.key == key, self.descending) {
            (false, _) => "none",
            (true, false) => "ascending",
            (true, true) => "descending",
        }
    }
}

/// The metrics not `hidden` (deletes waiting for their undo) whose name contains `filter`
/// (case-insensitive), in `sort` order.
pub fn visible(metrics: &[Metric], hidden: &[String], filter: &str, sort: Sort) -> Vec<Metric> {
    let needle = filter.trim().to_lowercase();
    let mut list: Vec<Metric> = metrics
        .iter()
        .filter(|m| !hidden.contains(&m.id))
        .filter(|m| needle.is_empty() || m.name.to_lowercase().contains(&needle))
        .cloned()
        .collect();
    match sort.key {
        SortKey::Server => {}
        SortKey::Name => list.sort_by_key(|m| m.name.to_lowercase()),
        SortKey::Calculation => {
            list.sort_by_key(|m| explain::calculation(&m.math, m.math_property.as_deref()))
        }
        SortKey::Interval => list.sort_by_key(|m| m.interval),
    }
    if sort.descending {
        list.reverse();
    }
    list
}

/// "51–100 of 230" for a page at `offset` holding `shown` items; "0 of 0" when empty.
pub fn range_text(offset: u64, shown: usize, count: u64) -> String {
    if shown == 0 {
        return format!("0 of {count}");
    }
    format!("{}–{} of {count}", offset + 1, offset + shown as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(name: &str, interval: i64, sum: Option<&str>) -> Metric {
        let math = if sum.is_some() { "sum" } else { "count" };
        serde_json::from_value(serde_json::json!({"id": name, "name": name, "interval": interval, "math": math, "math_property": sum}))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn names(list: &[Metric]) -> Vec<&str> {
        list.iter().map(|m| m.name.as_str()).collect()
    }

    #[test]
    fn filter_is_case_insensitive_and_keeps_server_order() {
        let list = [
            m("Paid bills", 30, Some("amount")),
            m("API calls", 7, None),
            m("Bills overdue", 7, None),
        ];
        assert_eq!(
            names(&visible(&list, &[], " BILLS", Sort::default())),
            ["Paid bills", "Bills overdue"]
        );
        assert_eq!(names(&visible(&list, &[], "", Sort::default())).len(), 3);
        // Metrics whose delete waits for its undo period are left out.
        let hidden = [list[0].id.clone()];
        assert_eq!(
            names(&visible(&list, &hidden, "", Sort::default())).len(),
            2
        );
    }

    #[test]
    fn sorting_toggles_direction() {
        let list = [m("b", 30, None), m("A", 7, None), m("c", 90, Some("x"))];
        let by_name = Sort::default().toggled(SortKey::Name);
        assert_eq!(names(&visible(&list, &[], "", by_name)), ["A", "b", "c"]);
        assert_eq!(
            names(&visible(&list, &[], "", by_name.toggled(SortKey::Name))),
            ["c", "b", "A"]
        );
        assert_eq!(by_name.aria(SortKey::Name), "ascending");
        assert_eq!(by_name.aria(SortKey::Interval), "none");
        let by_interval = by_name.toggled(SortKey::Interval);
        assert_eq!(
            names(&visible(&list, &[], "", by_interval)),
            ["A", "b", "c"]
        );
        assert!(!by_interval.descending);
    }

    #[test]
    fn range_text_counts_from_one() {
        assert_eq!(range_text(50, 50, 230), "51–100 of 230");
        assert_eq!(range_text(200, 30, 230), "201–230 of 230");
        assert_eq!(range_text(0, 0, 0), "0 of 0");
    }
}
