//! `goal add | log | list | pause | resume | archive | history`: wellness goals and their progress.

use std::collections::HashMap;

use clap::{Args, Subcommand, ValueEnum};
use kindred_core::habit::{HabitStrength, PeriodOutcome};
use kindred_core::{Cadence, CadencePeriod, Goal, GoalId, GoalStatus, GroupId, Kindred, NewGoal, ProgressEntry};
use serde::Serialize;

use crate::context::{CliError, Ctx, Outcome};
use crate::output::{Align, Table, cadence, push_line, short, this_period, when};

/// Most entries `goal history` shows when not told otherwise.
const DEFAULT_HISTORY: u32 = 20;

#[derive(Debug, Subcommand)]
pub enum GoalCommand {
    /// Set yourself a goal, private or shared with a group.
    Add(AddArgs),
    /// Log progress on one of your goals.
    Log(LogArgs),
    /// List goals: yours and those shared in your groups.
    List(ListArgs),
    /// Pause a goal (it stays listed, without expectations).
    Pause(GoalArg),
    /// Make a paused or archived goal active again.
    Resume(GoalArg),
    /// Archive a goal (hidden from `goal list` unless --all).
    Archive(GoalArg),
    /// Show a goal's logged progress, newest first.
    History(HistoryArgs),
    /// Take a day off a goal without penalty (today, or --day YYYY-MM-DD).
    Skip {
        /// The goal's id, a prefix of it (4+ characters), or its exact title.
        goal: String,
        #[arg(long, value_name = "YYYY-MM-DD")]
        day: Option<String>,
    },
    /// Show a goal's habit strength (0-100: grows when met, fades when missed) and its recent periods.
    Strength(GoalArg),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    pub title: String,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Share it with this group (id or name); private without it.
    #[arg(long)]
    pub group: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PeriodArg {
    Day,
    Week,
    Month,
}

impl From<PeriodArg> for CadencePeriod {
    fn from(period: PeriodArg) -> Self {
        match period {
            PeriodArg::Day => CadencePeriod::Day,
            PeriodArg::Week => CadencePeriod::Week,
            PeriodArg::Month => CadencePeriod::Month,
        }
    }
}

/// A weekday as its ISO 8601 number (1 Monday ... 7 Sunday), from its English name or first three letters.
fn parse_weekday(text: &str) -> Result<u32, CliError> {
    const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    let wanted = text.trim().to_lowercase();
    DAYS.iter()
        .position(|d| wanted.len() >= 3 && d.starts_with(&wanted))
        .map(|i| i as u32 + 1)
        .ok_or_else(|| CliError::input("--on takes weekdays: mon, tue, wed, thu, fri, sat, sun"))
}

/// A goal's cadence on the command line: `--times N --per day|week|month`, or `--times N --on mon,wed,fri`.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// How many times per period (per chosen day, with --on).
    #[arg(long)]
    pub times: u32,
    #[arg(long, value_enum, required_unless_present = "on")]
    pub per: Option<PeriodArg>,
    /// Only on these weekdays (a daily goal), e.g. mon,wed,fri.
    #[arg(long, value_delimiter = ',', conflicts_with = "per")]
    pub on: Vec<String>,
}

impl TargetArgs {
    /// The cadence asked for.
    pub(crate) fn cadence(&self) -> Result<Cadence, CliError> {
        Ok(match self.per {
            Some(per) => Cadence::new(self.times, per.into()),
            None => Cadence::on_weekdays(
                self.times,
                &self.on.iter().map(|d| parse_weekday(d)).collect::<Result<Vec<u32>, _>>()?,
            ),
        })
    }
}

#[derive(Debug, Args)]
pub struct GoalArg {
    /// The goal's id, a prefix of it (4+ characters), or its exact title.
    pub goal: String,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// The goal's id, a prefix of it (4+ characters), or its exact title.
    pub goal: String,
    #[arg(long, default_value_t = 1)]
    pub amount: u32,
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Include archived goals.
    #[arg(long)]
    pub all: bool,
    /// Only goals shared with this group (id or name).
    #[arg(long)]
    pub group: Option<String>,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The goal's id, a prefix of it (4+ characters), or its exact title.
    pub goal: String,
    #[arg(long, default_value_t = DEFAULT_HISTORY, value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: u32,
}

/// What `goal log` reports: the new entry and the goal as it now stands.
#[derive(Debug, Serialize)]
struct Logged {
    entry: ProgressEntry,
    goal: Goal,
}

/// What `goal history` reports.
#[derive(Debug, Serialize)]
struct History {
    goal: Goal,
    entries: Vec<ProgressEntry>,
}

pub fn run(ctx: &Ctx, command: GoalCommand) -> Outcome {
    let kindred = ctx.open()?;
    match command {
        GoalCommand::Add(args) => {
            let share_with = args.group.map(|g| kindred.resolve_group(&g)).transpose()?;
            let rhythm = args.target.cadence()?;
            let goal = kindred.create_goal(NewGoal { title: args.title, cadence: rhythm, share_with })?;
            let names = group_names(&kindred)?;
            ctx.render(&goal, |g| {
                format!(
                    "Added goal \"{}\" ({}, {}) {}\n",
                    g.title,
                    cadence(&g.cadence),
                    sharing(g, &names),
                    short(&g.id)
                )
            })
        }
        GoalCommand::Log(args) => {
            let id = kindred.resolve_goal(&args.goal)?;
            let entry = kindred.log_progress(&id, args.amount, args.note.as_deref(), None)?;
            let logged = Logged { entry, goal: kindred.goal(&id)? };
            ctx.render(&logged, |l| {
                format!("Logged {} on \"{}\": {}\n", l.entry.amount, l.goal.title, progress(&l.goal))
            })
        }
        GoalCommand::List(args) => {
            let group = args.group.map(|g| kindred.resolve_group(&g)).transpose()?;
            let goals = kindred.goals(args.all, group.as_ref())?;
            let names = group_names(&kindred)?;
            ctx.render(&goals, |goals| list_text(goals, &names))
        }
        GoalCommand::Pause(arg) => set_status(ctx, &kindred, &arg.goal, GoalStatus::Paused),
        GoalCommand::Resume(arg) => set_status(ctx, &kindred, &arg.goal, GoalStatus::Active),
        GoalCommand::Archive(arg) => set_status(ctx, &kindred, &arg.goal, GoalStatus::Archived),
        GoalCommand::Skip { goal, day } => {
            let id = kindred.resolve_goal(&goal)?;
            let strength = kindred.skip_goal_day(&id, day.as_deref())?;
            ctx.render(&strength, |s| format!("Skipped, without penalty. Habit strength {}%.\n", s.strength))
        }
        GoalCommand::Strength(arg) => {
            let id = kindred.resolve_goal(&arg.goal)?;
            let strength = kindred.goal_strength(&id)?;
            ctx.render(&strength, strength_text)
        }
        GoalCommand::History(args) => {
            let id = kindred.resolve_goal(&args.goal)?;
            let history = History { goal: kindred.goal(&id)?, entries: kindred.goal_progress(&id, None, args.limit)? };
            ctx.render(&history, history_text)
        }
    }
}

fn set_status(ctx: &Ctx, kindred: &Kindred, goal: &str, status: GoalStatus) -> Outcome {
    let id: GoalId = kindred.resolve_goal(goal)?;
    let goal = kindred.set_goal_status(&id, status)?;
    ctx.render(&goal, |g| format!("\"{}\" is now {}\n", g.title, g.status))
}

pub(crate) fn group_names(kindred: &Kindred) -> Result<HashMap<GroupId, String>, kindred_core::Error> {
    Ok(kindred.groups()?.into_iter().map(|g| (g.id, g.name)).collect())
}

/// "private" or "shared with Tuesday circle".
fn sharing(goal: &Goal, names: &HashMap<GroupId, String>) -> String {
    match &goal.group_id {
        None => "private".to_owned(),
        Some(id) => format!("shared with {}", names.get(id).cloned().unwrap_or_else(|| short(id))),
    }
}

/// "1/3 this week".
fn progress(goal: &Goal) -> String {
    format!("{}/{} {}", goal.done_this_period, goal.cadence.times, this_period(goal.cadence.period))
}

pub(crate) fn list_text(goals: &[Goal], names: &HashMap<GroupId, String>) -> String {
    if goals.is_empty() {
        return "No goals yet. Add one with `kindred goal add TITLE --times N --per week`.\n".to_owned();
    }
    let theirs = goals.iter().any(|g| !g.is_mine);
    let mut columns = vec![
        ("TITLE", Align::Left),
        ("CADENCE", Align::Left),
        ("PROGRESS", Align::Left),
        ("TOTAL", Align::Right),
        ("STATUS", Align::Left),
        ("SHARED WITH", Align::Left),
    ];
    if theirs {
        columns.push(("OWNER", Align::Left));
    }
    columns.push(("ID", Align::Left));
    let mut table = Table::new(&columns);
    for g in goals {
        let group = g
            .group_id
            .map_or_else(|| "(private)".to_owned(), |id| names.get(&id).cloned().unwrap_or_else(|| short(&id)));
        let mut row = vec![
            g.title.clone(),
            cadence(&g.cadence),
            progress(g),
            g.total_logged.to_string(),
            g.status.to_string(),
            group,
        ];
        if theirs {
            row.push(if g.is_mine { "you".to_owned() } else { short(&g.owner) });
        }
        row.push(short(&g.id));
        table.row(row);
    }
    table.render()
}

fn history_text(h: &History) -> String {
    let g = &h.goal;
    let mut out = String::new();
    push_line(
        &mut out,
        format!("{} ({}, {}): {}, {} in all", g.title, cadence(&g.cadence), g.status, progress(g), g.total_logged),
    );
    if h.entries.is_empty() {
        push_line(&mut out, "Nothing logged yet.");
        return out;
    }
    out.push('\n');
    let mut table = Table::new(&[("WHEN", Align::Left), ("AMOUNT", Align::Right), ("NOTE", Align::Left)]);
    for e in &h.entries {
        let note = e.note.as_deref().map(|n| n.lines().collect::<Vec<_>>().join(" / ")).unwrap_or_default();
        table.row(vec![when(e.at), format!("+{}", e.amount), note]);
    }
    out.push_str(&table.render());
    out
}

fn strength_text(s: &HabitStrength) -> String {
    let mut out = String::new();
    push_line(
        &mut out,
        format!("Habit strength: {}% (it grows with each period met and fades gently when missed).", s.strength),
    );
    for p in &s.recent {
        let outcome = match p.outcome {
            PeriodOutcome::Met => "met",
            PeriodOutcome::Partial => "partly",
            PeriodOutcome::Missed => "missed",
            PeriodOutcome::Skipped => "skipped (no penalty)",
            PeriodOutcome::Paused => "paused (no penalty)",
            PeriodOutcome::InProgress => "in progress",
        };
        push_line(&mut out, format!("  {}  {}/{}  {outcome}", p.start, p.done, p.target));
    }
    out
}

/// `cheer GROUP GOAL`: cheer on another member's goal shared in a group.
#[derive(Debug, Args)]
pub struct CheerArgs {
    /// The group's id or name.
    pub group: String,
    /// The goal's id, a prefix of it (4+ characters), or its exact title, among the group's goals.
    pub goal: String,
}

pub fn cheer(ctx: &Ctx, args: CheerArgs) -> Outcome {
    let kindred = ctx.open()?;
    let group = kindred.resolve_group(&args.group)?;
    let needle = args.goal.trim().to_owned();
    let shared = kindred.goals(false, Some(&group))?;
    let matching: Vec<_> = shared
        .iter()
        .filter(|g| g.title == needle || (needle.len() >= 4 && g.id.to_hex().starts_with(&needle.to_ascii_lowercase())))
        .collect();
    let goal = match matching.as_slice() {
        [goal] => goal.id,
        [] => return Err(crate::context::CliError::input("no goal shared in that group has that title or id")),
        _ => return Err(crate::context::CliError::input("several goals in that group match; use the goal's id")),
    };
    let cheers = kindred.cheer_goal(&goal)?;
    ctx.render(&cheers, |c| format!("Cheered! {} on this goal so far.\n", c.len()))
}
