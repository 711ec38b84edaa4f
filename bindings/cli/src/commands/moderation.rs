//! `mod hide | erase | restore | remove | readd | suspend | lift | approve | premod | rate-limit | log`, and `rules show | set | accept`:
//! what a group's owner and moderators do, signed into the group's moderation log, and its rules.

use clap::Subcommand;
use kindred_core::{GroupRules, ModerationEntry, ModerationKind, Premoderation, Report, ReportReason, Warning};

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
    /// Erase a message's words from every phone running Kindred (self-harm instructions, someone's address): the log
    /// keeps who, when and why, never the words.
    Erase {
        /// The group's id or name.
        group: String,
        /// The message's id, or at least 4 hex characters of it.
        msg: String,
        /// Why (kept in the moderation log).
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
    /// Suspend a member's posting until a moderator lifts it (or, with --for, until a moderator's phone sees the
    /// days pass): what they post meanwhile shows nowhere, even afterwards.
    Suspend {
        /// The group's id or name.
        group: String,
        /// The member's id, or their name in the group.
        member: String,
        /// A period in days (1-365), after which a moderator's phone lifts it.
        #[arg(long = "for", value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=365))]
        days: Option<u32>,
        /// Why.
        #[arg(long)]
        why: String,
    },
    /// Lift a member's suspension.
    Lift {
        /// The group's id or name.
        group: String,
        /// The member's id, or their name in the group.
        member: String,
        /// Why.
        #[arg(long)]
        why: String,
    },
    /// Approve a message waiting for approval (premoderation): the group sees it.
    Approve {
        /// The group's id or name.
        group: String,
        /// The message's id, or at least 4 hex characters of it.
        msg: String,
    },
    /// Premoderate newcomers' posts: `off`, `always`, or a number of approved posts after which they are trusted.
    Premod {
        /// The group's id or name.
        group: String,
        /// off | always | N (1-100)
        setting: String,
    },
    /// Warn a member: the words are sealed to them alone; the log keeps who warned whom and when.
    Warn {
        /// The group's id or name.
        group: String,
        /// The member's id, or their name in the group.
        member: String,
        /// The warning, in words only they will read (at most 120 characters).
        #[arg(long)]
        why: String,
    },
    /// The reports this phone opened, newest first: who reported what and why (owners and moderators only).
    Reports {
        /// The group's id or name.
        group: String,
    },
    /// Dismiss a report (found false, or dealt with): it counts against its reporter.
    Dismiss {
        /// The group's id or name.
        group: String,
        /// The report's id.
        report: String,
    },
    /// Mute a member's reports on this phone (or, with --undo, count them again). Nobody is told.
    MuteReporter {
        /// The group's id or name.
        group: String,
        /// The member's id, or their name in the group.
        member: String,
        #[arg(long)]
        undo: bool,
    },
    /// How many members' reports of one message hide it pending review (1-50; 3 unless set).
    Threshold {
        /// The group's id or name.
        group: String,
        /// Members.
        #[arg(value_parser = clap::value_parser!(u32).range(1..=50))]
        members: u32,
    },
    /// Limit how many posts a plain member may make between two messages by others (`off`, or 1-100), counted in
    /// causal steps on every phone, never by clock.
    RateLimit {
        /// The group's id or name.
        group: String,
        /// off | N (1-100)
        setting: String,
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
        ModCommand::Erase { group, msg, why } => {
            let (group, id) = resolve(&kindred, &group, &msg)?;
            let entry = kindred.erase_message_for(&group, &id, &why)?;
            ctx.render(&entry, |_| {
                format!("Erased {} from this phone, and from each phone running Kindred once it syncs\n", short(&id))
            })
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
        ModCommand::Suspend { group, member, days, why } => {
            let group = kindred.resolve_group(&group)?;
            let member = resolve_member(&kindred.group(&group)?, &member)?;
            let entry = kindred.suspend_member(&group, &member, days, &why)?;
            ctx.render(&entry, |e| match e.until {
                Some(until) => {
                    format!("Suspended {} until {} (in the moderation log)\n", short(&e.member), when(until))
                }
                None => format!("Suspended {} until lifted (in the moderation log)\n", short(&e.member)),
            })
        }
        ModCommand::Lift { group, member, why } => {
            let group = kindred.resolve_group(&group)?;
            let member = resolve_member(&kindred.group(&group)?, &member)?;
            let entry = kindred.lift_suspension(&group, &member, &why)?;
            ctx.render(&entry, |e| format!("Lifted the suspension of {}\n", short(&e.member)))
        }
        ModCommand::Approve { group, msg } => {
            let (group, id) = resolve(&kindred, &group, &msg)?;
            let entry = kindred.approve_message(&group, &id)?;
            ctx.render(&entry, |_| format!("Approved {}: the group sees it\n", short(&id)))
        }
        ModCommand::Premod { group, setting } => {
            let group = kindred.resolve_group(&group)?;
            let premoderation = parse_premoderation(&setting)?;
            let entry = kindred.set_premoderation(&group, premoderation)?;
            ctx.render(&entry, |e| format!("Set {}\n", e.why))
        }
        ModCommand::Warn { group, member, why } => {
            let group = kindred.resolve_group(&group)?;
            let member = resolve_member(&kindred.group(&group)?, &member)?;
            let entry = kindred.warn_member(&group, &member, &why)?;
            ctx.render(&entry, |e| format!("Warned {}: the words leave sealed to them alone\n", short(&e.member)))
        }
        ModCommand::Reports { group } => {
            let group = kindred.resolve_group(&group)?;
            let reports = kindred.reports(&group)?;
            ctx.render(&reports, |r| reports_text(r))
        }
        ModCommand::Dismiss { group, report } => {
            let group = kindred.resolve_group(&group)?;
            let report = report.trim().parse()?;
            kindred.dismiss_report(&group, &report)?;
            ctx.render(&serde_json::json!({ "dismissed": report }), |_| "Dismissed.\n".to_owned())
        }
        ModCommand::MuteReporter { group, member, undo } => {
            let group = kindred.resolve_group(&group)?;
            let member = resolve_member(&kindred.group(&group)?, &member)?;
            kindred.mute_reporter(&group, &member, !undo)?;
            let state = if undo { "counted again" } else { "muted on this phone" };
            ctx.render(&serde_json::json!({ "member": member, "muted": !undo }), |_| {
                format!("Their reports are {state}.\n")
            })
        }
        ModCommand::Threshold { group, members } => {
            let group = kindred.resolve_group(&group)?;
            let entry = kindred.set_report_threshold(&group, members)?;
            ctx.render(&entry, |e| format!("Set {}\n", e.why))
        }
        ModCommand::RateLimit { group, setting } => {
            let group = kindred.resolve_group(&group)?;
            let posts = match setting.trim() {
                "off" => None,
                n => Some(n.parse::<u32>().map_err(|_| {
                    kindred_core::Error::invalid("rate limit", format!("{setting:?} is not off or a number of posts"))
                })?),
            };
            let entry = kindred.set_rate_limit(&group, posts)?;
            ctx.render(&entry, |e| format!("Set {}\n", e.why))
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
            ModerationKind::Suspend => "suspended",
            ModerationKind::Lift => "lifted",
            ModerationKind::Approve => "approved",
            ModerationKind::Rules => "set the rules",
            ModerationKind::Policy => "set",
            ModerationKind::Warn => "warned",
            ModerationKind::Erase => "erased",
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

fn parse_premoderation(setting: &str) -> kindred_core::Result<Premoderation> {
    match setting.trim().to_ascii_lowercase().as_str() {
        "off" => Ok(Premoderation::Off),
        "always" => Ok(Premoderation::Always),
        n => n.parse().map(|posts| Premoderation::UntilApproved { posts }).map_err(|_| {
            kindred_core::Error::invalid(
                "premoderation",
                format!("{setting:?} is not off, always or a number of approved posts"),
            )
        }),
    }
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// The group's rules, and whether you have accepted them.
    Show {
        /// The group's id or name.
        group: String,
    },
    /// Set new rules (owners and moderators); every member accepts them before posting again. "" clears them.
    Set {
        /// The group's id or name.
        group: String,
        /// The rules.
        text: String,
    },
    /// Accept the group's rules (posting needs it).
    Accept {
        /// The group's id or name.
        group: String,
    },
}

pub fn rules(ctx: &Ctx, command: RulesCommand) -> Outcome {
    let kindred = ctx.open()?;
    let rules = match command {
        RulesCommand::Show { group } => kindred.rules(&kindred.resolve_group(&group)?)?,
        RulesCommand::Set { group, text } => kindred.set_rules(&kindred.resolve_group(&group)?, &text)?,
        RulesCommand::Accept { group } => kindred.accept_rules(&kindred.resolve_group(&group)?)?,
    };
    ctx.render(&rules, rules_text)
}

fn rules_text(rules: &GroupRules) -> String {
    if rules.version.is_none() {
        return "This group has no rules: nothing to accept.\n".to_owned();
    }
    let state = if rules.accepted { "You have accepted them." } else { "Accept them (kindred rules accept) to post." };
    format!("{}\n\n{state}\n", rules.text)
}

fn reports_text(reports: &[Report]) -> String {
    if reports.is_empty() {
        return "No reports on this phone.\n".to_owned();
    }
    let mut table = Table::new(&[
        ("WHEN", Align::Left),
        ("REPORT", Align::Left),
        ("BY", Align::Left),
        ("MESSAGE", Align::Left),
        ("OF", Align::Left),
        ("REASON", Align::Left),
        ("NOTE", Align::Left),
        ("STATE", Align::Left),
    ]);
    for r in reports {
        let mut state = if r.dismissed { "dismissed".to_owned() } else { "open".to_owned() };
        if r.reporter_muted {
            state.push_str(", reporter muted");
        }
        if r.reporter_dismissed > 0 {
            state.push_str(&format!(", {} of theirs dismissed", r.reporter_dismissed));
        }
        table.row(vec![
            when(r.at),
            r.id.to_hex(),
            short(&r.reporter),
            r.message_id.as_ref().map_or_else(|| "-".to_owned(), short),
            short(&r.member),
            r.reason.as_str().to_owned(),
            r.note.clone(),
            state,
        ]);
    }
    table.render()
}

/// `report GROUP MESSAGE --reason R [--note TEXT]` (or `--member MEMBER` instead of a message).
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The group's id or name.
    group: String,
    /// The message's id, or at least 4 hex characters of it (or give --member).
    msg: Option<String>,
    /// Report a member instead of a message: their id, or their name in the group.
    #[arg(long, conflicts_with = "msg")]
    member: Option<String>,
    /// harassment | hostile | misleading_health | self_harm | spam | other
    #[arg(long)]
    reason: String,
    /// A note for the moderators (at most 120 characters).
    #[arg(long, default_value = "")]
    note: String,
}

pub fn report(ctx: &Ctx, args: ReportArgs) -> Outcome {
    let kindred = ctx.open()?;
    let reason: ReportReason = args.reason.parse()?;
    let id = match (&args.msg, &args.member) {
        (Some(msg), None) => {
            let (group, id) = resolve(&kindred, &args.group, msg)?;
            kindred.report_message(&group, &id, reason, &args.note)?
        }
        (None, Some(member)) => {
            let group = kindred.resolve_group(&args.group)?;
            let member = resolve_member(&kindred.group(&group)?, member)?;
            kindred.report_member(&group, &member, reason, &args.note)?
        }
        _ => {
            return Err(kindred_core::Error::invalid("report", "name a message or --member").into());
        }
    };
    ctx.render(&serde_json::json!({ "report": id }), |_| {
        "Reported. Only the group's moderators will know it was you; it leaves sealed with this phone's next sync.\n"
            .to_owned()
    })
}

/// `warnings GROUP`: the warnings moderators sent you (nobody else reads them).
pub fn warnings(ctx: &Ctx, group: &str) -> Outcome {
    let kindred = ctx.open()?;
    let group = kindred.resolve_group(group)?;
    let warnings: Vec<Warning> = kindred.warnings(&group)?;
    ctx.render(&warnings, |w| {
        if w.is_empty() {
            return "No warnings.\n".to_owned();
        }
        w.iter().map(|w| format!("{}  from {}: {}\n", when(w.at), short(&w.by), w.text)).collect()
    })
}
