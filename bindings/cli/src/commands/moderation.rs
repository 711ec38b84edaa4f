//! `mod hide | restore | remove | readd | log`: what a group's owner and moderators do, signed into the group's
//! moderation log.

use clap::Subcommand;
use kindred_core::{ModerationEntry, ModerationKind};

use crate::commands::groups::resolve_member;
use crate::commands::messages::resolve;
use crate::context::{Ctx, Outcome};
use crate::output::{Align, Table, short, when};

/// Most entries `mod log` shows when not told otherwise.
const DEFAULT_LOG: u32 = 50;

#[derive(Debug, Subcommand)]
pub enum ModCommand {
    /// Hide a message from the group (its author and the moderators still see it), with a reason its author reads.
    Hide {
        /// The group's id or name.
        group: String,
        /// The message's id, or at least 4 hex characters of it.
        msg: String,
        /// Why, in words its author will read.
        #[arg(long)]
        why: String,
    },
    /// Show a hidden message to the group again.
    Restore {
        /// The group's id or name.
        group: String,
        /// The message's id, or at least 4 hex characters of it.
        msg: String,
        /// Why.
        #[arg(long)]
        why: String,
    },
    /// Remove a member from the group, with a reason kept in the moderation log.
    Remove {
        /// The group's id or name.
        group: String,
        /// The member's id, or their name in the group.
        member: String,
        /// Why.
        #[arg(long)]
        why: String,
    },
    /// Take a removed member back, with a reason kept in the moderation log.
    Readd {
        /// The group's id or name.
        group: String,
        /// The member's full id (64 hex characters; a removed member is no longer listed by name).
        member: String,
        /// Why.
        #[arg(long)]
        why: String,
    },
    /// The group's moderation log, newest first: who did what, when and why (owners and moderators only).
    Log {
        /// The group's id or name.
        group: String,
        #[arg(long, default_value_t = DEFAULT_LOG, value_parser = clap::value_parser!(u32).range(1..=500))]
        limit: u32,
    },
}

pub fn run(ctx: &Ctx, command: ModCommand) -> Outcome {
    let kindred = ctx.open()?;
    match command {
        ModCommand::Hide { group, msg, why } => {
            let (group, id) = resolve(&kindred, &group, &msg)?;
            let entry = kindred.hide_message(&group, &id, &why)?;
            ctx.render(&entry, |_| format!("Hid {} (its author sees why; the group sees it hidden)\n", short(&id)))
        }
        ModCommand::Restore { group, msg, why } => {
            let (group, id) = resolve(&kindred, &group, &msg)?;
            let entry = kindred.restore_message(&group, &id, &why)?;
            ctx.render(&entry, |_| format!("Restored {}\n", short(&id)))
        }
        ModCommand::Remove { group, member, why } => {
            let group = kindred.resolve_group(&group)?;
            let member = resolve_member(&kindred.group(&group)?, &member)?;
            let entry = kindred.remove_member_for(&group, &member, &why)?;
            ctx.render(&entry, |e| format!("Removed {} (in the moderation log)\n", short(&e.member)))
        }
        ModCommand::Readd { group, member, why } => {
            let group = kindred.resolve_group(&group)?;
            // A removed member is no longer listed in the group: named by their full id.
            let member = match member.trim().parse() {
                Ok(id) => id,
                Err(_) => resolve_member(&kindred.group(&group)?, &member)?,
            };
            let entry = kindred.readd_member(&group, &member, &why)?;
            ctx.render(&entry, |e| format!("Took {} back (in the moderation log)\n", short(&e.member)))
        }
        ModCommand::Log { group, limit } => {
            let group = kindred.resolve_group(&group)?;
            let log = kindred.moderation_log(&group, limit)?;
            ctx.render(&log, |log| log_text(log))
        }
    }
}

fn log_text(log: &[ModerationEntry]) -> String {
    if log.is_empty() {
        return "Nothing in the moderation log yet.\n".to_owned();
    }
    let mut table = Table::new(&[
        ("WHEN", Align::Left),
        ("WHO", Align::Left),
        ("DID", Align::Left),
        ("MESSAGE", Align::Left),
        ("OF", Align::Left),
        ("WHY", Align::Left),
    ]);
    for e in log {
        let did = match e.kind {
            ModerationKind::Hide => "hid",
            ModerationKind::Restore => "restored",
            ModerationKind::Remove => "removed",
            ModerationKind::Readd => "took back",
        };
        table.row(vec![
            when(e.at),
            e.by_name.clone(),
            did.to_owned(),
            e.message_id.as_ref().map_or_else(|| "-".to_owned(), short),
            short(&e.member),
            e.why.lines().collect::<Vec<_>>().join(" / "),
        ]);
    }
    table.render()
}
