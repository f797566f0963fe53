//! The metric form's values as typed, and how they become a draft to validate and send.

use posthog_groups::validate::{metric_draft, FieldErrors};
use posthog_groups::{Filters, MetricDisplay, MetricDraft, MetricFormat, MetricMath};

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
        (draft, errors)
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
}
