//! Where PostHog shows a metric, and which metrics it never computes.
//!
//! PostHog's group page (and person page) asks `UsageMetricsQuery` for the values, and its
//! runner (`UsageMetricsQueryRunner._group_metrics_by_source_and_interval`) ignores the
//! metric's group type: every metric of the project is computed on every group page, and
//! events metrics on person pages too. It silently skips some metrics; users only learn
//! that from an empty card, so the console says it where the metric is shown and edited.
//!
//! The rules follow the runner and `hog_function_filters_to_expr` (posthog/cdp/filters.py),
//! which builds the filter expression the runner compares with the constant `true`. Where
//! the answer depends on something this client cannot see (the project's test-account
//! filters, an action's steps), a metric is taken as computed: a false "never computed"
//! would send users chasing a problem they do not have.

use serde_json::{Map, Value};

use crate::model::{FilterSource, Filters, Metric, MetricDraft, MetricMath};

/// Why PostHog never computes a metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NeverComputed {
    /// A sum without `math_property`: the runner skips it before looking at anything else.
    SumWithoutProperty,
    /// An events metric whose filters match every event: no event, no action, no property
    /// filter and no test-account filter. The runner skips it rather than scan every event.
    MatchesEveryEvent,
    /// As [`NeverComputed::MatchesEveryEvent`], but the only filter is a property filter
    /// PostHog cannot read (no property name, or no value for an operator that needs one):
    /// PostHog "pretends it's not there", so the metric still matches every event.
    OnlyIncompletePropertyFilter,
}

impl NeverComputed {
    /// The sentence shown beside the metric: what happens and why.
    pub fn text(self) -> &'static str {
        match self {
            NeverComputed::SumWithoutProperty => {
                "PostHog never computes this metric: a sum needs a property to sum."
            }
            NeverComputed::MatchesEveryEvent => {
                "PostHog never computes this metric: it matches every event (no event, action or property filter)."
            }
            NeverComputed::OnlyIncompletePropertyFilter => {
                "PostHog never computes this metric: its only property filter has no property name or no value, which PostHog ignores, so it matches every event."
            }
        }
    }
}

/// Where PostHog shows a metric's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Every group page of every group type, and every person page (events metrics).
    GroupAndPersonPages,
    /// Every group page of every group type, but no person page (data-warehouse metrics:
    /// the runner has no person key to match against the table).
    GroupPagesOnly,
    /// Nowhere: the runner skips the metric.
    Never(NeverComputed),
}

impl Reach {
    /// Where `metric` shows.
    pub fn of_metric(metric: &Metric) -> Reach {
        reach(
            &metric.filters,
            &metric.math,
            metric.math_property.as_deref(),
        )
    }

    /// Where `draft` would show once saved.
    pub fn of_draft(draft: &MetricDraft) -> Reach {
        reach(&draft.filters, &draft.math, draft.math_property.as_deref())
    }

    /// Why the metric is never computed, if it is not.
    pub fn never(self) -> Option<NeverComputed> {
        match self {
            Reach::Never(why) => Some(why),
            _ => None,
        }
    }

    /// Where it shows, in words.
    pub fn text(self) -> &'static str {
        match self {
            Reach::GroupAndPersonPages => {
                "Every group page, of every group type, and person pages."
            }
            Reach::GroupPagesOnly => {
                "Group pages only (of every group type), not person pages: a data-warehouse metric."
            }
            Reach::Never(why) => why.text(),
        }
    }
}

/// Where a metric with these fields shows, following the runner's order: the sum rule for
/// every source, then data warehouse (never matched against a filter expression), then the
/// events filter expression.
pub fn reach(filters: &Filters, math: &MetricMath, math_property: Option<&str>) -> Reach {
    // `not metric.math_property`: only null and "" are missing; "  " is a (strange) name.
    if *math == MetricMath::Sum && math_property.is_none_or(str::is_empty) {
        return Reach::Never(NeverComputed::SumWithoutProperty);
    }
    // `is_data_warehouse` compares `source` with "data_warehouse"; any other source,
    // known or not, goes down the events path.
    if filters.source() == FilterSource::DataWarehouse {
        return Reach::GroupPagesOnly;
    }
    match constant_true(&filters.0) {
        Some(why) => Reach::Never(why),
        None => Reach::GroupAndPersonPages,
    }
}

/// Whether `hog_function_filters_to_expr(filters)` is the constant `true`, and why.
fn constant_true(filters: &Map<String, Value>) -> Option<NeverComputed> {
    // `_build_test_account_filters` adds the project's test-account filters when the flag
    // is truthy. A project may have none, which this client cannot know: the metric may be
    // computed, so it is not flagged.
    if filters.get("filter_test_accounts").is_some_and(truthy) {
        return None;
    }
    // `_build_global_property_filters`: a falsy `properties` adds nothing; otherwise one
    // expression per item.
    let globals: &[Value] = match filters.get("properties") {
        // Not a list: PostHog iterates it anyway and fails on what it gets, which is not
        // "every event" either.
        Some(p) if truthy(p) => p.as_array()?,
        _ => &[],
    };
    // `filters.get("events", []) + filters.get("actions", [])`: a null or non-list value
    // fails the whole query in PostHog, which is not this rule either.
    let mut entries = Vec::new();
    for key in ["events", "actions"] {
        match filters.get(key) {
            None => {}
            Some(Value::Array(items)) => entries.extend(items),
            Some(_) => return None,
        }
    }
    match (entries.as_slice(), globals) {
        // No event or action: the expression is the property filters alone, combined
        // with AND when there are several (never a constant), the one itself when single.
        ([], []) => Some(NeverComputed::MatchesEveryEvent),
        ([], [one]) if property_expr_is_true(one) => {
            Some(NeverComputed::OnlyIncompletePropertyFilter)
        }
        ([], _) => None,
        // One event or action, nothing else: the expression is that entry's. Two or more
        // are combined with OR, and any property filter beside them with AND: neither is a
        // constant, even when every part matches every event.
        ([entry], []) => entry_is_true(entry),
        _ => None,
    }
}

/// Whether `_build_single_filter_expr(entry)` is the constant `true`.
fn entry_is_true(entry: &Value) -> Option<NeverComputed> {
    let entry = entry.as_object()?;
    let properties = entry.get("properties").filter(|p| truthy(p));
    match entry.get("type").and_then(Value::as_str) {
        // `event = id`, or `true` for "all events" (`id` absent or null); the entry's
        // properties are ANDed beside it, which is no longer a constant.
        Some("events") => match (entry.get("id"), properties) {
            (None | Some(Value::Null), None) => Some(NeverComputed::MatchesEveryEvent),
            _ => None,
        },
        // An action's expression comes from its steps, which this client does not see;
        // an entry without `id` is `1 = 2`. Either way, not flagged.
        Some("actions") => None,
        // Any other type adds no expression of its own: only the entry's properties remain.
        _ => match properties {
            None => Some(NeverComputed::MatchesEveryEvent),
            Some(p) if property_expr_is_true(p) => {
                Some(NeverComputed::OnlyIncompletePropertyFilter)
            }
            Some(_) => None,
        },
    }
}

/// Whether `property_to_expr(value)` is a constant true (`True` or `1`, which the runner's
/// `==` treats alike): an empty list, a list of one such item, or an object PostHog cannot
/// read as a property and so "pretends it's not there".
fn property_expr_is_true(value: &Value) -> bool {
    match value {
        Value::Array(items) => match items.as_slice() {
            [] => true,
            [one] => property_expr_is_true(one),
            _ => false,
        },
        Value::Object(p) => property_is_dropped(p),
        // Anything else makes PostHog raise, which fails the query rather than this rule.
        _ => false,
    }
}

/// Whether `Property(**p)` raises (so `property_to_expr` returns a constant) or the
/// property's value is an empty list (also a constant). Only the checks that hold for every
/// property type are modelled; a type PostHog rejects on its own is left to PostHog.
fn property_is_dropped(p: &Map<String, Value>) -> bool {
    // `key` is the one required argument: without it, TypeError.
    if !p.contains_key("key") {
        return true;
    }
    let operator = p.get("operator").and_then(Value::as_str);
    let needs_value = !matches!(operator, Some("is_set" | "is_not_set"));
    match p.get("value") {
        None | Some(Value::Null) => needs_value,
        // An empty list of alternatives compares with nothing: `Constant(1)` for the
        // property types the form offers (event, person, group, and session).
        Some(Value::Array(a)) if a.is_empty() => matches!(
            p.get("type").and_then(Value::as_str),
            None | Some("event" | "person" | "group" | "session")
        ),
        Some(_) => false,
    }
}

/// Python's truthiness of a JSON value, as PostHog's `if filters.get(...)` reads it.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn filters(v: Value) -> Filters {
        serde_json::from_value(v).expect("filters are an object")
    }

    fn count(v: Value) -> Reach {
        reach(&filters(v), &MetricMath::Count, None)
    }

    const EVERY: Reach = Reach::Never(NeverComputed::MatchesEveryEvent);
    const INCOMPLETE: Reach = Reach::Never(NeverComputed::OnlyIncompletePropertyFilter);
    const SHOWN: Reach = Reach::GroupAndPersonPages;

    #[test]
    fn a_sum_without_property_is_never_computed_whatever_its_source() {
        let paid = json!({"events": [{"id": "paid_bill", "type": "events"}]});
        let sum = |p: Option<&str>| reach(&filters(paid.clone()), &MetricMath::Sum, p);
        assert_eq!(sum(None), Reach::Never(NeverComputed::SumWithoutProperty));
        assert_eq!(
            sum(Some("")),
            Reach::Never(NeverComputed::SumWithoutProperty)
        );
        assert_eq!(sum(Some("amount")), SHOWN);
        let warehouse = filters(json!({"source": "data_warehouse", "table_name": "bills"}));
        assert_eq!(
            reach(&warehouse, &MetricMath::Sum, None),
            Reach::Never(NeverComputed::SumWithoutProperty)
        );
        // The rule is about sums only: an unknown math is counted by the runner.
        assert_eq!(
            reach(&filters(paid), &MetricMath::Other("median".into()), None),
            SHOWN
        );
    }

    #[test]
    fn filters_that_match_every_event_are_never_computed() {
        assert_eq!(count(json!({})), EVERY);
        assert_eq!(
            count(json!({"events": [], "actions": [], "properties": []})),
            EVERY
        );
        assert_eq!(
            count(json!({"properties": null, "filter_test_accounts": false})),
            EVERY
        );
        // PostHog's "All events" entry: `id` null (or absent), no properties of its own.
        assert_eq!(
            count(json!({"events": [{"id": null, "name": "All events", "type": "events"}]})),
            EVERY
        );
        assert_eq!(count(json!({"events": [{"type": "events"}]})), EVERY);
        // An entry of no known type adds nothing.
        assert_eq!(count(json!({"events": [{"id": "x"}]})), EVERY);
        // Any other source is read as events, as PostHog's `is_data_warehouse` does.
        assert_eq!(count(json!({"source": "events"})), EVERY);
        assert_eq!(count(json!({"source": "weird"})), EVERY);
    }

    #[test]
    fn an_event_an_action_or_a_property_filter_is_enough() {
        assert_eq!(
            count(json!({"events": [{"id": "paid_bill", "type": "events"}]})),
            SHOWN
        );
        // Even an empty name is `event = ''`, a real (if useless) filter.
        assert_eq!(
            count(json!({"events": [{"id": "", "type": "events"}]})),
            SHOWN
        );
        assert_eq!(
            count(json!({"actions": [{"id": 4, "type": "actions"}]})),
            SHOWN
        );
        assert_eq!(count(json!({"actions": [{"type": "actions"}]})), SHOWN);
        // Property filters alone do count: every event of the group that matches them.
        assert_eq!(
            count(json!({"events": [], "properties": [
                {"key": "plan", "value": ["pro"], "operator": "exact", "type": "event"}]})),
            SHOWN
        );
        assert_eq!(
            count(json!({"properties": [{"key": "plan", "operator": "is_set", "type": "person"}]})),
            SHOWN
        );
        // An "All events" entry with a property of its own.
        assert_eq!(
            count(json!({"events": [{"id": null, "type": "events",
                "properties": [{"key": "plan", "value": "pro"}]}]})),
            SHOWN
        );
    }

    #[test]
    fn several_parts_are_never_a_constant_even_when_each_matches_everything() {
        // OR of two "all events" entries, AND of an entry and an ignored property: PostHog
        // compares the whole expression with `true`, so these are computed.
        assert_eq!(
            count(
                json!({"events": [{"id": null, "type": "events"}, {"id": null, "type": "events"}]})
            ),
            SHOWN
        );
        assert_eq!(
            count(json!({"events": [{"id": null, "type": "events"}], "properties": [{}]})),
            SHOWN
        );
        assert_eq!(count(json!({"properties": [{}, {}]})), SHOWN);
    }

    #[test]
    fn test_accounts_filtering_may_make_it_computed() {
        // Whether it does depends on the project's test-account filters, which a personal
        // key's client cannot read: not flagged.
        assert_eq!(
            count(json!({"events": [], "filter_test_accounts": true})),
            SHOWN
        );
        // Python truthiness: a non-empty string is true, 0 is false.
        assert_eq!(count(json!({"filter_test_accounts": "false"})), SHOWN);
        assert_eq!(count(json!({"filter_test_accounts": 0})), EVERY);
    }

    #[test]
    fn a_property_filter_posthog_cannot_read_is_ignored() {
        // What the form's "Add property filter" writes before a value is typed.
        assert_eq!(
            count(json!({"properties": [{"key": "", "operator": "exact", "type": "event"}]})),
            INCOMPLETE
        );
        assert_eq!(count(json!({"properties": [{"value": "pro"}]})), INCOMPLETE);
        assert_eq!(
            count(json!({"properties": [{"key": "plan", "value": []}]})),
            INCOMPLETE
        );
        assert_eq!(
            count(json!({"events": [{"id": "x", "properties": [{"key": "plan"}]}]})),
            INCOMPLETE
        );
        // Counter-examples: a value, an operator without one, or an unmodelled type.
        assert_eq!(
            count(json!({"properties": [{"key": "plan", "value": "pro"}]})),
            SHOWN
        );
        assert_eq!(
            count(json!({"properties": [{"key": "plan", "operator": "is_not_set"}]})),
            SHOWN
        );
        assert_eq!(
            count(json!({"properties": [{"key": "x", "value": [], "type": "element"}]})),
            SHOWN
        );
    }

    #[test]
    fn shapes_posthog_fails_on_are_not_called_never_computed() {
        assert_eq!(count(json!({"events": null})), SHOWN);
        assert_eq!(count(json!({"events": {}})), SHOWN);
        assert_eq!(
            count(json!({"properties": {"type": "AND", "values": []}})),
            SHOWN
        );
        assert_eq!(count(json!({"properties": ["plan"]})), SHOWN);
        assert_eq!(count(json!({"events": ["paid_bill"]})), SHOWN);
    }

    #[test]
    fn data_warehouse_metrics_show_on_group_pages_only_and_are_never_flagged() {
        let dw = json!({"source": "data_warehouse", "table_name": "bills",
                        "timestamp_field": "ts", "key_field": "org"});
        assert_eq!(count(dw.clone()), Reach::GroupPagesOnly);
        assert_eq!(
            reach(&filters(dw), &MetricMath::Sum, Some("total")),
            Reach::GroupPagesOnly
        );
        // No filter at all is the normal case for a warehouse metric.
        assert_eq!(
            count(json!({"source": "data_warehouse"})),
            Reach::GroupPagesOnly
        );
        assert!(Reach::GroupPagesOnly.text().contains("Group pages only"));
        assert_eq!(Reach::GroupPagesOnly.never(), None);
    }

    #[test]
    fn the_texts_say_never_and_why() {
        assert_eq!(
            NeverComputed::MatchesEveryEvent.text(),
            "PostHog never computes this metric: it matches every event (no event, action or property filter)."
        );
        assert_eq!(
            NeverComputed::SumWithoutProperty.text(),
            "PostHog never computes this metric: a sum needs a property to sum."
        );
        assert_eq!(EVERY.text(), NeverComputed::MatchesEveryEvent.text());
        assert_eq!(EVERY.never(), Some(NeverComputed::MatchesEveryEvent));
        assert!(SHOWN.text().contains("person pages"));
    }

    #[test]
    fn a_metric_and_its_draft_agree() {
        let metric: Metric = serde_json::from_value(json!({
            "id": "m", "name": "Everything", "filters": {"events": [], "actions": [], "properties": []}}))
        .expect("a metric");
        assert_eq!(Reach::of_metric(&metric), EVERY);
        assert_eq!(Reach::of_draft(&MetricDraft::from(&metric)), EVERY);
    }
}
