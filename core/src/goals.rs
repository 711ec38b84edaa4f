//! Wellness goals: gentle, cooperative goals with a cadence ("3 times a week"), progress logging, pause and archive.
//!
//! A private goal lives in the profile's personal document; a goal shared with a group lives in that group's
//! document, so its members see it and its progress. Only the owner changes a goal.

use crate::error::{Error, ErrorKind, Result};
use crate::habit::{HabitStrength, Record};
use crate::ids::{DocId, GoalId, ProgressId};
use crate::kindred::{Kindred, WriteCtx};
use crate::model::{Cadence, CadencePeriod, Goal, GoalStatus, NewGoal, ProgressEntry};
use crate::read_model;
use crate::schema::{self, goals::NewGoalFields, goals::StoredProgress};
use crate::storage::documents;
use crate::storage::goals::{self as store, PeriodStarts};
use crate::storage::groups as group_store;
use crate::text;
use crate::time::{local_date, local_offset_minutes, now_ms, period_starts};

/// A cheer on a shared goal: another member's encouragement, their latest.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Cheer {
    /// Who cheered.
    pub member: crate::ids::MemberId,
    /// Their name in the group, if they are still in it.
    pub name: Option<String>,
    /// When they last cheered.
    pub at: i64,
}

/// Longest goal title, in characters.
pub const MAX_GOAL_TITLE_CHARS: usize = 80;
/// Most times per period a cadence can ask for.
pub const MAX_CADENCE_TIMES: u32 = 100;
/// Largest single progress amount.
pub const MAX_PROGRESS_AMOUNT: u32 = 1000;
/// Longest progress note.
pub const MAX_PROGRESS_NOTE_CHARS: usize = 500;

/// A cadence as it is kept: times in range; chosen weekdays only for a daily cadence, each 1-7, in order, without
/// repeats, and `None` when none or every day is chosen.
pub(crate) fn checked_cadence(cadence: &Cadence) -> Result<Cadence> {
    if cadence.times == 0 || cadence.times > MAX_CADENCE_TIMES {
        return Err(Error::invalid("cadence", format!("times must be between 1 and {MAX_CADENCE_TIMES}")));
    }
    let weekdays = cadence.weekdays.as_deref().unwrap_or_default();
    if weekdays.iter().any(|d| !(1..=7).contains(d)) {
        return Err(Error::invalid("cadence", "weekdays are numbered 1 (Monday) to 7 (Sunday)"));
    }
    if !weekdays.is_empty() && cadence.period != CadencePeriod::Day {
        return Err(Error::invalid("cadence", "weekdays go with a daily cadence"));
    }
    let bits = cadence.weekday_bits();
    Ok(Cadence {
        times: cadence.times,
        period: cadence.period,
        weekdays: if bits == 0x7f { None } else { Cadence::weekdays_of(bits) },
    })
}

/// What a goal's read model holds, in days of the person's calendar, for its habit strength and weeks.
pub(crate) fn record_of(tx: &rusqlite::Connection, g: &Goal) -> Result<Record> {
    let offset = local_offset_minutes();
    let day = |at: i64| local_date(at, offset);
    let (skips, pauses) = store::skips_and_pauses(tx, &g.id)?;
    let end = if g.status == GoalStatus::Archived { g.updated_at } else { now_ms() };
    Ok(Record {
        created: Some(day(g.created_at)),
        today: Some(day(end)),
        done: store::amounts(tx, &g.id)?.into_iter().map(|(at, n)| (day(at), n)).collect(),
        skipped: skips.iter().filter_map(|d| crate::time::parse_day(d)).collect(),
        paused: pauses.into_iter().map(|(from, until)| (day(from), until.map(day))).collect(),
    })
}

fn starts_now() -> PeriodStarts {
    period_starts(now_ms(), local_offset_minutes())
}

/// Finds the goals map of the document holding a goal.
pub(crate) fn goals_obj(ctx: &mut WriteCtx<'_, '_>, doc: &DocId, personal: &DocId) -> Result<automerge::ObjId> {
    let d = ctx.cache.get(ctx.tx, doc, ctx.identity.actor())?.ok_or_else(|| Error::not_found("document", doc))?;
    if doc == personal { schema::goals::personal_goals_obj(d, doc) } else { schema::group::goals_obj(d, doc) }
}

/// Re-reads whichever document holds the goal.
pub(crate) fn refresh(ctx: &mut WriteCtx<'_, '_>, doc: &DocId, personal: &DocId) -> Result<()> {
    if doc == personal {
        read_model::refresh_personal(ctx, personal)
    } else {
        read_model::refresh_group(ctx, &crate::ids::GroupId::from_bytes(*doc.as_bytes())).map(|_| ())
    }
}

/// The goal and its document, if this profile owns it.
fn own_goal(ctx: &WriteCtx<'_, '_>, id: &GoalId) -> Result<(Goal, DocId)> {
    let (goal, doc) = store::get(ctx.tx, &ctx.me(), starts_now(), id)?.ok_or_else(|| Error::not_found("goal", id))?;
    if !goal.is_mine {
        return Err(Error::not_permitted("only the owner can change a goal"));
    }
    Ok((goal, doc))
}

impl Kindred {
    /// Creates a goal, private or shared with a group this profile is a member of.
    pub fn create_goal(&self, new: NewGoal) -> Result<Goal> {
        let title = text::single_line("goal title", &new.title, MAX_GOAL_TITLE_CHARS)?;
        let cadence = checked_cadence(&new.cadence)?;
        self.write(|ctx| {
            let personal = ctx.personal_doc;
            let doc = match &new.share_with {
                Some(group) => {
                    let group_ref = group_store::require(ctx.tx, group)?;
                    if group_store::role_of(ctx.tx, group_ref, &ctx.me())?.is_none() {
                        return Err(Error::not_permitted("only members can share goals with this group"));
                    }
                    group.doc_id()
                }
                None => personal,
            };
            let goals = goals_obj(ctx, &doc, &personal)?;
            let me = ctx.me();
            let fields = NewGoalFields {
                id: GoalId::random(),
                owner: me,
                title: &title,
                cadence: cadence.clone(),
                at: now_ms(),
                group_goal: None,
            };
            documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc, None, fields.at, |d| {
                schema::goals::write_new(d, &doc, &goals, &fields)
            })?;
            refresh(ctx, &doc, &personal)?;
            store::get(ctx.tx, &me, starts_now(), &fields.id)?
                .map(|(g, _)| g)
                .ok_or_else(|| Error::internal("new goal missing"))
        })
    }

    /// Logs progress on one's own goal (`amount` times, at `at` or now).
    pub fn log_progress(
        &self,
        goal: &GoalId,
        amount: u32,
        note: Option<&str>,
        at: Option<i64>,
    ) -> Result<ProgressEntry> {
        if amount == 0 || amount > MAX_PROGRESS_AMOUNT {
            return Err(Error::invalid("amount", format!("must be between 1 and {MAX_PROGRESS_AMOUNT}")));
        }
        let note = text::optional_multi_line("note", note, MAX_PROGRESS_NOTE_CHARS)?;
        let now = now_ms();
        let at = crate::wellbeing::validate_time(at, now)?;
        self.write(|ctx| {
            let personal = ctx.personal_doc;
            let (current, doc) = own_goal(ctx, goal)?;
            if current.status == GoalStatus::Archived {
                return Err(Error::not_permitted("the goal is archived; restore it to log progress"));
            }
            let goals = goals_obj(ctx, &doc, &personal)?;
            let entry = StoredProgress { id: ProgressId::random(), at, amount, note };
            documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc, None, now, |d| {
                schema::goals::write_progress(d, &doc, &goals, goal, &entry)
            })?;
            refresh(ctx, &doc, &personal)?;
            crate::group_goals::mark_week_if_met(ctx, &current, local_date(at, local_offset_minutes()))?;
            Ok(ProgressEntry { id: entry.id, goal_id: *goal, at: entry.at, amount: entry.amount, note: entry.note })
        })
    }

    /// Pauses, resumes (back to active) or archives one's own goal.
    pub fn set_goal_status(&self, goal: &GoalId, status: GoalStatus) -> Result<Goal> {
        self.write(|ctx| {
            let personal = ctx.personal_doc;
            let (current, doc) = own_goal(ctx, goal)?;
            if current.status != status {
                let goals = goals_obj(ctx, &doc, &personal)?;
                let at = now_ms();
                documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc, None, at, |d| {
                    schema::goals::write_status(d, &doc, &goals, goal, status, at)
                })?;
                refresh(ctx, &doc, &personal)?;
            }
            store::get(ctx.tx, &ctx.me(), starts_now(), goal)?
                .map(|(g, _)| g)
                .ok_or_else(|| Error::not_found("goal", goal))
        })
    }

    /// Goals this profile can see: its own (private and shared) and those shared by others in its groups. Archived
    /// goals only with `include_archived`; only one group's with `group`.
    pub fn goals(&self, include_archived: bool, group: Option<&crate::ids::GroupId>) -> Result<Vec<Goal>> {
        self.read(|tx, me| store::list(tx, me, starts_now(), include_archived, group))
    }

    /// One goal.
    pub fn goal(&self, goal: &GoalId) -> Result<Goal> {
        self.read(|tx, me| {
            store::get(tx, me, starts_now(), goal)?.map(|(g, _)| g).ok_or_else(|| Error::not_found("goal", goal))
        })
    }

    /// A goal's progress history, newest first: entries from `since` on (all without it), at most `limit`.
    pub fn goal_progress(&self, goal: &GoalId, since: Option<i64>, limit: u32) -> Result<Vec<ProgressEntry>> {
        if limit == 0 || limit > crate::messages::MAX_PAGE {
            return Err(Error::invalid("limit", format!("must be between 1 and {}", crate::messages::MAX_PAGE)));
        }
        self.read(|tx, me| {
            store::get(tx, me, starts_now(), goal)?.ok_or_else(|| Error::not_found("goal", goal))?;
            store::progress(tx, goal, since.unwrap_or(i64::MIN), limit)
        })
    }

    /// A goal's habit strength (0-100: it grows with each period met and fades with each missed, instead of a streak)
    /// and its recent periods; skipped days and pauses count for nothing. See [`crate::habit`] for the rule and its
    /// table of cases.
    pub fn goal_strength(&self, goal: &GoalId) -> Result<HabitStrength> {
        self.read(|tx, me| {
            let (g, _) = store::get(tx, me, starts_now(), goal)?.ok_or_else(|| Error::not_found("goal", goal))?;
            Ok(crate::habit::strength(&g.cadence, &record_of(tx, &g)?))
        })
    }

    /// Skips `day` (`YYYY-MM-DD`; today when `None`) of one's own goal: a day off without penalty to its habit
    /// strength. Returns the strength as it is now. Fails with `InvalidInput` for a day that is not a date, is
    /// before the goal was made, or is more than a day ahead.
    pub fn skip_goal_day(&self, goal: &GoalId, day: Option<&str>) -> Result<HabitStrength> {
        let offset = local_offset_minutes();
        let today = local_date(now_ms(), offset);
        let day = match day {
            None => today,
            Some(d) => crate::time::parse_day(d.trim())
                .ok_or_else(|| Error::invalid("day", "must be a date such as 2026-03-01"))?,
        };
        if day > today.succ_opt().unwrap_or(today) {
            return Err(Error::invalid("day", "is more than a day ahead"));
        }
        self.write(|ctx| {
            let personal = ctx.personal_doc;
            let (current, doc) = own_goal(ctx, goal)?;
            if day < local_date(current.created_at, offset) {
                return Err(Error::invalid("day", "is before the goal was made"));
            }
            let goals = goals_obj(ctx, &doc, &personal)?;
            let text = day.to_string();
            documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc, None, now_ms(), |d| {
                schema::goals::write_skip(d, &doc, &goals, goal, &text)
            })?;
            refresh(ctx, &doc, &personal)?;
            crate::group_goals::mark_week_if_met(ctx, &current, day)
        })?;
        self.goal_strength(goal)
    }

    /// Cheers on another member's goal shared in one of this profile's groups: records this member's cheer (their
    /// latest counts), which reaches the group with its next sync. Returns the goal's cheers. Fails with
    /// `NotPermitted` for one's own goal or a private one, and `NotFound` for a goal this profile cannot see.
    pub fn cheer_goal(&self, goal: &GoalId) -> Result<Vec<Cheer>> {
        self.write(|ctx| {
            let me = ctx.me();
            let (g, doc) =
                store::get(ctx.tx, &me, starts_now(), goal)?.ok_or_else(|| Error::not_found("goal", goal))?;
            let Some(group) = g.group_id else {
                return Err(Error::not_permitted("a private goal has no one to cheer it"));
            };
            if g.is_mine {
                return Err(Error::not_permitted("cheers are for others' goals"));
            }
            let group_ref = group_store::require(ctx.tx, &group)?;
            if group_store::role_of(ctx.tx, group_ref, &me)?.is_none() {
                return Err(Error::not_permitted("only members of the goal's group cheer it"));
            }
            let personal = ctx.personal_doc;
            let goals = goals_obj(ctx, &doc, &personal)?;
            let at = now_ms();
            documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc, None, at, |d| {
                schema::goals::write_cheer(d, &doc, &goals, goal, &me, at)
            })?;
            refresh(ctx, &doc, &personal)
        })?;
        self.goal_cheers(goal)
    }

    /// Who cheered a goal on (other members of its group), newest first, each with their name in the group.
    pub fn goal_cheers(&self, goal: &GoalId) -> Result<Vec<Cheer>> {
        self.read(|tx, me| {
            let (g, _) = store::get(tx, me, starts_now(), goal)?.ok_or_else(|| Error::not_found("goal", goal))?;
            let names = match g.group_id {
                Some(group) => group_store::details(tx, group_store::require(tx, &group)?)?.members,
                None => Vec::new(),
            };
            Ok(store::cheers(tx, goal)?
                .into_iter()
                .map(|(member, at)| Cheer {
                    name: names.iter().find(|m| m.member_id == member).map(|m| m.display_name.clone()),
                    member,
                    at,
                })
                .collect())
        })
    }

    /// Finds a goal by id, unique id prefix, or exact title among the goals this profile can see.
    pub fn resolve_goal(&self, id_or_title: &str) -> Result<GoalId> {
        let needle = id_or_title.trim();
        let goals = self.goals(true, None)?;
        let mut by_title: Vec<_> = goals.iter().filter(|g| g.title == needle).collect();
        if by_title.is_empty() {
            let wanted = needle.to_lowercase();
            by_title = goals.iter().filter(|g| g.title.to_lowercase() == wanted).collect();
        }
        let lower = needle.to_ascii_lowercase();
        let by_id: Vec<_> = goals.iter().filter(|g| needle.len() >= 4 && g.id.to_hex().starts_with(&lower)).collect();
        let matches = if by_title.is_empty() { by_id } else { by_title };
        match matches.as_slice() {
            [goal] => Ok(goal.id),
            // Neither repeats what was typed: it may be a title.
            [] => Err(Error::not_found("goal", "no goal has that id or title")),
            _ => Err(ErrorKind::Ambiguous { kind: "goal", name: String::new(), count: matches.len() }.into()),
        }
    }
}
