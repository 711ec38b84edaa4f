//! Mood check-ins: a mood on a five-point scale with a face and a word for each step (usable with low literacy),
//! optional energy, sleep, medication taken, emotions and activities from lists the person can change, tags and a
//! note; editing and deleting one's own; daily and weekly averages.
//!
//! Check-ins are personal data. They are stored only in this profile's database, are never written to a document
//! and never sync; sharing a summary with a group (later) will copy only what the person chooses.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::ids::CheckinId;
use crate::kindred::Kindred;
use crate::model::{
    Checkin, CheckinAverage, CheckinOptions, CheckinSummary, ChoiceKind, MoodLevel, NewCheckin, Update,
};
use crate::storage::checkins::{self as store, CheckinRow};
use crate::text;
use crate::time::{local_date, local_offset_minutes, now_ms, week_start};

/// The mood scale: a face and a word for each value, lowest first.
pub const MOOD_SCALE: [(u8, &str, &str); 5] =
    [(1, "😢", "very low"), (2, "🙁", "low"), (3, "😐", "okay"), (4, "🙂", "good"), (5, "😄", "very good")];
/// The emotions suggested until the person makes the list their own.
pub const SUGGESTED_EMOTIONS: [&str; 10] =
    ["calm", "happy", "grateful", "hopeful", "anxious", "sad", "angry", "lonely", "tired", "overwhelmed"];
/// The activities suggested until the person makes the list their own.
pub const SUGGESTED_ACTIVITIES: [&str; 10] = [
    "walk",
    "exercise",
    "time with others",
    "time outside",
    "work",
    "rest",
    "hobby",
    "prayer or meditation",
    "support group",
    "screen time",
];
/// Most entries of the person's emotion or activity list.
pub const MAX_CHOICES: usize = 40;

/// Most tags on one check-in (and most emotions, and most activities).
pub const MAX_TAGS: usize = 10;
/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 32;
/// Longest check-in note.
pub const MAX_NOTE_CHARS: usize = 1000;
/// Earliest time anything can be recorded at (2000-01-01): older is a typo or a broken clock.
const EARLIEST_MS: i64 = 946_684_800_000;
/// How far ahead of the phone's clock a time may be (clocks drift; a day is generous).
const MAX_FUTURE_MS: i64 = 24 * 3600 * 1000;

/// Checks a caller-supplied time (for back-filling) and defaults it to now.
pub(crate) fn validate_time(at: Option<i64>, now: i64) -> Result<i64> {
    match at {
        None => Ok(now),
        Some(at) if at < EARLIEST_MS => Err(Error::invalid("time", "is before the year 2000")),
        Some(at) if at > now.saturating_add(MAX_FUTURE_MS) => Err(Error::invalid("time", "is in the future")),
        Some(at) => Ok(at),
    }
}

fn in_range(field: &'static str, value: u8) -> Result<u8> {
    if (1..=5).contains(&value) {
        Ok(value)
    } else {
        Err(Error::invalid(field, format!("{value} is not on the 1 to 5 scale")))
    }
}

fn validate(new: &NewCheckin, now: i64) -> Result<Checkin> {
    let sleep_hours = match new.sleep_hours {
        Some(h) if !h.is_finite() || !(0.0..=24.0).contains(&h) => {
            return Err(Error::invalid("sleep hours", format!("{h} is not between 0 and 24")));
        }
        other => other.map(|h| (h * 60.0).round() / 60.0),
    };
    let tags = labels("tags", "tag", &new.tags, MAX_TAGS)?;
    let emotions = labels("emotions", "emotion", &new.emotions, MAX_TAGS)?;
    let activities = labels("activities", "activity", &new.activities, MAX_TAGS)?;
    Ok(Checkin {
        id: CheckinId::random(),
        at: validate_time(new.at, now)?,
        mood: in_range("mood", new.mood)?,
        energy: new.energy.map(|e| in_range("energy", e)).transpose()?,
        sleep_hours,
        tags,
        note: text::optional_multi_line("note", new.note.as_deref(), MAX_NOTE_CHARS)?,
        emotions,
        activities,
        medication_taken: new.medication_taken,
    })
}

/// Words of one kind (tags, emotions, activities): at most `max`, each one line of at most [`MAX_TAG_CHARS`],
/// trimmed, sorted and without repeats.
fn labels(field: &'static str, one: &'static str, words: &[String], max: usize) -> Result<Vec<String>> {
    if words.len() > max {
        return Err(Error::invalid(field, format!("{} given; the limit is {max}", words.len())));
    }
    let mut out = words.iter().map(|w| text::single_line(one, w, MAX_TAG_CHARS)).collect::<Result<Vec<_>>>()?;
    crate::sorting::sort_and_dedup(&mut out);
    Ok(out)
}

/// Most days a "recent" window may span (ten years).
pub const MAX_RECENT_DAYS: u32 = 3660;

/// From the local midnight `days - 1` days ago up to (a little past) now.
pub(crate) fn recent_window(days: u32) -> Result<(i64, i64)> {
    if days == 0 || days > MAX_RECENT_DAYS {
        return Err(Error::invalid("days", format!("must be between 1 and {MAX_RECENT_DAYS}")));
    }
    let now = now_ms();
    let today = crate::time::period_starts(now, local_offset_minutes()).day;
    Ok((today - i64::from(days - 1) * 86_400_000, now.saturating_add(MAX_FUTURE_MS)))
}

/// Running sums for one day, week or month.
#[derive(Default)]
struct Sums {
    count: u32,
    mood: f64,
    energy: (f64, u32),
    sleep: (f64, u32),
}

impl Sums {
    fn add(&mut self, c: &Checkin) {
        self.count += 1;
        self.mood += f64::from(c.mood);
        if let Some(e) = c.energy {
            self.energy.0 += f64::from(e);
            self.energy.1 += 1;
        }
        if let Some(s) = c.sleep_hours {
            self.sleep.0 += s;
            self.sleep.1 += 1;
        }
    }

    fn average(&self, period_start: String) -> CheckinAverage {
        let avg = |(sum, n): (f64, u32)| (n > 0).then(|| round2(sum / f64::from(n)));
        CheckinAverage {
            period_start,
            checkins: self.count,
            mood: round2(self.mood / f64::from(self.count.max(1))),
            energy: avg(self.energy),
            sleep_hours: avg(self.sleep),
        }
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Averages per period, oldest first: each check-in counted in the period that starts on `start_of` the calendar
/// day where it was recorded (the day itself, its week's Monday, its month's first day).
pub(crate) fn averages_by(
    rows: &[CheckinRow],
    start_of: impl Fn(chrono::NaiveDate) -> chrono::NaiveDate,
) -> Vec<CheckinAverage> {
    let mut periods: BTreeMap<chrono::NaiveDate, Sums> = BTreeMap::new();
    for row in rows {
        periods.entry(start_of(local_date(row.checkin.at, row.utc_offset_minutes))).or_default().add(&row.checkin);
    }
    periods.iter().map(|(d, s)| s.average(d.to_string())).collect()
}

/// Daily and weekly averages, each check-in counted on the calendar day where it was recorded.
pub(crate) fn summarise(rows: &[CheckinRow]) -> CheckinSummary {
    CheckinSummary { daily: averages_by(rows, |day| day), weekly: averages_by(rows, week_start) }
}

impl Kindred {
    /// Records a mood check-in. It stays on this phone.
    pub fn record_checkin(&self, new: NewCheckin) -> Result<Checkin> {
        let now = now_ms();
        let checkin = validate(&new, now)?;
        let row = CheckinRow { checkin, utc_offset_minutes: local_offset_minutes() };
        self.write(|ctx| {
            store::upsert(ctx.tx, &row, now)?;
            ctx.updates.push(Update::Checkins);
            Ok(())
        })?;
        Ok(row.checkin)
    }

    /// Replaces what check-in `id` says with `new` (its id stays; its time stays too unless `new.at` gives one).
    /// Fails with `NotFound` for a check-in this profile does not have, and as [`Kindred::record_checkin`] for bad
    /// values, changing nothing.
    pub fn edit_checkin(&self, id: &CheckinId, new: NewCheckin) -> Result<Checkin> {
        let now = now_ms();
        let mut checkin = validate(&new, now)?;
        checkin.id = *id;
        self.write(|ctx| {
            let old = store::get(ctx.tx, id)?.ok_or_else(|| Error::not_found("check-in", id))?;
            let utc_offset_minutes = if new.at.is_some() { local_offset_minutes() } else { old.utc_offset_minutes };
            if new.at.is_none() {
                checkin.at = old.checkin.at;
            }
            store::upsert(ctx.tx, &CheckinRow { checkin: checkin.clone(), utc_offset_minutes }, now)?;
            ctx.updates.push(Update::Checkins);
            Ok(checkin)
        })
    }

    /// Deletes check-in `id` for good; `NotFound` when this profile does not have it.
    pub fn delete_checkin(&self, id: &CheckinId) -> Result<()> {
        self.write(|ctx| {
            if !store::delete(ctx.tx, id)? {
                return Err(Error::not_found("check-in", id));
            }
            ctx.updates.push(Update::Checkins);
            Ok(())
        })
    }

    /// The lists a check-in is made from: the mood scale (a face and a word for each of the five steps) and the
    /// person's emotions and activities (the suggested ones until [`Kindred::set_checkin_choices`] makes them theirs).
    pub fn checkin_options(&self) -> Result<CheckinOptions> {
        let (emotions, activities) = self
            .read(|tx, _| Ok((store::choices(tx, ChoiceKind::Emotion)?, store::choices(tx, ChoiceKind::Activity)?)))?;
        let suggested = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        Ok(CheckinOptions {
            moods: MOOD_SCALE
                .iter()
                .map(|(value, emoji, label)| MoodLevel {
                    value: *value,
                    emoji: (*emoji).into(),
                    label: (*label).into(),
                })
                .collect(),
            emotions: emotions.unwrap_or_else(|| suggested(&SUGGESTED_EMOTIONS)),
            activities: activities.unwrap_or_else(|| suggested(&SUGGESTED_ACTIVITIES)),
        })
    }

    /// Makes the person's list of emotions or activities `labels`, in their order (repeats dropped; an empty list is
    /// allowed). Earlier check-ins keep what they said. Returns the list as stored. Fails with `InvalidInput` for more
    /// than [`MAX_CHOICES`] entries or an entry that is not one line of at most [`MAX_TAG_CHARS`] characters.
    pub fn set_checkin_choices(&self, kind: ChoiceKind, labels: &[String]) -> Result<Vec<String>> {
        if labels.len() > MAX_CHOICES {
            return Err(Error::invalid("choices", format!("{} given; the limit is {MAX_CHOICES}", labels.len())));
        }
        let mut list: Vec<String> = Vec::new();
        for label in labels {
            let label = text::single_line("choice", label, MAX_TAG_CHARS)?;
            if !list.contains(&label) {
                list.push(label);
            }
        }
        self.write(|ctx| store::set_choices(ctx.tx, kind, &list))?;
        Ok(list)
    }

    /// Check-ins with `since <= at < until`, oldest first.
    pub fn checkins(&self, since: i64, until: i64) -> Result<Vec<Checkin>> {
        let rows = self.read(|tx, _| store::between(tx, since, until))?;
        Ok(rows.into_iter().map(|r| r.checkin).collect())
    }

    /// Check-ins of the last `days` calendar days, today included (so `1` is "today"), oldest first.
    pub fn recent_checkins(&self, days: u32) -> Result<Vec<Checkin>> {
        let (since, until) = recent_window(days)?;
        self.checkins(since, until)
    }

    /// Daily and weekly averages over the last `days` calendar days, today included.
    pub fn recent_checkin_summary(&self, days: u32) -> Result<CheckinSummary> {
        let (since, until) = recent_window(days)?;
        self.checkin_summary(since, until)
    }

    /// Daily and weekly averages of the check-ins with `since <= at < until`.
    pub fn checkin_summary(&self, since: i64, until: i64) -> Result<CheckinSummary> {
        let rows = self.read(|tx, _| store::between(tx, since, until))?;
        Ok(summarise(&rows))
    }
}
