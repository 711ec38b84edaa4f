//! Clock and calendar: "now", and the start of the person's current day, week and month.
//!
//! Times are stored as UTC milliseconds; calendar questions (which day was this check-in, is this goal done this
//! week) are answered in the phone's local time zone, as a person would.

use chrono::{DateTime, Datelike, Duration, FixedOffset, Local, NaiveDate, Offset, Utc};

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

/// The phone's current offset from UTC, in minutes.
pub(crate) fn local_offset_minutes() -> i32 {
    Local::now().offset().local_minus_utc() / 60
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
