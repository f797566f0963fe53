//! Numbers as PostHog's group page writes them (its `UsageMetricCard` and
//! `lib/utils/numbers.ts`): grouped values (`humanFriendlyNumber`), compact ones
//! (`humanFriendlyLargeNumber`), dollars (`humanFriendlyCurrency`), the change from the
//! previous period, and "Last N days".
//!
//! PostHog formats with the browser's `Intl` (`toLocaleString('en-US', …)`), which rounds the
//! shortest decimal that reads back as the number, half away from zero; `toPrecision` rounds
//! the number's exact binary value. Both are done here on decimal digits, so the text is the
//! same as PostHog's for every number, not only for the easy ones.

use crate::model::MetricFormat;
use crate::usage::MetricValue;

/// The minus sign of a change (U+2212), which reads as "minus" and lines up with "+".
pub const MINUS: char = '\u{2212}';

/// A non-negative decimal `0.d₁d₂… × 10^point`, digits without trailing zeros.
#[derive(Clone, Debug, PartialEq)]
struct Decimal {
    digits: Vec<u8>,
    point: i64,
}

impl Decimal {
    /// The shortest digits that read back as `x` (what `Intl` starts from).
    fn shortest(x: f64) -> Decimal {
        Decimal::from_scientific(&format!("{:e}", x.abs()))
    }

    /// Every digit of `x`'s binary value (what `toPrecision` rounds). 800 digits hold the
    /// longest expansion a double has (a subnormal's, under 770).
    fn exact(x: f64) -> Decimal {
        Decimal::from_scientific(&format!("{:.800e}", x.abs()))
    }

    /// Reads Rust's `d.ddde±x` form.
    fn from_scientific(text: &str) -> Decimal {
        let (mantissa, exponent) = text.split_once('e').unwrap_or((text, "0"));
        let exponent: i64 = exponent.parse().unwrap_or(0);
        let mut digits: Vec<u8> = mantissa
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect();
        while digits.last() == Some(&0) {
            digits.pop();
        }
        let leading = digits.iter().take_while(|d| **d == 0).count();
        digits.drain(..leading);
        let point = exponent + 1 - leading as i64;
        Decimal { digits, point }
    }

    fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// Keeps the first `keep` digits, rounding half up (away from zero) on the next one.
    fn round_to(mut self, keep: i64) -> Decimal {
        if keep < 0 || self.is_zero() {
            return Decimal {
                digits: vec![],
                point: 0,
            };
        }
        let keep = keep as usize;
        if keep >= self.digits.len() {
            return self;
        }
        let up = self.digits[keep] >= 5;
        self.digits.truncate(keep);
        if up {
            let mut i = keep;
            loop {
                if i == 0 {
                    self.digits.insert(0, 1);
                    self.point += 1;
                    break;
                }
                i -= 1;
                if self.digits[i] == 9 {
                    self.digits[i] = 0;
                } else {
                    self.digits[i] += 1;
                    break;
                }
            }
        }
        while self.digits.last() == Some(&0) {
            self.digits.pop();
        }
        if self.is_zero() {
            self.point = 0;
        }
        self
    }

    /// Rounded to at most `fraction` digits after the point.
    fn round_fraction(self, fraction: i64) -> Decimal {
        let keep = self.point + fraction;
        self.round_to(keep)
    }

    /// Rounded to at most `significant` digits.
    fn round_significant(self, significant: i64) -> Decimal {
        self.round_to(significant)
    }

    /// `1,234.5`: the integer part grouped by thousands, at least `min_fraction` digits after
    /// the point (padded with zeros).
    fn grouped(&self, min_fraction: usize) -> String {
        let digit = |i: i64| -> char {
            usize::try_from(i)
                .ok()
                .and_then(|i| self.digits.get(i))
                .map_or('0', |d| char::from(b'0' + d))
        };
        let int_len = self.point.max(0);
        let int: String = if int_len == 0 {
            "0".into()
        } else {
            (0..int_len).map(digit).collect()
        };
        let mut out = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        let frac_len = (self.digits.len() as i64 - self.point).max(0);
        let mut frac: String = (self.point..self.point + frac_len).map(digit).collect();
        while frac.len() < min_fraction {
            frac.push('0');
        }
        if !frac.is_empty() {
            out.push('.');
            out.push_str(&frac);
        }
        out
    }

    /// Back to a number (the rounded value, as `parseFloat` would read it).
    fn to_f64(&self) -> f64 {
        if self.is_zero() {
            return 0.0;
        }
        let digits: String = self.digits.iter().map(|d| char::from(b'0' + d)).collect();
        format!("0.{digits}e{}", self.point).parse().unwrap_or(0.0)
    }
}

/// `x` with thousands grouped and at most two decimals: `1,234.5` (PostHog's
/// `humanFriendlyNumber`). A value that rounds to zero has no sign.
pub fn grouped(x: f64) -> String {
    two_decimals(x, "", 0)
}

/// Dollars with two decimals: `$1,234.50` (PostHog's `humanFriendlyCurrency`, which only
/// knows dollars). A negative amount is `-$12.00`, where PostHog would write `$-12.00`.
pub fn currency(x: f64) -> String {
    two_decimals(x, "$", 2)
}

/// `x` rounded to two decimals, grouped, with at least `min_decimals` and `unit` after the
/// sign; a value that rounds to zero has no sign.
fn two_decimals(x: f64, unit: &str, min_decimals: usize) -> String {
    if !x.is_finite() {
        return non_finite(x);
    }
    let d = Decimal::shortest(x).round_fraction(2);
    let sign = if x < 0.0 && !d.is_zero() { "-" } else { "" };
    format!("{sign}{unit}{}", d.grouped(min_decimals))
}

/// Three significant digits and a K/M/B/T suffix: `1.23K`, `-4M` (PostHog's
/// `humanFriendlyLargeNumber`, the big number of its card).
pub fn compact(x: f64) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "NaN".into()
        } else if x > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let prefix = if x < 0.0 { "-" } else { "" };
    // `parseFloat(d.toPrecision(3))`, then divided as PostHog does, in floating point.
    let d = Decimal::exact(x).round_significant(3).to_f64();
    let (scaled, suffix) = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")]
        .into_iter()
        .find(|(unit, _)| d >= *unit)
        .map_or((d, ""), |(unit, suffix)| (d / unit, suffix));
    format!("{prefix}{}{suffix}", js_number(scaled))
}

/// JavaScript's `Number.prototype.toString` for a finite number: the shortest digits, plain
/// between 1e-6 and 1e21, else in exponent form.
fn js_number(x: f64) -> String {
    let a = x.abs();
    if a != 0.0 && !(1e-6..1e21).contains(&a) {
        let text = format!("{x:e}");
        return match text.split_once('e') {
            Some((m, e)) if !e.starts_with('-') => format!("{m}e+{e}"),
            _ => text,
        };
    }
    format!("{x}")
}

fn non_finite(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x > 0.0 {
        "∞".into()
    } else {
        "-∞".into()
    }
}

/// A metric's value as its `format` says: currency in dollars, else grouped.
pub fn value(format: &MetricFormat, x: f64) -> String {
    match format {
        MetricFormat::Currency => currency(x),
        _ => grouped(x),
    }
}

/// The big number of PostHog's card: dollars for currency, else compact.
pub fn card_value(format: &MetricFormat, x: f64) -> String {
    match format {
        MetricFormat::Currency => currency(x),
        _ => compact(x),
    }
}

/// A magnitude in percent as PostHog's `formatPercentage` writes it: two significant digits
/// (`12%`, `1.3%`, `150%`), compact from 1000 on (`1.23K%`).
fn percent(magnitude: f64) -> String {
    if magnitude >= 1000.0 {
        return format!("{}%", compact(magnitude));
    }
    // `Intl`'s percent style multiplies the shortest digits of x/100 by 100, exactly.
    let mut d = Decimal::shortest(magnitude / 100.0);
    if !d.is_zero() {
        d.point += 2;
    }
    format!("{}%", d.round_significant(2).grouped(0))
}

/// The change from the previous period: `+12%`, `−8%` (U+2212), `0%`; `None` when there is
/// nothing to compare with (PostHog sends null when the previous period is 0).
pub fn change(pct: Option<f64>) -> Option<String> {
    let pct = pct.filter(|p| p.is_finite())?;
    let text = percent(pct.abs());
    let sign = match trend(pct) {
        Trend::Up => "+".to_string(),
        Trend::Down => MINUS.to_string(),
        Trend::Flat => String::new(),
    };
    Some(format!("{sign}{text}"))
}

/// Which way a value moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trend {
    /// Higher than the previous period.
    Up,
    /// Lower than the previous period.
    Down,
    /// The same.
    Flat,
}

/// The direction of a change in percent.
pub fn trend(pct: f64) -> Trend {
    if pct > 0.0 {
        Trend::Up
    } else if pct < 0.0 {
        Trend::Down
    } else {
        Trend::Flat
    }
}

/// "Last 7 days", "Last 1 day": the window a value covers, as the card's footer says it.
pub fn last_days(n: i64) -> String {
    if n == 1 {
        "Last 1 day".into()
    } else {
        format!("Last {n} days")
    }
}

/// PostHog's card tooltip in words: "Increased by 12%, to 1,234 from 1,100", "Unchanged at
/// 5", or the value alone when there is nothing to compare with.
pub fn comparison(v: &MetricValue) -> String {
    let now = value(&v.format, v.value.unwrap_or(0.0));
    let before = value(&v.format, v.previous.unwrap_or(0.0));
    match v.change_from_previous_pct.filter(|p| p.is_finite()) {
        Some(p) => match trend(p) {
            Trend::Up => format!("Increased by {}, to {now} from {before}", percent(p)),
            Trend::Down => format!("Decreased by {}, to {now} from {before}", percent(-p)),
            Trend::Flat => format!("Unchanged at {now}"),
        },
        None => format!("{now}; no data in the {} before", days(v.interval)),
    }
}

fn days(n: i64) -> String {
    if n == 1 {
        "day".into()
    } else {
        format!("{n} days")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_numbers_match_humanfriendlynumber() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "0"),
            (7.0, "7"),
            (1234.0, "1,234"),
            (1234567.891, "1,234,567.89"),
            (-1234.5, "-1,234.5"),
            (0.5, "0.5"),
            (0.125, "0.13"),
            (0.004, "0"),
            (-0.004, "0"),
            (0.005, "0.01"),
            // Intl rounds the shortest digits, "1.005", so up; toFixed would say 1.00.
            (1.005, "1.01"),
            (999.999, "1,000"),
            (1e21, "1,000,000,000,000,000,000,000"),
            (12.0, "12"),
        ];
        for (x, want) in cases {
            assert_eq!(grouped(*x), *want, "{x}");
        }
    }

    #[test]
    fn currency_has_a_dollar_sign_and_two_decimals() {
        assert_eq!(currency(0.0), "$0.00");
        assert_eq!(currency(1234.5), "$1,234.50");
        assert_eq!(currency(19.999), "$20.00");
        assert_eq!(currency(0.1 + 0.2), "$0.30");
        assert_eq!(currency(-12.0), "-$12.00");
        assert_eq!(currency(1_000_000.0), "$1,000,000.00");
        assert_eq!(value(&MetricFormat::Currency, 3.0), "$3.00");
        assert_eq!(
            value(&MetricFormat::Other("percentage".into()), 3.0),
            "3",
            "unknown formats are numbers"
        );
    }

    #[test]
    fn compact_numbers_match_humanfriendlylargenumber() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (12.0, "12"),
            (999.0, "999"),
            (1000.0, "1K"),
            (1234.0, "1.23K"),
            (1235.0, "1.24K"),
            (-1500.0, "-1.5K"),
            (999_999.0, "1M"),
            (2_500_000_000.0, "2.5B"),
            (7.1e12, "7.1T"),
            (0.123_45, "0.123"),
            (1.005, "1"),
            (0.000_000_123, "1.23e-7"),
        ];
        for (x, want) in cases {
            assert_eq!(compact(*x), *want, "{x}");
        }
        assert_eq!(card_value(&MetricFormat::Numeric, 1234.0), "1.23K");
        assert_eq!(card_value(&MetricFormat::Currency, 1234.0), "$1,234.00");
    }

    #[test]
    fn change_is_signed_with_a_true_minus_and_absent_without_a_previous_period() {
        assert_eq!(change(Some(12.0)).as_deref(), Some("+12%"));
        assert_eq!(change(Some(-8.0)).as_deref(), Some("\u{2212}8%"));
        assert_eq!(change(Some(0.0)).as_deref(), Some("0%"));
        assert_eq!(
            change(Some(33.333_333_333_333_336)).as_deref(),
            Some("+33%")
        );
        assert_eq!(
            change(Some(-66.666_666_666_666_67)).as_deref(),
            Some("\u{2212}67%")
        );
        assert_eq!(change(Some(1.25)).as_deref(), Some("+1.3%"));
        assert_eq!(change(Some(150.0)).as_deref(), Some("+150%"));
        assert_eq!(change(Some(999.0)).as_deref(), Some("+1,000%"));
        assert_eq!(change(Some(1234.0)).as_deref(), Some("+1.23K%"));
        assert_eq!(change(Some(-100.0)).as_deref(), Some("\u{2212}100%"));
        assert_eq!(change(None), None);
        assert_eq!(change(Some(f64::NAN)), None);
    }

    #[test]
    fn the_window_and_the_comparison_read_as_sentences() {
        assert_eq!(last_days(7), "Last 7 days");
        assert_eq!(last_days(1), "Last 1 day");
        let mut v: MetricValue =
            serde_json::from_str(r#"{"id":"m","interval":7,"value":1234,"previous":1100,"change_from_previous_pct":12.18}"#)
                .expect("value");
        assert_eq!(comparison(&v), "Increased by 12%, to 1,234 from 1,100");
        v.change_from_previous_pct = Some(-8.0);
        assert_eq!(comparison(&v), "Decreased by 8%, to 1,234 from 1,100");
        v.change_from_previous_pct = Some(0.0);
        assert_eq!(comparison(&v), "Unchanged at 1,234");
        v.change_from_previous_pct = None;
        assert_eq!(comparison(&v), "1,234; no data in the 7 days before");
    }

    #[test]
    fn decimals_round_half_up_and_carry() {
        let d = Decimal::shortest(9.995).round_fraction(2);
        assert_eq!(d.grouped(2), "10.00");
        let d = Decimal::shortest(0.6).round_fraction(0);
        assert_eq!(d.grouped(0), "1");
        assert_eq!(Decimal::shortest(0.0).grouped(2), "0.00");
        assert_eq!(Decimal::exact(0.1).round_significant(3).grouped(0), "0.1");
        assert_eq!(Decimal::shortest(1234.5).to_f64(), 1234.5);
    }
}
