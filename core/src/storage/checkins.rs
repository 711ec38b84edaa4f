//! SQL for mood check-ins and the lists their emotions and activities are chosen from. Check-ins are personal data:
//! they live only in these tables and never sync.

use rusqlite::{Connection, OptionalExtension, params};

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
    conn.prepare_cached(
        "INSERT INTO checkins (checkin_id, at, utc_offset_minutes, mood, energy, sleep_minutes, note, medication, \
             created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
         ON CONFLICT (checkin_id) DO UPDATE SET at = excluded.at, utc_offset_minutes = excluded.utc_offset_minutes, \
             mood = excluded.mood, energy = excluded.energy, sleep_minutes = excluded.sleep_minutes, \
             note = excluded.note, medication = excluded.medication",
    )?
    .execute(params![
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
    conn.prepare_cached("DELETE FROM checkin_tags WHERE checkin_id = ?1")?.execute([c.id])?;
    conn.prepare_cached("DELETE FROM checkin_labels WHERE checkin_id = ?1")?.execute([c.id])?;
    let mut tag = conn.prepare_cached("INSERT OR IGNORE INTO checkin_tags (checkin_id, tag) VALUES (?1, ?2)")?;
    for t in &c.tags {
        tag.execute(params![c.id, t])?;
    }
    let mut label =
        conn.prepare_cached("INSERT OR IGNORE INTO checkin_labels (checkin_id, kind, label) VALUES (?1, ?2, ?3)")?;
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

const SELECT: &str = "SELECT checkin_id, at, utc_offset_minutes, mood, energy, sleep_minutes, note, medication,
        (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM checkin_tags t WHERE t.checkin_id = c.checkin_id ORDER BY tag)),
        (SELECT group_concat(label, char(31)) FROM (SELECT label FROM checkin_labels l \
             WHERE l.checkin_id = c.checkin_id AND kind = 'emotion' ORDER BY label)),
        (SELECT group_concat(label, char(31)) FROM (SELECT label FROM checkin_labels l \
             WHERE l.checkin_id = c.checkin_id AND kind = 'activity' ORDER BY label))
    FROM checkins c";

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
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE at >= ?1 AND at < ?2 ORDER BY at, checkin_id"))?;
    Ok(stmt.query_map(params![since, until], row)?.collect::<rusqlite::Result<_>>()?)
}

/// One check-in, if there is one.
pub(crate) fn get(conn: &Connection, id: &CheckinId) -> Result<Option<CheckinRow>> {
    Ok(conn.prepare_cached(&format!("{SELECT} WHERE checkin_id = ?1"))?.query_row([id], row).optional()?)
}

/// Deletes a check-in (its tags and labels go with it); whether there was one.
pub(crate) fn delete(conn: &Connection, id: &CheckinId) -> Result<bool> {
    Ok(conn.prepare_cached("DELETE FROM checkins WHERE checkin_id = ?1")?.execute([id])? > 0)
}

/// The person's own list of `kind`, in their order; `None` until they set one.
pub(crate) fn choices(conn: &Connection, kind: ChoiceKind) -> Result<Option<Vec<String>>> {
    let mut stmt = conn.prepare_cached("SELECT label FROM checkin_choices WHERE kind = ?1 ORDER BY position")?;
    let labels: Vec<String> = stmt.query_map([kind_name(kind)], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    let set: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM checkin_choice_lists WHERE kind = ?1)")?
        .query_row([kind_name(kind)], |r| r.get(0))?;
    Ok(set.then_some(labels))
}

/// Replaces the person's list of `kind`.
pub(crate) fn set_choices(conn: &Connection, kind: ChoiceKind, labels: &[String]) -> Result<()> {
    conn.prepare_cached("DELETE FROM checkin_choices WHERE kind = ?1")?.execute([kind_name(kind)])?;
    conn.prepare_cached("INSERT OR IGNORE INTO checkin_choice_lists (kind) VALUES (?1)")?.execute([kind_name(kind)])?;
    let mut insert = conn.prepare_cached("INSERT INTO checkin_choices (kind, position, label) VALUES (?1, ?2, ?3)")?;
    for (position, label) in labels.iter().enumerate() {
        insert.execute(params![kind_name(kind), position as i64, label])?;
    }
    Ok(())
}
