//! SQL for the export of one's own data (`crate::export`): one statement per kind, each reading the rows of one of
//! the export's files (`sql/queries/export.sql` says how its columns are named).

use rusqlite::Connection;
use rusqlite::types::Value;

use super::queries::{Query, q, sql};
use crate::error::Result;
use crate::ids::MemberId;

/// The kinds of the export, in the order of its files: each the file's name and the statement reading its rows.
pub(crate) const KINDS: [(&str, Query); 17] = [
    ("groups", q::EXPORT_GROUPS),
    ("messages", q::EXPORT_MESSAGES),
    ("reactions", q::EXPORT_REACTIONS),
    ("goals", q::EXPORT_GOALS),
    ("goal_progress", q::EXPORT_GOAL_PROGRESS),
    ("goal_skipped_days", q::EXPORT_GOAL_SKIPS),
    ("goal_pauses", q::EXPORT_GOAL_PAUSES),
    ("cheers_given", q::EXPORT_CHEERS),
    ("group_goals", q::EXPORT_GROUP_GOALS),
    ("checkins", q::EXPORT_CHECKINS),
    ("checkin_choices", q::EXPORT_CHECKIN_CHOICES),
    ("instrument_results", q::EXPORT_INSTRUMENT_RESULTS),
    ("safety_plan", q::EXPORT_SAFETY_PLAN),
    ("moderation_actions", q::EXPORT_MODERATION_ACTIONS),
    ("muted_members", q::EXPORT_MUTED_MEMBERS),
    ("muted_words", q::EXPORT_MUTED_WORDS),
    ("settings", q::EXPORT_SETTINGS),
];

/// The rows of one kind (its statement given `me` as `?1` where it asks for it): the columns' names, and the values.
pub(crate) fn rows(conn: &Connection, query: Query, me: &MemberId) -> Result<(Vec<String>, Vec<Vec<Value>>)> {
    let mut stmt = conn.prepare_cached(sql(query))?;
    let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    if stmt.parameter_count() > 0 {
        stmt.raw_bind_parameter(1, me)?;
    }
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push((0..names.len()).map(|i| row.get::<_, Value>(i)).collect::<rusqlite::Result<_>>()?);
    }
    Ok((names, out))
}
