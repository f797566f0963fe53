//! The metric form's values as typed, how they become a draft to validate and send, and how
//! a save's failure is placed on the form.

use posthog_groups::computed::{NeverComputed, Reach};
use posthog_groups::merge::{merge_metric, MetricField, MetricMerge};
use posthog_groups::placement::{self, Placed};
use posthog_groups::validate::{metric_draft, unchosen_action, FieldErrors};
use posthog_groups::{
    ApiError, Connection, Filters, Metric, MetricDisplay, MetricDraft, MetricFormat, MetricMath,
};

use crate::api;

/// Interval presets PostHog's own UI offers (any whole number of days is allowed).
pub const INTERVAL_PRESETS: [i64; 3] = [7, 30, 90];

/// Reads the interval field: a whole number of days.
pub fn parse_interval(text: &str) -> Result<i64, String> {
    text.trim()
        .parse::<i64>()
        .map_err(|_| "Enter a whole number of days, such as 7, 30 or 90.".to_string())
}

/// The form's fields; text fields are kept as typed so nothing is lost on an error.
#[derive(Clone, Debug, PartialEq)]
pub struct FormValues {
    /// Name as typed.
    pub name: String,
    /// Interval as typed.
    pub interval: String,
    /// Number format.
    pub format: MetricFormat,
    /// Display.
    pub display: MetricDisplay,
    /// Count or sum.
    pub math: MetricMath,
    /// Property (or column) to sum, as typed.
    pub property: String,
    /// The filters object, edited in place.
    pub filters: Filters,
}

impl FormValues {
    /// The form showing `draft`.
    pub fn from_draft(d: &MetricDraft) -> FormValues {
        FormValues {
            name: d.name.clone(),
            interval: d.interval.to_string(),
            format: d.format.clone(),
            display: d.display.clone(),
            math: d.math.clone(),
            property: d.math_property.clone().unwrap_or_default(),
            filters: d.filters.clone(),
        }
    }

    /// The draft to send, and per-field messages (keyed by the server's `attr` names).
    /// `taken` are the other metrics' names in the group type.
    pub fn to_draft<'a>(
        &self,
        taken: impl IntoIterator<Item = &'a str>,
    ) -> (MetricDraft, FieldErrors) {
        let interval = parse_interval(&self.interval);
        let property = self.property.trim();
        // Count has no property: PostHog rejects one, so the form never sends it.
        let math_property = match self.math {
            MetricMath::Count => None,
            _ => (!property.is_empty()).then(|| property.to_owned()),
        };
        let draft = MetricDraft {
            name: self.name.trim().to_owned(),
            format: self.format.clone(),
            interval: *interval.as_ref().unwrap_or(&0),
            display: self.display.clone(),
            filters: self.filters.clone(),
            math: self.math.clone(),
            math_property,
        };
        let mut errors = metric_draft(&draft, taken);
        if let Err(e) = interval {
            errors.insert("interval", e);
        }
        if let Some(n) = unchosen_action(&draft.filters) {
            errors.entry("filters").or_insert_with(|| {
                format!("Action {n} has no action chosen: pick one from its list, or remove it.")
            });
        }
        (draft, errors)
    }
}

/// What the form says before saving a metric PostHog would never compute. A warning, not an
/// error: such a metric may be saved (to be finished later, or on purpose), except a sum
/// without property, which the server refuses and the Property field's own check stops.
pub fn never_computed_warning(draft: &MetricDraft) -> Option<String> {
    let why = Reach::of_draft(draft).never()?;
    Some(match why {
        NeverComputed::SumWithoutProperty => why.text().to_owned(),
        _ => format!(
            "{} You can still save it, but no PostHog page shows it until it has a filter.",
            why.text()
        ),
    })
}

/// The controls that can take focus for a field's message, best first: a data-warehouse
/// input is not on screen while the filters are edited as raw JSON.
pub fn controls_of(field: &str) -> &'static [&'static str] {
    match field {
        "interval" => &["metric-interval"],
        "format" => &["metric-format"],
        "display" => &["metric-display"],
        "math" => &["metric-math-count"],
        "math_property" => &["metric-property"],
        "filters" => &["filters-source-events"],
        "filters.table_name" => &["filters-table_name", "filters-raw"],
        "filters.timestamp_field" => &["filters-timestamp_field", "filters-raw"],
        "filters.key_field" => &["filters-key_field", "filters-raw"],
        _ => &["metric-name"],
    }
}

/// Why a save failed: the server's error, the draft it judged, the message it puts on one
/// field (if any), and the group type's names when they were read again.
#[derive(Clone, Debug, PartialEq)]
pub struct SaveFailure {
    /// What the server (or the network) answered.
    pub error: ApiError,
    /// The draft that was sent.
    pub sent: MetricDraft,
    /// The field the answer is about, with its message; `None` shows a panel.
    pub placed: Option<Placed>,
    /// Every other metric's name in the group type, read again after a bare 500.
    pub names: Option<Vec<String>>,
}

/// What the server holds now, compared with the edit, before anything is sent.
#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    /// No conflict: send the merge's patch (the server's own changes are in `taken`).
    Send(MetricMerge),
    /// Both sides changed a field: nothing is sent until the user settles each one.
    Conflict(MetricMerge),
    /// The metric is gone from the server.
    Deleted,
}

/// Compares the edit `mine` of `base` (what the form opened with) with `now`, the server's
/// answer read just before saving.
pub fn check(
    base: &Metric,
    now: Result<Metric, ApiError>,
    mine: &MetricDraft,
) -> Result<Check, ApiError> {
    let theirs = match now {
        Ok(m) => MetricDraft::from(&m),
        Err(ApiError::NotFound { .. }) => return Ok(Check::Deleted),
        Err(e) => return Err(e),
    };
    let merge = merge_metric(&MetricDraft::from(base), &theirs, mine);
    Ok(if merge.conflicts.is_empty() {
        Check::Send(merge)
    } else {
        Check::Conflict(merge)
    })
}

/// Why a save stopped before or after sending.
#[derive(Clone, Debug, PartialEq)]
pub enum Stopped {
    /// The server (or the network) refused; see [`SaveFailure`].
    Failed(SaveFailure),
    /// The metric changed on the server in a field the user changed too.
    Conflict {
        /// The merge to settle.
        merge: Box<MetricMerge>,
        /// The metric as the server holds it now: the next save's base.
        now: Metric,
    },
    /// The metric was deleted since the form opened.
    Deleted,
}

/// A save that went through: the metric as stored, and the fields taken from the server.
#[derive(Clone, Debug, PartialEq)]
pub struct Saved {
    /// The metric as the server stored it.
    pub metric: Metric,
    /// Fields changed elsewhere since the form opened, kept as the server had them.
    pub taken: Vec<MetricField>,
    /// False when the server already held every change, so nothing was sent.
    pub sent: bool,
}

/// Creates `draft` (no `original`), or edits `original`: the metric is read again first and
/// merged with the edit ([`check`]), so a change made elsewhere is kept, a field both sides
/// changed stops the save, and only what the user changed is sent. A bare 500 may be
/// PostHog's uncaught unique-name constraint (another tab or user took the name since the
/// form loaded its names): then the names are read again, once, and a match is told on Name.
pub async fn save(
    conn: &Connection,
    index: u32,
    original: Option<&Metric>,
    draft: &MetricDraft,
) -> Result<Saved, Stopped> {
    let failure_of = |error: ApiError| SaveFailure {
        placed: placement::place(&error, draft),
        error,
        sent: draft.clone(),
        names: None,
    };
    let failed = |error: ApiError| Stopped::Failed(failure_of(error));
    let (result, sent_name, taken) = match original {
        None => (
            api::create_metric(conn, index, draft).await,
            true,
            Vec::new(),
        ),
        Some(m) => {
            let now = api::get_metric_now(conn, index, &m.id).await;
            let server = now.as_ref().ok().cloned();
            let merge = match check(m, now, draft).map_err(failed)? {
                Check::Send(merge) => merge,
                Check::Deleted => return Err(Stopped::Deleted),
                Check::Conflict(merge) => {
                    // `check` finds a conflict only in an answer it read.
                    let now = server.unwrap_or_else(|| m.clone());
                    return Err(Stopped::Conflict {
                        merge: Box::new(merge),
                        now,
                    });
                }
            };
            let patch = merge.patch();
            if let (true, Some(metric)) = (patch.is_empty(), server) {
                // The server already holds every change (made elsewhere too): nothing to send.
                return Ok(Saved {
                    metric,
                    taken: merge.taken,
                    sent: false,
                });
            }
            let sent_name = patch.name.is_some();
            (
                api::update_metric(conn, index, &m.id, &patch).await,
                sent_name,
                merge.taken,
            )
        }
    };
    let error = match result {
        Ok(metric) => {
            return Ok(Saved {
                metric,
                taken,
                sent: true,
            })
        }
        Err(e) => e,
    };
    let mut failure = failure_of(error);
    if placement::may_be_duplicate_name(&failure.error, sent_name) {
        // If the names cannot be read either, the 500 is shown as it came.
        if let Ok(list) = api::all_metrics(conn, index).await {
            let own = original.map(|m| m.id.as_str());
            failure.placed = placement::name_taken_meanwhile(
                &draft.name,
                own,
                list.iter().map(|m| (m.id.as_str(), m.name.as_str())),
            );
            failure.names = Some(
                list.into_iter()
                    .filter(|m| Some(m.id.as_str()) != own)
                    .map(|m| m.name)
                    .collect(),
            );
        }
    }
    Err(Stopped::Failed(failure))
}

/// What the confirmation adds when changes made elsewhere were kept.
pub fn taken_text(taken: &[MetricField]) -> Option<String> {
    let names: Vec<&str> = taken.iter().map(|f| f.label()).collect();
    match names.as_slice() {
        [] => None,
        [one] => Some(format!("Kept the change made elsewhere to {one}.")),
        [rest @ .., last] => Some(format!(
            "Kept the changes made elsewhere to {} and {last}.",
            rest.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> FormValues {
        FormValues::from_draft(&MetricDraft {
            name: "Seats".into(),
            ..MetricDraft::default()
        })
    }

    #[test]
    fn a_default_count_is_valid_and_trimmed() {
        let mut v = values();
        v.name = "  Seats ".into();
        let (draft, errors) = v.to_draft([]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(draft.name, "Seats");
        assert_eq!(draft.interval, 7);
    }

    #[test]
    fn count_drops_the_property_and_sum_needs_one() {
        let mut v = values();
        v.property = "amount".into();
        assert_eq!(v.to_draft([]).0.math_property, None);
        v.math = MetricMath::Sum;
        assert_eq!(v.to_draft([]).0.math_property.as_deref(), Some("amount"));
        v.property = "  ".into();
        assert!(v.to_draft([]).1.contains_key("math_property"));
    }

    #[test]
    fn interval_must_be_a_whole_number_and_names_unique() {
        let mut v = values();
        v.interval = "14".into();
        assert_eq!(v.to_draft([]).0.interval, 14);
        v.interval = "two weeks".into();
        assert!(v.to_draft([]).1["interval"].contains("whole number"));
        v.interval = "0".into();
        assert!(v.to_draft([]).1.contains_key("interval"));
        assert!(values().to_draft(["Seats"]).1["name"].contains("already"));
    }

    #[test]
    fn the_form_warns_before_saving_a_metric_posthog_never_computes() {
        // The default form: no event, action or property filter.
        let (draft, errors) = values().to_draft([]);
        assert!(errors.is_empty(), "a warning, not a block: {errors:?}");
        let warning = never_computed_warning(&draft).unwrap_or_default();
        assert!(warning.contains("matches every event"), "{warning}");
        assert!(warning.contains("You can still save it"), "{warning}");

        // A sum whose property is only spaces is a sum without property.
        let mut v = values();
        v.math = MetricMath::Sum;
        v.property = "  ".into();
        v.filters = serde_json::from_value(serde_json::json!({"events": [
            {"id": "paid_bill", "name": "paid_bill", "type": "events", "order": 0}]}))
        .unwrap();
        let warning = never_computed_warning(&v.to_draft([]).0).unwrap_or_default();
        assert_eq!(
            warning,
            "PostHog never computes this metric: a sum needs a property to sum."
        );

        // Counter-examples: a property to sum, and a data-warehouse source.
        v.property = "amount".into();
        assert_eq!(never_computed_warning(&v.to_draft([]).0), None);
        v.filters =
            serde_json::from_value(serde_json::json!({"source": "data_warehouse"})).unwrap();
        assert_eq!(never_computed_warning(&v.to_draft([]).0), None);
    }

    #[test]
    fn every_field_of_the_form_has_a_control_to_focus() {
        use posthog_groups::validate::METRIC_FORM_FIELDS;
        for field in METRIC_FORM_FIELDS {
            let ids = controls_of(field);
            assert!(!ids.is_empty(), "{field}");
            // Only Name itself falls back to the name input.
            assert_eq!(ids == ["metric-name"], field == "name", "{field}");
        }
        assert_eq!(controls_of("filters.table_name")[0], "filters-table_name");
    }

    #[test]
    fn empty_warehouse_inputs_are_flagged_each_on_its_own() {
        let mut v = values();
        v.filters = serde_json::from_value(
            serde_json::json!({"source": "data_warehouse", "table_name": "t"}),
        )
        .unwrap();
        let errors = v.to_draft([]).1;
        assert_eq!(
            errors.keys().copied().collect::<Vec<_>>(),
            ["filters.key_field", "filters.timestamp_field"]
        );
    }

    fn stored(interval: i64) -> Metric {
        Metric {
            id: "m1".into(),
            name: "Seats".into(),
            format: MetricFormat::Numeric,
            interval,
            display: MetricDisplay::Number,
            filters: Filters::default(),
            math: MetricMath::Count,
            math_property: None,
        }
    }

    #[test]
    fn a_save_checks_the_metric_read_again() {
        let base = stored(7);
        let mut mine = MetricDraft::from(&base);
        mine.name = "Seats bought".into();
        // Changed elsewhere in another field: merged, and only the name is sent.
        let Ok(Check::Send(m)) = check(&base, Ok(stored(30)), &mine) else {
            panic!("expected a merge to send");
        };
        assert_eq!(m.taken, [MetricField::Interval]);
        assert_eq!(m.patch().name.as_deref(), Some("Seats bought"));
        assert_eq!(m.patch().interval, None);
        assert_eq!(
            taken_text(&m.taken).as_deref(),
            Some("Kept the change made elsewhere to Interval.")
        );
        // Both changed the interval: a conflict.
        mine.interval = 90;
        assert!(matches!(
            check(&base, Ok(stored(30)), &mine),
            Ok(Check::Conflict(m)) if m.conflicts == [MetricField::Interval]
        ));
        // Deleted meanwhile.
        let gone = Err(ApiError::NotFound {
            body: Box::default(),
        });
        assert_eq!(check(&base, gone, &mine), Ok(Check::Deleted));
        // Any other failure is the save's error.
        assert!(matches!(
            check(&base, Err(ApiError::Throttled { retry_after: None }), &mine),
            Err(ApiError::Throttled { .. })
        ));
        assert_eq!(
            taken_text(&[
                MetricField::Interval,
                MetricField::Format,
                MetricField::Name
            ])
            .as_deref(),
            Some("Kept the changes made elsewhere to Interval, Format and Name.")
        );
    }
}
