//! Group goals: a goal a member proposes to their group ("Move a little more"), which each member who joins works on
//! with their own target, privately; the group sees only how many met theirs each week, never who joined or who did
//! not (see [`crate::schema::group_goals`] for what the group's document holds).
//!
//! Joining makes a private goal (in the personal document, never synced to the group) linked to the group goal. When
//! a progress entry or a skipped day completes a week of it ([`crate::habit::week_met`]), this phone writes the
//! member's signed mark for that week into the group's document; nothing is written for a week not met.

use crate::error::{Error, Result};
use crate::goals::{self, MAX_GOAL_TITLE_CHARS, goals_obj, refresh};
use crate::ids::{GoalId, GroupId};
use crate::kindred::{Kindred, WriteCtx};
use crate::model::{Cadence, CadencePeriod, GROUP_GOAL_WEEKS, Goal, GroupGoal};
use crate::schema::{self, goals::NewGoalFields};
use crate::storage::documents;
use crate::storage::group_goals as store;
use crate::storage::groups as group_store;
use crate::text;
use crate::time::{local_date, local_offset_minutes, now_ms, week_start};

/// Most group goals a group holds, ended ones included (a bound on what one member can make every phone keep).
pub const MAX_GROUP_GOALS: usize = 32;

/// The Mondays of the weeks a group goal lists, oldest first, this week last.
fn recent_weeks() -> Vec<String> {
    let this_week = week_start(local_date(now_ms(), local_offset_minutes()));
    (0..GROUP_GOAL_WEEKS as i64).rev().map(|n| (this_week - chrono::Duration::weeks(n)).to_string()).collect()
}

/// A member's role in a group, or `NotPermitted`.
fn require_member(ctx: &WriteCtx<'_, '_>, group: &GroupId, what: &str) -> Result<()> {
    let group_ref = group_store::require(ctx.tx, group)?;
    match group_store::role_of(ctx.tx, group_ref, &ctx.me())? {
        Some(_) => Ok(()),
        None => Err(Error::not_permitted(format!("only members of the group {what}"))),
    }
}

fn read_one(tx: &rusqlite::Connection, me: &crate::ids::MemberId, goal: &GoalId) -> Result<GroupGoal> {
    let group = store::group_of(tx, goal)?.ok_or_else(|| Error::not_found("group goal", goal))?;
    let group_ref = group_store::require(tx, &group)?;
    store::list(tx, group_ref, &group, &recent_weeks(), me, Some(goal))?
        .pop()
        .ok_or_else(|| Error::not_found("group goal", goal))
}

impl Kindred {
    /// Proposes a group goal to a group this profile is a member of. Fails with `InvalidInput` for a blank or long
    /// title and `InvalidInput` when the group already holds [`MAX_GROUP_GOALS`].
    pub fn create_group_goal(&self, group: &GroupId, title: &str) -> Result<GroupGoal> {
        let title = text::single_line("goal title", title, MAX_GOAL_TITLE_CHARS)?;
        let id = GoalId::random();
        self.write(|ctx| {
            require_member(ctx, group, "propose its goals")?;
            let group_ref = group_store::require(ctx.tx, group)?;
            if store::list(ctx.tx, group_ref, group, &[], &ctx.me(), None)?.len() >= MAX_GROUP_GOALS {
                return Err(Error::invalid("group", format!("holds {MAX_GROUP_GOALS} group goals, the limit")));
            }
            let doc = group.doc_id();
            let personal = ctx.personal_doc;
            let goals = goals_obj(ctx, &doc, &personal)?;
            let me = ctx.me();
            let at = now_ms();
            documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc, None, at, |d| {
                schema::group_goals::write_new(d, &doc, &goals, &id, &me, &title, at)
            })?;
            refresh(ctx, &doc, &personal)
        })?;
        self.group_goal(&id)
    }

    /// Ends a group goal this profile proposed: it stays listed, with its weeks, as ended.
    pub fn end_group_goal(&self, goal: &GoalId) -> Result<GroupGoal> {
        self.write(|ctx| {
            let current = read_one(ctx.tx, &ctx.me(), goal)?;
            if current.created_by != ctx.me() {
                return Err(Error::not_permitted("only the member who proposed a group goal ends it"));
            }
            if current.ended_at.is_none() {
                let doc = current.group_id.doc_id();
                let personal = ctx.personal_doc;
                let goals = goals_obj(ctx, &doc, &personal)?;
                let at = now_ms();
                documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc, None, at, |d| {
                    schema::group_goals::write_end(d, &doc, &goals, goal, at)
                })?;
                refresh(ctx, &doc, &personal)?;
            }
            Ok(())
        })?;
        self.group_goal(goal)
    }

    /// Joins a group goal with one's own target (`cadence`: by the day, on chosen weekdays or by the week; a group
    /// goal counts weeks, so not by the month). Makes a private goal, titled as the group goal, that only this
    /// profile sees; the group learns only, for each week it is met, that one more member met theirs. Fails with
    /// `NotPermitted` when already joined, or the goal has ended.
    pub fn join_group_goal(&self, goal: &GoalId, cadence: Cadence) -> Result<Goal> {
        if cadence.period == CadencePeriod::Month {
            return Err(Error::invalid("cadence", "a group goal counts weeks: choose a daily or weekly target"));
        }
        let cadence = goals::checked_cadence(&cadence)?;
        let id = GoalId::random();
        self.write(|ctx| {
            let current = read_one(ctx.tx, &ctx.me(), goal)?;
            require_member(ctx, &current.group_id, "join its goals")?;
            if current.ended_at.is_some() {
                return Err(Error::not_permitted("the group goal has ended"));
            }
            if current.my_goal.is_some() {
                return Err(Error::not_permitted("already working on this group goal"));
            }
            let personal = ctx.personal_doc;
            let goals = goals_obj(ctx, &personal, &personal)?;
            let fields = NewGoalFields {
                id,
                owner: ctx.me(),
                title: &current.title,
                cadence: cadence.clone(),
                at: now_ms(),
                group_goal: Some((current.group_id, *goal)),
            };
            documents::change_local(ctx.tx, ctx.cache, ctx.identity, &personal, None, fields.at, |d| {
                schema::goals::write_new(d, &personal, &goals, &fields)
            })?;
            refresh(ctx, &personal, &personal)
        })?;
        self.goal(&id)
    }

    /// A group's goals, running ones first, each with how many members met their own target in each of the last
    /// [`GROUP_GOAL_WEEKS`] weeks.
    pub fn group_goals(&self, group: &GroupId) -> Result<Vec<GroupGoal>> {
        self.read(|tx, me| {
            let group_ref = group_store::require(tx, group)?;
            store::list(tx, group_ref, group, &recent_weeks(), me, None)
        })
    }

    /// One group goal.
    pub fn group_goal(&self, goal: &GoalId) -> Result<GroupGoal> {
        self.read(|tx, me| read_one(tx, me, goal))
    }
}

/// After a progress entry or skipped day on `day` of one's own goal `own` (as the caller read it; its record is read
/// afresh): if the goal is one's target in a group goal and the week holding `day` is now met, writes this member's
/// mark for that week into the group's document (once).
pub(crate) fn mark_week_if_met(ctx: &mut WriteCtx<'_, '_>, own: &Goal, day: chrono::NaiveDate) -> Result<()> {
    let Some(group_goal) = own.group_goal else { return Ok(()) };
    let me = ctx.me();
    // A group goal this phone no longer holds (the group left, or its proposer removed), or one that has ended.
    let Ok(target) = read_one(ctx.tx, &me, &group_goal) else { return Ok(()) };
    if target.ended_at.is_some() || require_member(ctx, &target.group_id, "").is_err() {
        return Ok(());
    }
    let week = week_start(day);
    let week_text = week.to_string();
    if store::has_mark(ctx.tx, &group_goal, &week_text, &me)?
        || !crate::habit::week_met(&own.cadence, &goals::record_of(ctx.tx, own)?, week)
    {
        return Ok(());
    }
    let doc = target.group_id.doc_id();
    let personal = ctx.personal_doc;
    let goals = goals_obj(ctx, &doc, &personal)?;
    let at = now_ms();
    documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc, None, at, |d| {
        schema::group_goals::write_met(d, &doc, &goals, &group_goal, &week_text, &me, at)
    })?;
    refresh(ctx, &doc, &personal)
}
