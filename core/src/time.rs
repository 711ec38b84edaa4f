//! Clock and calendar: "now", and the start of the person's current day, week and month.
//!
//! Times are stored as UTC milliseconds; calendar questions (which day was this check-in, is this goal done this
//! week) are answered in the phone's local time zone, as a person would.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Offset, Utc};

use crate::storage::goals::PeriodStarts;

/// Milliseconds since the Unix epoch, now.
pub(crate) fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// A calendar day written `YYYY-MM-DD`, exactly so (how documents, the database and the API write days), or `None`.
/// (Parsed by hand: chrono's format parser costs the phone library about 12 KB for this one pattern.)
pub(crate) fn parse_day(s: &str) -> Option<NaiveDate> {
    let bytes = s.as_bytes();
    if bytes.len() != 10 || bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
        return None;
    }
    let number = |from: usize, to: usize| {
        bytes.get(from..to)?.iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    NaiveDate::from_ymd_opt(i32::try_from(number(0, 4)?).ok()?, number(5, 7)?, number(8, 10)?)
}

/// The phone's current offset from UTC, in minutes, as the C library's local time has it: the platform's own time zone
/// rules (bionic's on Android, Darwin's on iOS) and the person's setting, with no second time zone database in the
/// library. UTC if the C library cannot say.
#[cfg(unix)]
#[allow(unsafe_code)]
pub(crate) fn local_offset_minutes() -> i32 {
    let now = libc::time_t::try_from(now_ms().div_euclid(1000)).unwrap_or_default();
    // SAFETY: `tm` is plain integers and one pointer, for which all zeros is a valid value; localtime_r writes only
    // into it (the reentrant form: no shared static) and returns null on failure, when it is not read.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let filled = unsafe { libc::localtime_r(&now, &mut tm) };
    if filled.is_null() {
        return 0;
    }
    i32::try_from(tm.tm_gmtoff / 60).unwrap_or(0)
}

/// The phone's current offset from UTC, in minutes (UTC where there is no C library time zone to ask).
#[cfg(not(unix))]
pub(crate) fn local_offset_minutes() -> i32 {
    0
}

fn offset(minutes: i32) -> FixedOffset {
    FixedOffset::east_opt(minutes.saturating_mul(60)).unwrap_or_else(|| Utc.fix())
}

/// The calendar date of `at_ms` at the given offset.
pub(crate) fn local_date(at_ms: i64, offset_minutes: i32) -> NaiveDate {
    let utc = DateTime::<Utc>::from_timestamp_millis(at_ms).unwrap_or_default();
    utc.with_timezone(&offset(offset_minutes)).date_naive()
}

/// The Monday on or before `date`.
pub(crate) fn week_start(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

fn start_ms(date: NaiveDate, offset_minutes: i32) -> i64 {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    midnight.and_utc().timestamp_millis() - i64::from(offset_minutes) * 60_000
}

/// Where the current day, week (from Monday) and month began, in the phone's time zone.
pub(crate) fn period_starts(now_ms: i64, offset_minutes: i32) -> PeriodStarts {
    let today = local_date(now_ms, offset_minutes);
    let month = today.with_day(1).unwrap_or(today);
    PeriodStarts {
        today,
        day: start_ms(today, offset_minutes),
        week: start_ms(week_start(today), offset_minutes),
        month: start_ms(month, offset_minutes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    #[cfg(unix)]
    fn the_local_offset_is_the_one_the_system_reports() {
        // `date +%z` asks the same C library for the same zone (TZ, or the system's setting): "+0530" is 330.
        let Ok(out) = std::process::Command::new("date").arg("+%z").output() else { return };
        let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        let (sign, digits) = text.split_at(1);
        let hours: i32 = digits.get(..2).and_then(|h| h.parse().ok()).unwrap_or_default();
        let minutes: i32 = digits.get(2..4).and_then(|m| m.parse().ok()).unwrap_or_default();
        let expected = if sign == "-" { -(hours * 60 + minutes) } else { hours * 60 + minutes };
        assert_eq!(local_offset_minutes(), expected, "date +%z said {text}");
    }

    #[test]
    fn periods_follow_the_local_calendar() {
        // Wednesday 2026-11-18 23:30 UTC is already Thursday the 19th at UTC+2.
        let at = Utc.with_ymd_and_hms(2026, 11, 18, 23, 30, 0).unwrap().timestamp_millis();
        assert_eq!(local_date(at, 120).to_string(), "2026-11-19");
        assert_eq!(local_date(at, 0).to_string(), "2026-11-18");
        let starts = period_starts(at, 120);
        assert_eq!(starts.day, Utc.with_ymd_and_hms(2026, 11, 18, 22, 0, 0).unwrap().timestamp_millis());
        assert_eq!(starts.week, Utc.with_ymd_and_hms(2026, 11, 15, 22, 0, 0).unwrap().timestamp_millis());
        assert_eq!(starts.month, Utc.with_ymd_and_hms(2026, 10, 31, 22, 0, 0).unwrap().timestamp_millis());
    }
}
