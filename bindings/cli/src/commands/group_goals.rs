//! `group-goal propose | list | join | end`: goals a group works on together, each member with their own private
//! target; the group sees only how many met theirs each week.

use clap::{Args, Subcommand};
use kindred_core::{GoalId, GroupGoal, GroupId, Kindred};

use crate::commands::goals::TargetArgs;
use crate::context::{CliError, Ctx, Outcome};
use crate::output::{Align, Table, cadence, short, when};

#[derive(Debug, Subcommand)]
pub enum GroupGoalCommand {
    /// Propose a goal to a group ("Move a little more"); members join it with their own targets.
    Propose {
        /// The group's id or name.
        group: String,
        title: String,
    },
    /// A group's goals, with how many met their own target in each of the last four weeks.
    List {
        /// The group's id or name.
        group: String,
    },
    /// Join a group goal with your own target, kept private: the group learns only that one more met theirs.
    Join(JoinArgs),
    /// End a group goal you proposed.
    End(GroupGoalArg),
}

#[derive(Debug, Args)]
pub struct GroupGoalArg {
    /// The group's id or name.
    pub group: String,
    /// The group goal's id, a prefix of it (4+ characters), or its exact title.
    pub goal: String,
}

#[derive(Debug, Args)]
pub struct JoinArgs {
    #[command(flatten)]
    pub which: GroupGoalArg,
    /// Your own target: by the day, on chosen weekdays or by the week (a group goal counts weeks).
    #[command(flatten)]
    pub target: TargetArgs,
}

fn resolve(kindred: &Kindred, which: &GroupGoalArg) -> Result<(GroupId, GoalId), CliError> {
    let group = kindred.resolve_group(&which.group)?;
    let needle = which.goal.trim();
    let lower = needle.to_ascii_lowercase();
    let goals = kindred.group_goals(&group)?;
    let matching: Vec<&GroupGoal> = goals
        .iter()
        .filter(|g| g.title == needle || (needle.len() >= 4 && g.id.to_hex().starts_with(&lower)))
        .collect();
    match matching.as_slice() {
        [goal] => Ok((group, goal.id)),
        [] => Err(CliError::input("no group goal in that group has that title or id")),
        _ => Err(CliError::input("several group goals in that group match; use the goal's id")),
    }
}

pub fn run(ctx: &Ctx, command: GroupGoalCommand) -> Outcome {
    let kindred = ctx.open()?;
    match command {
        GroupGoalCommand::Propose { group, title } => {
            let group = kindred.resolve_group(&group)?;
            let goal = kindred.create_group_goal(&group, &title)?;
            ctx.render(&goal, |g| {
                format!("Proposed \"{}\" {}: members join it with `kindred group-goal join`.\n", g.title, short(&g.id))
            })
        }
        GroupGoalCommand::List { group } => {
            let group = kindred.resolve_group(&group)?;
            let goals = kindred.group_goals(&group)?;
            ctx.render(&goals, |goals| list_text(&kindred, goals))
        }
        GroupGoalCommand::Join(args) => {
            let (_, id) = resolve(&kindred, &args.which)?;
            let goal = kindred.join_group_goal(&id, args.target.cadence()?)?;
            ctx.render(&goal, |g| {
                format!(
                    "Joined \"{}\" with your own target, {} (private: log it with `kindred goal log {}`).\n",
                    g.title,
                    cadence(&g.cadence),
                    short(&g.id)
                )
            })
        }
        GroupGoalCommand::End(which) => {
            let (_, id) = resolve(&kindred, &which)?;
            let goal = kindred.end_group_goal(&id)?;
            ctx.render(&goal, |g| format!("Ended \"{}\".\n", g.title))
        }
    }
}

fn list_text(kindred: &Kindred, goals: &[GroupGoal]) -> String {
    if goals.is_empty() {
        return "No group goals yet. Propose one with `kindred group-goal propose GROUP TITLE`.\n".to_owned();
    }
    let me = Some(kindred.profile().member_id);
    let mut table = Table::new(&[
        ("TITLE", Align::Left),
        ("MET THEIRS, LAST 4 WEEKS", Align::Left),
        ("YOU", Align::Left),
        ("PROPOSED", Align::Left),
        ("ID", Align::Left),
    ]);
    for g in goals {
        let weeks: Vec<String> = g.weeks.iter().map(|w| w.met.to_string()).collect();
        let status = match (g.ended_at, g.my_goal) {
            (Some(_), _) => "ended".to_owned(),
            (None, Some(_)) => "joined".to_owned(),
            (None, None) => "-".to_owned(),
        };
        let by = if Some(g.created_by) == me { "by you".to_owned() } else { short(&g.created_by) };
        table.row(vec![
            g.title.clone(),
            format!("{} (this week {})", weeks.join(" "), g.weeks.last().map_or(0, |w| w.met)),
            status,
            format!("{by}, {}", when(g.created_at)),
            short(&g.id),
        ]);
    }
    table.render()
}
