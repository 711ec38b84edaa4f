//! SQL for instrument results. Like check-ins they are personal data: they live only in this table and never sync.

use rusqlite::{Connection, params};

use super::queries::{q, sql};
use crate::error::Result;
use crate::ids::InstrumentResultId;
use crate::instruments::{InstrumentResult, InstrumentScore};

/// Flags are stored joined by this separator (a character no label may hold: labels are one line of text).
const SEPARATOR: char = '\u{1f}';

/// A result with the offset of the person's clock when it was taken (to find its calendar day).
#[derive(Debug)]
pub(crate) struct ResultRow {
    pub result: InstrumentResult,
    pub utc_offset_minutes: i32,
}

pub(crate) fn insert(conn: &Connection, row: &ResultRow, created_at: i64) -> Result<()> {
    let r = &row.result;
    let s = &r.score;
    let flags: Vec<&str> = s.flags.iter().map(String::as_str).collect();
    conn.prepare_cached(sql(q::INSTRUMENTS_INSERT))?.execute(params![
        r.id,
        s.instrument,
        r.at,
        row.utc_offset_minutes,
        r.answers,
        s.score,
        s.max_score,
        s.percentage.map_or(-1, i64::from),
        s.band.as_deref().unwrap_or(""),
        flags.join(&SEPARATOR.to_string()),
        s.crisis,
        created_at
    ])?;
    Ok(())
}

/// Results with `since <= at < until` (of one instrument, or all), oldest first.
pub(crate) fn between(conn: &Connection, instrument: Option<&str>, since: i64, until: i64) -> Result<Vec<ResultRow>> {
    between_where(conn, "(?1 IS NULL OR instrument = ?1) AND at >= ?2 AND at < ?3", params![instrument, since, until])
}

/// The results matching `condition`, oldest first.
fn between_where(conn: &Connection, condition: &str, values: impl rusqlite::Params) -> Result<Vec<ResultRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT result_id, instrument, at, utc_offset_minutes, answers, score, max_score, percentage, band, flags, \
                crisis \
         FROM instrument_results WHERE {condition} ORDER BY at, result_id"
    ))?;
    let rows = stmt.query_map(values, |r| {
        let percentage: i64 = r.get(7)?;
        let band: String = r.get(8)?;
        let flags: String = r.get(9)?;
        Ok(ResultRow {
            result: InstrumentResult {
                id: r.get(0)?,
                at: r.get(2)?,
                answers: r.get(4)?,
                score: InstrumentScore {
                    instrument: r.get(1)?,
                    score: r.get(5)?,
                    max_score: r.get(6)?,
                    percentage: u32::try_from(percentage).ok(),
                    band: Some(band).filter(|b| !b.is_empty()),
                    flags: flags.split(SEPARATOR).filter(|f| !f.is_empty()).map(str::to_owned).collect(),
                    crisis: r.get(10)?,
                },
            },
            utc_offset_minutes: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One result, if there is one.
pub(crate) fn get(conn: &Connection, id: &InstrumentResultId) -> Result<Option<ResultRow>> {
    Ok(between_where(conn, "result_id = ?1", params![id])?.pop())
}

/// Deletes a result; whether there was one.
pub(crate) fn delete(conn: &Connection, id: &InstrumentResultId) -> Result<bool> {
    Ok(conn.prepare_cached(sql(q::INSTRUMENTS_DELETE))?.execute([id])? > 0)
}
