//! SQL for the goal read model: goals and their progress, private or shared.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::queries::{q, sql};
use crate::error::Result;
use crate::ids::{DocId, GoalId, GroupId, MemberId};
use crate::model::{Cadence, CadencePeriod, Goal, GoalStatus, ProgressEntry};
use crate::schema::goals::StoredGoal;

/// The start (inclusive, ms) of the current day, week and month in the person's calendar.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PeriodStarts {
    /// Today's date.
    pub today: chrono::NaiveDate,
    pub day: i64,
    pub week: i64,
    pub month: i64,
}

/// Replaces every goal read from one document with what it holds now.
pub(crate) fn replace_for_doc(
    conn: &Connection,
    doc: &DocId,
    group: Option<&GroupId>,
    goals: &[StoredGoal],
) -> Result<()> {
    for table in ["goal_progress", "goal_skips", "goal_pauses", "goal_cheers"] {
        conn.prepare_cached(&format!(
            "DELETE FROM {table} WHERE goal_id IN (SELECT goal_id FROM goals WHERE doc_id = ?1)"
        ))?
        .execute([doc])?;
    }
    conn.prepare_cached(sql(q::GOALS_REPLACE_FOR_DOC_DELETE_GOALS))?.execute([doc])?;
    let mut insert_goal = conn.prepare_cached(sql(q::GOALS_REPLACE_FOR_DOC_INSERT_GOALS))?;
    let mut insert_progress = conn.prepare_cached(sql(q::GOALS_REPLACE_FOR_DOC_INSERT_GOAL_PROGRESS))?;
    for g in goals {
        insert_goal.execute(params![
            g.id,
            doc,
            group.map(|g| &g.as_bytes()[..]).unwrap_or(&[]),
            g.owner,
            g.title,
            g.cadence.times,
            g.cadence.period.as_str(),
            g.status.as_str(),
            g.created_at,
            g.updated_at,
            g.cadence.weekday_bits(),
            g.group_goal.map(|(group, _)| group.as_bytes().to_vec()).unwrap_or_default(),
            g.group_goal.map(|(_, goal)| goal.as_bytes().to_vec()).unwrap_or_default(),
        ])?;
        for p in &g.progress {
            insert_progress.execute(params![g.id, p.id, p.at, p.amount, p.note.as_deref().unwrap_or("")])?;
        }
        let mut skip = conn.prepare_cached(sql(q::GOALS_REPLACE_FOR_DOC_INSERT_GOAL_SKIPS))?;
        for day in &g.skips {
            skip.execute(params![g.id, day])?;
        }
        let mut pause = conn.prepare_cached(sql(q::GOALS_REPLACE_FOR_DOC_INSERT_GOAL_PAUSES))?;
        for (from, until) in &g.pauses {
            pause.execute(params![g.id, from, until.unwrap_or(0)])?;
        }
        let mut cheer = conn.prepare_cached(sql(q::GOALS_REPLACE_FOR_DOC_INSERT_GOAL_CHEERS))?;
        for (member, at) in &g.cheers {
            cheer.execute(params![g.id, member, at])?;
        }
    }
    Ok(())
}

/// A pause: when it began, and when it ended (`None`: still paused).
pub(crate) type Pause = (i64, Option<i64>);

/// A goal's skipped days and pauses, for its habit strength.
pub(crate) fn skips_and_pauses(conn: &Connection, id: &GoalId) -> Result<(Vec<String>, Vec<Pause>)> {
    let mut skips = conn.prepare_cached(sql(q::GOALS_SKIPS_AND_PAUSES_SELECT_GOAL_SKIPS))?;
    let skips = skips.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
    let mut pauses = conn.prepare_cached(sql(q::GOALS_SKIPS_AND_PAUSES_SELECT_GOAL_PAUSES))?;
    let pauses = pauses
        .query_map([id], |r| {
            let until: i64 = r.get(1)?;
            Ok((r.get(0)?, (until > 0).then_some(until)))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((skips, pauses))
}

/// Who cheered a goal on and when (their latest), newest first.
pub(crate) fn cheers(conn: &Connection, id: &GoalId) -> Result<Vec<(MemberId, i64)>> {
    let mut stmt = conn.prepare_cached(sql(q::GOALS_CHEERS))?;
    Ok(stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?)
}

/// Every progress entry of a goal as (time, amount), oldest first.
pub(crate) fn amounts(conn: &Connection, id: &GoalId) -> Result<Vec<(i64, u32)>> {
    let mut stmt = conn.prepare_cached(sql(q::GOALS_AMOUNTS))?;
    Ok(stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?)
}

fn goal_from_row(row: &Row<'_>, me: &MemberId) -> rusqlite::Result<(Goal, String, String)> {
    let owner: MemberId = row.get(1)?;
    let group: Vec<u8> = row.get(6)?;
    let goal = Goal {
        id: row.get(0)?,
        is_mine: &owner == me,
        owner,
        title: row.get(2)?,
        // Filled in by the caller after parsing the two text columns below.
        cadence: Cadence {
            times: row.get(3)?,
            period: CadencePeriod::Day,
            weekdays: Cadence::weekdays_of(row.get(11)?),
        },
        status: GoalStatus::Active,
        group_id: <[u8; 16]>::try_from(group).ok().map(GroupId::from_bytes),
        created_at: row.get(7)?,
        updated_at: row.get(8)?,
        done_this_period: row.get(9)?,
        total_logged: row.get(10)?,
        group_goal: <[u8; 16]>::try_from(row.get::<_, Vec<u8>>(12)?).ok().map(GoalId::from_bytes),
    };
    Ok((goal, row.get(4)?, row.get(5)?))
}

fn finish(conn: &Connection, starts: PeriodStarts, rows: Vec<(Goal, String, String)>) -> Result<Vec<Goal>> {
    rows.into_iter()
        .map(|(mut goal, period, status)| {
            goal.cadence.period = period.parse()?;
            goal.status = status.parse()?;
            // A goal on chosen weekdays: its current period began on the last chosen day, not today.
            if goal.cadence.period == CadencePeriod::Day && goal.cadence.weekdays.is_some() {
                let start = crate::habit::period_start(starts.today, &goal.cadence);
                let since = starts.day - (starts.today - start).num_days() * 86_400_000;
                goal.done_this_period =
                    conn.prepare_cached(sql(q::GOALS_FINISH))?.query_row(params![goal.id, since], |r| r.get(0))?;
            }
            Ok(goal)
        })
        .collect()
}

/// Goals, mine first then by title; archived ones only when asked; only one group's with `group`.
pub(crate) fn list(
    conn: &Connection,
    me: &MemberId,
    starts: PeriodStarts,
    include_archived: bool,
    group: Option<&GroupId>,
) -> Result<Vec<Goal>> {
    let mut stmt = conn.prepare_cached(sql(q::GOALS_LIST))?;
    let rows = stmt
        .query_map(params![starts.day, starts.week, starts.month, include_archived, group, me], |r| {
            goal_from_row(r, me)
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    finish(conn, starts, rows)
}

/// One goal and the document it lives in.
pub(crate) fn get(
    conn: &Connection,
    me: &MemberId,
    starts: PeriodStarts,
    id: &GoalId,
) -> Result<Option<(Goal, DocId)>> {
    let row = conn
        .prepare_cached(sql(q::GOALS_GET))?
        .query_row(params![starts.day, starts.week, starts.month, id], |r| goal_from_row(r, me))
        .optional()?;
    let Some(row) = row else { return Ok(None) };
    let doc: DocId = conn.prepare_cached(sql(q::GOALS_GET_DOC))?.query_row([id], |r| r.get(0))?;
    Ok(finish(conn, starts, vec![row])?.pop().map(|goal| (goal, doc)))
}

/// A goal's progress entries from `since` on, newest first.
pub(crate) fn progress(conn: &Connection, id: &GoalId, since: i64, limit: u32) -> Result<Vec<ProgressEntry>> {
    let mut stmt = conn.prepare_cached(sql(q::GOALS_PROGRESS))?;
    let rows = stmt.query_map(params![id, since, limit], |r| {
        let note: String = r.get(3)?;
        Ok(ProgressEntry {
            id: r.get(0)?,
            goal_id: *id,
            at: r.get(1)?,
            amount: r.get(2)?,
            note: (!note.is_empty()).then_some(note),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
