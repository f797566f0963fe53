//! The metric table's sort (the server neither sorts nor filters; `project_list` applies
//! it), and the "51–100 of 230" range text.

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

    /// "Sorted by name, A to Z", to announce a new order.
    pub fn describe(self) -> String {
        let (column, up, down) = match self.key {
            SortKey::Server => return "In the server's order".to_owned(),
            SortKey::Name => ("name", "A to Z", "Z to A"),
            SortKey::Calculation => ("calculation", "A to Z", "Z to A"),
            SortKey::Interval => ("interval", "shortest first", "longest first"),
        };
        format!(
            "Sorted by {column}, {}",
            if self.descending { down } else { up }
        )
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

    #[test]
    fn sorting_toggles_direction() {
        let by_name = Sort::default().toggled(SortKey::Name);
        assert!(!by_name.descending);
        assert!(by_name.toggled(SortKey::Name).descending);
        assert_eq!(by_name.aria(SortKey::Name), "ascending");
        assert_eq!(by_name.aria(SortKey::Interval), "none");
        let by_interval = by_name.toggled(SortKey::Interval);
        assert_eq!(by_interval.key, SortKey::Interval);
        assert!(!by_interval.descending);
    }

    #[test]
    fn a_sort_is_described_in_words() {
        let by_name = Sort::default().toggled(SortKey::Name);
        assert_eq!(by_name.describe(), "Sorted by name, A to Z");
        assert_eq!(
            by_name.toggled(SortKey::Name).describe(),
            "Sorted by name, Z to A"
        );
        let by_interval = by_name
            .toggled(SortKey::Interval)
            .toggled(SortKey::Interval);
        assert_eq!(by_interval.describe(), "Sorted by interval, longest first");
    }

    #[test]
    fn range_text_counts_from_one() {
        assert_eq!(range_text(50, 50, 230), "51–100 of 230");
        assert_eq!(range_text(200, 30, 230), "201–230 of 230");
        assert_eq!(range_text(0, 0, 0), "0 of 0");
    }
}
