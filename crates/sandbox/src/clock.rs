//! ISO 8601 times as DRF's `DateTimeField` writes them in UTC (`2026-01-05T10:00:00Z`, with
//! microseconds only when there are some), without pulling a date library in for one format.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Now, and now in whole unix seconds (what the synthetic event store and its windows count in).
pub fn now_with_secs() -> (SystemTime, i64) {
    let now = SystemTime::now();
    let secs = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    (now, secs)
}

/// ISO text of unix seconds (negative ones print as the epoch).
pub fn iso_of_secs(secs: i64) -> String {
    iso_utc(UNIX_EPOCH + Duration::from_secs(secs.max(0) as u64))
}

/// `time` as DRF renders an aware UTC datetime: Python's `isoformat()` with `+00:00` as `Z`.
pub fn iso_utc(time: SystemTime) -> String {
    // Times before 1970 never occur here (seed dates and "now"); they print as the epoch.
    let since = time.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    let secs = since.as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days);
    let (hour, minute, second) = (rest / 3600, rest % 3600 / 60, rest % 60);
    let micros = since.subsec_micros();
    let fraction = if micros == 0 {
        String::new()
    } else {
        format!(".{micros:06}")
    };
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{fraction}Z")
}

/// Year, month, day of a count of days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_drf() {
        let at = |secs: u64, micros: u64| {
            iso_utc(UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_micros(micros))
        };
        assert_eq!(at(0, 0), "1970-01-01T00:00:00Z");
        assert_eq!(at(1_767_607_200, 0), "2026-01-05T10:00:00Z");
        assert_eq!(at(951_782_400, 7), "2000-02-29T00:00:00.000007Z");
        assert_eq!(at(1_709_251_199, 123_456), "2024-02-29T23:59:59.123456Z");
    }
}
