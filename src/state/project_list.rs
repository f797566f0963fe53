//! The project's one list of usage metrics as the screen shows it: the merged list without
//! deletes waiting for their undo, filtered by name and by placement, sorted, and cut to the
//! page the URL names (paging happens here, over the whole list, not on the server).

use posthog_groups::project_metrics::{
    indexes, marks, merge, Filed, Marks, Placement, SETTINGS_INDEX,
};
use posthog_groups::{ApiError, GroupType};

use crate::api;
use crate::state::connection::Connection;
use crate::state::explain;
use crate::state::metric_list::{Sort, SortKey};

/// Reads the project's metrics, merged into one list: index 0 (always read) beside the group
/// types list, then the other indexes it names, in parallel (each through the read cache).
pub async fn read(conn: &Connection) -> Result<(Vec<GroupType>, Vec<Filed>), ApiError> {
    let (types, first) = futures::future::join(
        api::list_group_types_recent(conn),
        api::project_metrics(conn, &[SETTINGS_INDEX]),
    )
    .await;
    let types = types?;
    let mut pages = first?;
    let rest: Vec<u32> = indexes(&types)
        .into_iter()
        .filter(|&i| i != SETTINGS_INDEX)
        .collect();
    pages.extend(api::project_metrics(conn, &rest).await?);
    Ok((types, merge(pages)))
}

/// A row: the metric, where it is filed, and what to mark.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The metric and its index.
    pub filed: Filed,
    /// Its marks, worked out over the whole list (not only the page).
    pub marks: Marks,
}

/// What the list is narrowed to, besides its sort.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Narrow {
    /// Text the name must contain (case-insensitive).
    pub name: String,
    /// Where the metric must stand with PostHog's settings.
    pub placement: Placement,
    /// The group type index it must be filed under, if any.
    pub index: Option<u32>,
}

/// Every metric of `list` but `hidden` (`(index, id)` of deletes waiting), with its marks:
/// worked out once over the whole list, so a twin on another page or under another index
/// is still a twin, and typing in the filter does not compare every pair again.
pub fn marked(list: &[Filed], hidden: &[(u32, String)]) -> Vec<Row> {
    let live: Vec<Filed> = list
        .iter()
        .filter(|f| {
            !hidden
                .iter()
                .any(|(i, id)| *i == f.index && *id == f.metric.id)
        })
        .cloned()
        .collect();
    let all_marks = marks(&live);
    live.into_iter()
        .zip(all_marks)
        .map(|(filed, marks)| Row { filed, marks })
        .collect()
}

/// The rows of `marked` that pass `narrow`, in `sort` order.
pub fn narrowed(marked: &[Row], narrow: &Narrow, sort: Sort) -> Vec<Row> {
    let needle = narrow.name.trim().to_lowercase();
    let mut rows: Vec<Row> = marked
        .iter()
        .filter(|r| {
            narrow.placement.keeps(&r.marks)
                && narrow.index.is_none_or(|i| i == r.filed.index)
                && (needle.is_empty() || r.filed.metric.name.to_lowercase().contains(&needle))
        })
        .cloned()
        .collect();
    match sort.key {
        SortKey::Server => {}
        SortKey::Name => rows.sort_by_key(|r| r.filed.metric.name.to_lowercase()),
        SortKey::Calculation => rows.sort_by_key(|r| {
            explain::calculation(
                &r.filed.metric.math,
                r.filed.metric.math_property.as_deref(),
            )
        }),
        SortKey::Interval => rows.sort_by_key(|r| r.filed.metric.interval),
    }
    if sort.descending {
        rows.reverse();
    }
    rows
}

/// [`marked`] then [`narrowed`].
pub fn rows(list: &[Filed], hidden: &[(u32, String)], narrow: &Narrow, sort: Sort) -> Vec<Row> {
    narrowed(&marked(list, hidden), narrow, sort)
}

/// The rows of the page at `offset` of size `limit`; an offset past the end shows the
/// last page rather than nothing.
pub fn page(rows: &[Row], limit: u64, offset: u64) -> (u64, &[Row]) {
    let limit = usize::try_from(limit.max(1)).unwrap_or(usize::MAX);
    let len = rows.len();
    let mut start = usize::try_from(offset).unwrap_or(usize::MAX);
    if start >= len && len > 0 {
        start = (len - 1) / limit * limit;
    }
    let start = start.min(len);
    let end = start.saturating_add(limit).min(len);
    (start as u64, &rows[start..end])
}

/// The id of a metric's link in the project's list, to focus its row again (after Undo).
pub fn row_link_id(index: u32, id: &str) -> String {
    format!("metric-{index}-{id}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use posthog_groups::project_metrics::merge;
    use posthog_groups::Metric;
    use serde_json::json;

    fn metric(id: &str, name: &str, event: &str) -> Metric {
        serde_json::from_value(
            json!({"id": id, "name": name, "filters": {"events": [{"id": event}]}}),
        )
        .expect("metric")
    }

    fn demo() -> Vec<Filed> {
        merge(vec![
            (
                0,
                vec![
                    metric("a", "Support tickets opened", "t"),
                    metric("b", "Revenue", "r"),
                ],
            ),
            (
                1,
                vec![
                    metric("c", "Support tickets opened", "t2"),
                    metric("d", "Seats", "s"),
                ],
            ),
        ])
    }

    #[test]
    fn filters_sorting_and_hidden_rows_work_over_the_merged_list() {
        let list = demo();
        let ids = |rows: &[Row]| {
            rows.iter()
                .map(|r| r.filed.metric.id.clone())
                .collect::<Vec<_>>()
        };
        let by = |placement| Narrow {
            placement,
            ..Narrow::default()
        };
        let all = rows(&list, &[], &Narrow::default(), Sort::default());
        assert_eq!(ids(&all), ["a", "b", "c", "d"]);
        let twice = rows(&list, &[], &by(Placement::ShownTwice), Sort::default());
        assert_eq!(ids(&twice), ["a", "c"]);
        let outside = rows(&list, &[], &by(Placement::NotInSettings), Sort::default());
        assert_eq!(ids(&outside), ["c", "d"]);
        let named = Narrow {
            name: "  SEAT".into(),
            ..Narrow::default()
        };
        assert_eq!(ids(&rows(&list, &[], &named, Sort::default())), ["d"]);
        let filed = Narrow {
            index: Some(1),
            ..Narrow::default()
        };
        let one_index = rows(&list, &[], &filed, Sort::default());
        assert_eq!(ids(&one_index), ["c", "d"]);
        // Narrowed to one index, a twin under another index still marks its row.
        assert!(one_index[0].marks.shown_twice.is_some());
        let sorted = Sort::default().toggled(SortKey::Name);
        let by_name = rows(&list, &[], &Narrow::default(), sorted);
        assert_eq!(ids(&by_name), ["b", "d", "a", "c"]);
        // The twin waiting for its delete no longer makes the other one "shown twice".
        let waiting = [(1, "c".to_string())];
        let hidden = rows(&list, &waiting, &by(Placement::ShownTwice), Sort::default());
        assert!(hidden.is_empty());
    }

    #[test]
    fn pages_are_cut_in_the_browser_and_a_stale_offset_shows_the_last_page() {
        let list = demo();
        let all = rows(&list, &[], &Narrow::default(), Sort::default());
        let (start, shown) = page(&all, 3, 0);
        assert_eq!((start, shown.len()), (0, 3));
        let (start, shown) = page(&all, 3, 3);
        assert_eq!((start, shown.len()), (3, 1));
        let (start, shown) = page(&all, 3, 99);
        assert_eq!((start, shown.len()), (3, 1));
        assert_eq!(page(&[], 25, 50).1.len(), 0);
    }
}
