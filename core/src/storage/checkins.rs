//! SQL for mood check-ins and the lists their emotions and activities are chosen from. Check-ins are personal data:
//! they live only in these tables and never sync.

use rusqlite::{Connection, OptionalExtension, params};

use super::queries::{q, sql};
use crate::error::Result;
use crate::ids::CheckinId;
use crate::model::{Checkin, ChoiceKind};

/// A check-in row with the offset of the person's clock when it was recorded (to find its calendar day).
#[derive(Debug)]
pub(crate) struct CheckinRow {
    pub checkin: Checkin,
    pub utc_offset_minutes: i32,
}

/// Lists stored in one text column are joined by this separator (no label may hold it: labels are one line).
const SEPARATOR: char = '\u{1f}';

fn kind_name(kind: ChoiceKind) -> &'static str {
    match kind {
        ChoiceKind::Emotion => "emotion",
        ChoiceKind::Activity => "activity",
    }
}

/// Writes the check-in's row and its tags and labels (in place of any it had, for an edit).
pub(crate) fn upsert(conn: &Connection, row: &CheckinRow, created_at: i64) -> Result<()> {
    let c = &row.checkin;
    conn.prepare_cached(sql(q::CHECKINS_UPSERT_INSERT_CHECKINS))?.execute(params![
        c.id,
        c.at,
        row.utc_offset_minutes,
        c.mood,
        c.energy.unwrap_or(0),
        c.sleep_hours.map(|h| (h * 60.0).round() as i64).unwrap_or(-1),
        c.note.as_deref().unwrap_or(""),
        c.medication_taken.map_or(-1, i64::from),
        created_at
    ])?;
    conn.prepare_cached(sql(q::CHECKINS_UPSERT_DELETE_CHECKIN_TAGS))?.execute([c.id])?;
    conn.prepare_cached(sql(q::CHECKINS_UPSERT_DELETE_CHECKIN_LABELS))?.execute([c.id])?;
    let mut tag = conn.prepare_cached(sql(q::CHECKINS_UPSERT_INSERT_CHECKIN_TAGS))?;
    for t in &c.tags {
        tag.execute(params![c.id, t])?;
    }
    let mut label = conn.prepare_cached(sql(q::CHECKINS_UPSERT_INSERT_CHECKIN_LABELS))?;
    for (kind, labels) in [(ChoiceKind::Emotion, &c.emotions), (ChoiceKind::Activity, &c.activities)] {
        for l in labels {
            label.execute(params![c.id, kind_name(kind), l])?;
        }
    }
    Ok(())
}

fn joined(text: Option<String>) -> Vec<String> {
    text.map(|t| t.split(SEPARATOR).map(str::to_owned).collect()).unwrap_or_default()
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CheckinRow> {
    let energy: u8 = r.get(4)?;
    let sleep: i64 = r.get(5)?;
    let note: String = r.get(6)?;
    let medication: i64 = r.get(7)?;
    Ok(CheckinRow {
        checkin: Checkin {
            id: r.get(0)?,
            at: r.get(1)?,
            mood: r.get(3)?,
            energy: (energy != 0).then_some(energy),
            sleep_hours: (sleep >= 0).then_some(sleep as f64 / 60.0),
            tags: joined(r.get(8)?),
            note: (!note.is_empty()).then_some(note),
            emotions: joined(r.get(9)?),
            activities: joined(r.get(10)?),
            medication_taken: (medication >= 0).then_some(medication == 1),
        },
        utc_offset_minutes: r.get(2)?,
    })
}

/// Check-ins with `since <= at < until`, oldest first.
pub(crate) fn between(conn: &Connection, since: i64, until: i64) -> Result<Vec<CheckinRow>> {
    let mut stmt = conn.prepare_cached(sql(q::CHECKINS_BETWEEN))?;
    Ok(stmt.query_map(params![since, until], row)?.collect::<rusqlite::Result<_>>()?)
}

/// One check-in, if there is one.
pub(crate) fn get(conn: &Connection, id: &CheckinId) -> Result<Option<CheckinRow>> {
    Ok(conn.prepare_cached(sql(q::CHECKINS_GET))?.query_row([id], row).optional()?)
}

/// Deletes a check-in (its tags and labels go with it); whether there was one.
pub(crate) fn delete(conn: &Connection, id: &CheckinId) -> Result<bool> {
    Ok(conn.prepare_cached(sql(q::CHECKINS_DELETE))?.execute([id])? > 0)
}

/// The person's own list of `kind`, in their order; `None` until they set one.
pub(crate) fn choices(conn: &Connection, kind: ChoiceKind) -> Result<Option<Vec<String>>> {
    let mut stmt = conn.prepare_cached(sql(q::CHECKINS_CHOICES))?;
    let labels: Vec<String> = stmt.query_map([kind_name(kind)], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    let set: bool = conn.prepare_cached(sql(q::CHECKINS_CHOICES_LISTED))?.query_row([kind_name(kind)], |r| r.get(0))?;
    Ok(set.then_some(labels))
}

/// Replaces the person's list of `kind`.
pub(crate) fn set_choices(conn: &Connection, kind: ChoiceKind, labels: &[String]) -> Result<()> {
    conn.prepare_cached(sql(q::CHECKINS_SET_CHOICES_DELETE_CHECKIN_CHOICES))?.execute([kind_name(kind)])?;
    conn.prepare_cached(sql(q::CHECKINS_SET_CHOICES_INSERT_CHECKIN_CHOICE_LISTS))?.execute([kind_name(kind)])?;
    let mut insert = conn.prepare_cached(sql(q::CHECKINS_SET_CHOICES_INSERT_CHECKIN_CHOICES))?;
    for (position, label) in labels.iter().enumerate() {
        insert.execute(params![kind_name(kind), position as i64, label])?;
    }
    Ok(())
}
