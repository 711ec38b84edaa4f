//! SQL for the group goal read model: a group's goals and, per week, which members said they met their own target
//! (read only as counts).

use rusqlite::{Connection, OptionalExtension, params};

use super::queries::{q, sql};
use crate::error::Result;
use crate::ids::{GoalId, GroupId, MemberId};
use crate::model::{GroupGoal, WeekCount};
use crate::schema::group_goals::StoredGroupGoal;
use crate::storage::groups::GroupRef;

/// Replaces a group's goals and their marks with what its document holds now.
pub(crate) fn replace_for_group(conn: &Connection, group_ref: GroupRef, goals: &[StoredGroupGoal]) -> Result<()> {
    conn.prepare_cached(sql(q::GROUP_GOALS_REPLACE_FOR_GROUP_DELETE_GROUP_GOAL_MET))?.execute([group_ref])?;
    conn.prepare_cached(sql(q::GROUP_GOALS_REPLACE_FOR_GROUP_DELETE_GROUP_GOALS))?.execute([group_ref])?;
    let mut insert = conn.prepare_cached(sql(q::GROUP_GOALS_REPLACE_FOR_GROUP_INSERT_GROUP_GOALS))?;
    let mut mark = conn.prepare_cached(sql(q::GROUP_GOALS_REPLACE_FOR_GROUP_INSERT_GROUP_GOAL_MET))?;
    for g in goals {
        insert.execute(params![g.id, group_ref, g.title, g.owner, g.created_at, g.ended_at.unwrap_or(0)])?;
        for (week, member) in &g.met {
            mark.execute(params![g.id, week, member])?;
        }
    }
    Ok(())
}

/// A group's goals, running ones first, newest first; `weeks` are the Mondays to count marks in, and `me` finds
/// this profile's own goal towards each.
pub(crate) fn list(
    conn: &Connection,
    group_ref: GroupRef,
    group: &GroupId,
    weeks: &[String],
    me: &MemberId,
    only: Option<&GoalId>,
) -> Result<Vec<GroupGoal>> {
    let mut stmt = conn.prepare_cached(sql(q::GROUP_GOALS_LIST))?;
    let rows = stmt
        .query_map(params![group_ref, me, only], |r| {
            let ended: i64 = r.get(4)?;
            Ok(GroupGoal {
                id: r.get(0)?,
                group_id: *group,
                title: r.get(1)?,
                created_by: r.get(2)?,
                created_at: r.get(3)?,
                ended_at: (ended != 0).then_some(ended),
                weeks: Vec::new(),
                my_goal: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut count = conn.prepare_cached(sql(q::GROUP_GOALS_LIST_MET))?;
    rows.into_iter()
        .map(|mut g| {
            for week in weeks {
                let met = count.query_row(params![g.id, week], |r| r.get(0))?;
                g.weeks.push(WeekCount { week: week.clone(), met });
            }
            Ok(g)
        })
        .collect()
}

/// The group a group goal belongs to, if this phone holds it.
pub(crate) fn group_of(conn: &Connection, id: &GoalId) -> Result<Option<GroupId>> {
    Ok(conn.prepare_cached(sql(q::GROUP_GOALS_GROUP_OF))?.query_row([id], |r| r.get(0)).optional()?)
}

/// Whether `member` already said they met their target in `week`.
pub(crate) fn has_mark(conn: &Connection, id: &GoalId, week: &str, member: &MemberId) -> Result<bool> {
    Ok(conn
        .prepare_cached(sql(q::GROUP_GOALS_HAS_MARK))?
        .query_row(params![id, week, member], |_| Ok(()))
        .optional()?
        .is_some())
}
