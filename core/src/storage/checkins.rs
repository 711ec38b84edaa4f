//! SQL for mood check-ins. Check-ins are personal data: they live only in these tables and never sync.

use rusqlite::{Connection, params};

use crate::error::Result;
use crate::ids::CheckinId;
use crate::model::Checkin;

/// A check-in row with the offset of the person's clock when it was recorded (to find its calendar day).
#[derive(Debug)]
pub(crate) struct CheckinRow {
    pub checkin: Checkin,
    pub utc_offset_minutes: i32,
}

pub(crate) fn insert(conn: &Connection, row: &CheckinRow, created_at: i64) -> Result<()> {
    let c = &row.checkin;
    conn.prepare_cached(
        "INSERT INTO checkins (checkin_id, at, utc_offset_minutes, mood, energy, sleep_minutes, note, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        c.id,
        c.at,
        row.utc_offset_minutes,
        c.mood,
        c.energy.unwrap_or(0),
        c.sleep_hours.map(|h| (h * 60.0).round() as i64).unwrap_or(-1),
        c.note.as_deref().unwrap_or(""),
        created_at
    ])?;
    let mut tag = conn.prepare_cached("INSERT OR IGNORE INTO checkin_tags (checkin_id, tag) VALUES (?1, ?2)")?;
    for t in &c.tags {
        tag.execute(params![c.id, t])?;
    }
    Ok(())
}

/// Check-ins with `since <= at < until`, oldest first.
pub(crate) fn between(conn: &Connection, since: i64, until: i64) -> Result<Vec<CheckinRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT checkin_id, at, utc_offset_minutes, mood, energy, sleep_minutes, note,
                (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM checkin_tags t WHERE t.checkin_id = c.checkin_id ORDER BY tag))
         FROM checkins c WHERE at >= ?1 AND at < ?2 ORDER BY at, checkin_id",
    )?;
    let rows = stmt.query_map(params![since, until], |r| {
        let energy: u8 = r.get(4)?;
        let sleep: i64 = r.get(5)?;
        let note: String = r.get(6)?;
        let tags: Option<String> = r.get(7)?;
        let id: CheckinId = r.get(0)?;
        Ok(CheckinRow {
            checkin: Checkin {
                id,
                at: r.get(1)?,
                mood: r.get(3)?,
                energy: (energy != 0).then_some(energy),
                sleep_hours: (sleep >= 0).then_some(sleep as f64 / 60.0),
                tags: tags.map(|t| t.split('\u{1f}').map(str::to_owned).collect()).unwrap_or_default(),
                note: (!note.is_empty()).then_some(note),
            },
            utc_offset_minutes: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
