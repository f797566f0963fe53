//! A metric's daily series as a small bar chart (PostHog's card draws its sparkline as bars),
//! and the same series in words for people who cannot see it.

use crate::format;
use crate::model::MetricFormat;

/// One day's bar, in the chart's own units (0,0 is the top left).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bar {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width (the slot minus a gap).
    pub width: f64,
    /// Height; 0 for a day at the baseline.
    pub height: f64,
}

/// The bars and the zero line of a series in a `width` × `height` box.
#[derive(Clone, Debug, PartialEq)]
pub struct Geometry {
    /// One bar per value, left to right.
    pub bars: Vec<Bar>,
    /// Where zero is, from the top: the bottom unless some values are negative.
    pub baseline: f64,
}

/// Share of each day's slot left empty between bars.
const GAP: f64 = 0.2;

/// Lays out `values` as bars that fill `width` × `height`. The scale always includes zero,
/// so bars grow from the baseline (up, or down for negative values); a series of zeros (or
/// none) has flat bars on the bottom edge, and nothing is ever divided by zero.
pub fn geometry(values: &[f64], width: f64, height: f64) -> Geometry {
    let clean = |v: f64| if v.is_finite() { v } else { 0.0 };
    let hi = values.iter().copied().map(clean).fold(0.0_f64, f64::max);
    let lo = values.iter().copied().map(clean).fold(0.0_f64, f64::min);
    // Halves, so that even the largest doubles of both signs cannot overflow to infinity.
    let half_span = hi / 2.0 - lo / 2.0;
    let y_of = |v: f64| {
        if half_span > 0.0 {
            (hi / 2.0 - v / 2.0) / half_span * height
        } else {
            height
        }
    };
    let baseline = y_of(0.0);
    if values.is_empty() {
        return Geometry {
            bars: vec![],
            baseline,
        };
    }
    let slot = width / values.len() as f64;
    let bar_width = slot * (1.0 - GAP);
    let bars = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let y = y_of(clean(*v));
            Bar {
                x: i as f64 * slot + (slot - bar_width) / 2.0,
                y: y.min(baseline),
                width: bar_width,
                height: (y - baseline).abs(),
            }
        })
        .collect();
    Geometry { bars, baseline }
}

/// The series in words, for the chart's text alternative: "8 days from 2026-11-20 to
/// 2026-11-27: first 3, last 5, lowest 0, highest 9". Values as `format` says; dates when
/// the labels are there.
pub fn describe(values: &[f64], labels: Option<&[String]>, fmt: &MetricFormat) -> String {
    let (Some(first), Some(last)) = (values.first(), values.last()) else {
        return "No daily values".into();
    };
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let f = |v: f64| format::value(fmt, v);
    let span = match values.len() {
        1 => "1 day".to_string(),
        n => format!("{n} days"),
    };
    let dates = labels
        .and_then(|l| Some((day(l.first()?), day(l.last()?))))
        .filter(|(a, b)| !a.is_empty() && !b.is_empty())
        .map(|(a, b)| {
            if a == b {
                format!(" on {a}")
            } else {
                format!(" from {a} to {b}")
            }
        })
        .unwrap_or_default();
    format!(
        "Daily values, {span}{dates}: first {}, last {}, lowest {}, highest {}",
        f(*first),
        f(*last),
        f(min),
        f(max)
    )
}

/// One day's value in words, for hover and keyboard focus: "2026-11-27: 5", or "Day 3 of 8:
/// 5" without labels.
pub fn day_text(
    values: &[f64],
    labels: Option<&[String]>,
    i: usize,
    fmt: &MetricFormat,
) -> Option<String> {
    let v = *values.get(i)?;
    let when = labels
        .and_then(|l| l.get(i))
        .map(|l| day(l))
        .filter(|d| !d.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("Day {} of {}", i + 1, values.len()));
    Some(format!("{when}: {}", format::value(fmt, v)))
}

/// The date part of an ISO label (`2026-11-27T00:00:00Z` reads as `2026-11-27`).
fn day(label: &str) -> &str {
    let label = label.trim();
    match label.split_once('T') {
        Some((date, _)) if date.len() == 10 => date,
        _ => label,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn bars_fill_the_box_from_the_baseline() {
        let g = geometry(&[0.0, 5.0, 10.0], 30.0, 20.0);
        assert_eq!(g.baseline, 20.0);
        assert_eq!(g.bars.len(), 3);
        assert!(close(g.bars[0].x, 1.0) && close(g.bars[0].width, 8.0));
        assert!(close(g.bars[2].x, 21.0));
        assert_eq!(g.bars[0].height, 0.0);
        assert!(close(g.bars[1].height, 10.0) && close(g.bars[1].y, 10.0));
        assert!(close(g.bars[2].height, 20.0) && close(g.bars[2].y, 0.0));
    }

    #[test]
    fn a_flat_series_is_full_height_and_all_zeros_lie_on_the_bottom() {
        let g = geometry(&[4.0, 4.0, 4.0, 4.0], 40.0, 10.0);
        assert!(g
            .bars
            .iter()
            .all(|b| close(b.height, 10.0) && close(b.y, 0.0)));
        let g = geometry(&[0.0; 5], 50.0, 10.0);
        assert_eq!(g.baseline, 10.0);
        assert!(g
            .bars
            .iter()
            .all(|b| b.height == 0.0 && b.y == 10.0 && b.x.is_finite()));
    }

    #[test]
    fn one_point_or_none_does_not_divide_by_zero() {
        let g = geometry(&[7.0], 100.0, 10.0);
        assert_eq!(g.bars.len(), 1);
        assert!(close(g.bars[0].x, 10.0) && close(g.bars[0].width, 80.0));
        assert!(close(g.bars[0].height, 10.0));
        let g = geometry(&[], 100.0, 10.0);
        assert!(g.bars.is_empty());
        assert_eq!(g.baseline, 10.0);
        let g = geometry(&[f64::NAN, 2.0], 10.0, 10.0);
        assert!(g
            .bars
            .iter()
            .all(|b| b.y.is_finite() && b.height.is_finite()));
    }

    #[test]
    fn the_largest_numbers_of_both_signs_stay_in_the_box() {
        let g = geometry(&[f64::MAX, -f64::MAX], 10.0, 10.0);
        assert!(close(g.baseline, 5.0));
        assert!(g
            .bars
            .iter()
            .all(|b| b.y.is_finite() && close(b.height, 5.0)));
    }

    #[test]
    fn negative_values_hang_below_the_zero_line() {
        let g = geometry(&[-5.0, 5.0], 20.0, 10.0);
        assert!(close(g.baseline, 5.0));
        assert!(close(g.bars[0].y, 5.0) && close(g.bars[0].height, 5.0));
        assert!(close(g.bars[1].y, 0.0) && close(g.bars[1].height, 5.0));
    }

    #[test]
    fn the_text_alternative_names_first_last_lowest_and_highest() {
        let labels: Vec<String> = ["2026-11-25", "2026-11-26", "2026-11-27T00:00:00Z"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            describe(&[3.0, 0.0, 1234.5], Some(&labels), &MetricFormat::Numeric),
            "Daily values, 3 days from 2026-11-25 to 2026-11-27: first 3, last 1,234.5, lowest 0, highest 1,234.5"
        );
        assert_eq!(
            describe(&[2.0], None, &MetricFormat::Currency),
            "Daily values, 1 day: first $2.00, last $2.00, lowest $2.00, highest $2.00"
        );
        assert_eq!(
            describe(&[], None, &MetricFormat::Numeric),
            "No daily values"
        );
        assert_eq!(
            day_text(&[3.0, 0.0, 1.0], Some(&labels), 2, &MetricFormat::Numeric).as_deref(),
            Some("2026-11-27: 1")
        );
        assert_eq!(
            day_text(&[3.0, 0.0], None, 0, &MetricFormat::Numeric).as_deref(),
            Some("Day 1 of 2: 3")
        );
        assert_eq!(day_text(&[3.0], None, 5, &MetricFormat::Numeric), None);
    }
}
