//! `kindred`: Kindred from a terminal or a script.
//!
//! This file owns the top of the command line (the global `--data-dir` and `--json` flags and the list of commands)
//! and dispatch; each command's own arguments and work live in `commands/`, shared formatting in `output.rs`, the
//! data directory and error reporting in `context.rs`, sync frames over TCP in `tcp.rs`, and `kindred demo` in
//! `demo.rs`.
//!
//! A new command is its module plus two lines here, a `Command` variant and its dispatch arm. For `kindred demo` in
//! `src/demo/`: `mod demo;` above, `Demo(demo::DemoArgs),` in `Command` and `Command::Demo(args) => demo::run(&ctx,
//! args),` in `run`, with `pub fn run(ctx: &Ctx, args: DemoArgs) -> Outcome` returning the text to print.

mod commands;
mod context;
mod demo;
mod folder_mailbox;
mod output;
mod tcp;

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kindred_core::MemberControl;

use crate::commands::{
    bundle, check, checkins, export, goals, group_goals, groups, instruments, messages, moderation, personal, profile,
    relay, resources, safety_plan, sync, trends,
};
use crate::context::{CliError, Ctx, Outcome};

/// Kindred: small peer-support groups, wellness goals and mood check-ins, offline.
#[derive(Debug, Parser)]
#[command(name = "kindred", version)]
struct Cli {
    /// The profile's data directory [default: $KINDRED_DATA_DIR, else your data directory's `kindred` folder]
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Print one JSON document instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// A file holding the passphrase of an encrypted profile [default: $KINDRED_PASSPHRASE]. Without either, the
    /// unencrypted profile in the data directory (`init --unencrypted`) is used.
    #[arg(long, global = true, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create your profile.
    Init(profile::InitArgs),
    /// Show your profile: name, member id, data directory.
    Whoami,
    /// The encrypted profiles in the data directory: list, create, open, hide, show, set-duress, change-passphrase, adopt.
    #[command(subcommand)]
    Profile(profile::ProfileCommand),
    /// Panic wipe: destroy this profile now (its key first, then its files); --all for every profile.
    Wipe(profile::WipeArgs),
    /// Export everything you wrote or recorded, as JSON and CSV, into a new directory.
    ExportMine(profile::ExportMineArgs),
    /// Housekeeping an app does when idle: fold stored changes into snapshots, checkpoint the database.
    Maintain,
    /// Groups and their members: create, list, show, invite, join, remove, flagged.
    #[command(subcommand)]
    Group(groups::GroupCommand),
    /// Post a message in a group.
    Post(messages::PostArgs),
    /// Show a group's messages, oldest first, and mark the group read.
    Read(messages::ReadArgs),
    /// React to a message with an emoji (or take your reaction back with --clear).
    React(messages::ReactArgs),
    /// Change the text of one of your messages.
    Edit(messages::EditArgs),
    /// Erase one of your messages: its words leave this phone now, and every phone running Kindred that receives the
    /// erasure (a placeholder stays). `remove` is the same.
    #[command(alias = "remove")]
    Erase(messages::RemoveArgs),
    /// Leave a member's posts out of what this phone shows (nobody is told).
    Mute(personal::MemberArg),
    /// Show a muted or blocked member's posts again.
    Unmute(personal::MemberArg),
    /// Mute a member and stop counting their reactions too (nobody is told).
    Block(personal::MemberArg),
    /// The same as unmute.
    Unblock(personal::MemberArg),
    /// Fold posts holding a word (or, with --remove, stop).
    MuteWord(personal::WordArgs),
    /// Who and what this phone mutes, and whether posts with a content warning are folded.
    Muted,
    /// Report a message (or with --member a member) to the group's moderators: only they learn it was you.
    Report(moderation::ReportArgs),
    /// The warnings moderators sent you in a group (nobody else reads them).
    Warnings {
        /// The group's id or name.
        group: String,
    },
    /// A group's rules: show them, set them (owners and moderators), accept them (before posting).
    #[command(subcommand)]
    Rules(moderation::RulesCommand),
    /// Moderate a group (owners and moderators): hide, restore, remove, take back, suspend, lift, warn, approve,
    /// premoderate, read reports and the moderation log.
    #[command(subcommand, name = "mod")]
    Mod(moderation::ModCommand),
    /// Wellness goals: add, log, list, pause, resume, archive, history.
    #[command(subcommand)]
    Goal(goals::GoalCommand),
    /// Cheer on another member's goal shared in a group.
    Cheer(goals::CheerArgs),
    /// Goals a group works on together, each member with their own private target: propose, list, join, end.
    #[command(subcommand)]
    GroupGoal(group_goals::GroupGoalCommand),
    /// Record how you feel right now (or edit, delete, see and change your lists).
    Checkin(Box<checkins::CheckinCommand>),
    /// Share a check-in with a group: just its face, or a short summary (its note only with --with-note).
    ShareCheckin(checkins::ShareArgs),
    /// List recent check-ins with daily and weekly averages.
    Checkins(checkins::CheckinsArgs),
    /// Your own safety plan, step by step: show, add, edit, move, remove, export (it never leaves this phone).
    #[command(subcommand)]
    SafetyPlan(safety_plan::SafetyPlanCommand),
    /// Your trends: mood by day, week and month, instrument scores over time, what goes with your mood.
    Trends(trends::TrendsArgs),
    /// Write your clinician's summary (a CSV and a printable page) with only the parts you choose.
    Export(export::ExportArgs),
    /// Validated questionnaires (WHO-5, PHQ-9, GAD-7, K10...): list them, take one, see your history.
    #[command(subcommand)]
    Instrument(instruments::InstrumentCommand),
    /// Check a draft (or with --reader a received message) for signs of risk, on this phone: offers your safety plan.
    Check(check::CheckArgs),
    /// Crisis resources: list the services for a region and language, import a signed directory, set your region.
    #[command(subcommand)]
    Resources(resources::ResourcesCommand),
    /// Sync with another phone over TCP: --listen HOST:PORT on one, --connect HOST:PORT on the other.
    Sync(sync::SyncArgs),
    /// Store and forward: export a group to a signed bundle file, or import one.
    #[command(subcommand)]
    Bundle(bundle::BundleCommand),
    /// Sync a group through its end-to-end encrypted mailbox on an S3-compatible store, for members who never meet.
    #[command(subcommand)]
    Relay(relay::RelayCommand),
    /// Five phones, one group: offline, meeting in pairs, a bundle, a late joiner, an attacker. In a temp dir.
    Demo(demo::DemoArgs),
}

fn run(cli: Cli) -> Outcome {
    let ctx = Ctx::new(cli.data_dir, cli.json, cli.passphrase_file);
    match cli.command {
        Command::Init(args) => profile::init(&ctx, args),
        Command::Whoami => profile::whoami(&ctx),
        Command::Profile(command) => profile::profile(&ctx, command),
        Command::Wipe(args) => profile::wipe(&ctx, args),
        Command::ExportMine(args) => profile::export_mine(&ctx, args),
        Command::Maintain => profile::maintain(&ctx),
        Command::Group(command) => groups::run(&ctx, command),
        Command::Post(args) => messages::post(&ctx, args),
        Command::Read(args) => messages::read(&ctx, args),
        Command::React(args) => messages::react(&ctx, args),
        Command::Edit(args) => messages::edit(&ctx, args),
        Command::Erase(args) => messages::erase(&ctx, args),
        Command::Mod(command) => moderation::run(&ctx, command),
        Command::Rules(command) => moderation::rules(&ctx, command),
        Command::Report(args) => moderation::report(&ctx, args),
        Command::Warnings { group } => moderation::warnings(&ctx, &group),
        Command::Mute(arg) => personal::control(&ctx, arg, MemberControl::Muted),
        Command::Unmute(arg) | Command::Unblock(arg) => personal::control(&ctx, arg, MemberControl::None),
        Command::Block(arg) => personal::control(&ctx, arg, MemberControl::Blocked),
        Command::MuteWord(args) => personal::word(&ctx, args),
        Command::Muted => personal::list(&ctx),
        Command::Goal(command) => goals::run(&ctx, command),
        Command::Checkin(command) => checkins::checkin(&ctx, *command),
        Command::ShareCheckin(args) => checkins::share(&ctx, args),
        Command::Cheer(args) => goals::cheer(&ctx, args),
        Command::GroupGoal(command) => group_goals::run(&ctx, command),
        Command::Checkins(args) => checkins::checkins(&ctx, args),
        Command::SafetyPlan(command) => safety_plan::run(&ctx, command),
        Command::Instrument(command) => instruments::run(&ctx, command),
        Command::Trends(args) => trends::run(&ctx, args),
        Command::Export(args) => export::run(&ctx, args),
        Command::Check(args) => check::run(&ctx, args),
        Command::Resources(command) => resources::run(&ctx, command),
        Command::Sync(args) => sync::run(&ctx, args),
        Command::Bundle(command) => bundle::run(&ctx, command),
        Command::Relay(command) => relay::run(&ctx, command),
        Command::Demo(args) => demo::run(&ctx, args),
    }
}

fn main() -> ExitCode {
    // Usage errors, --help and --version are clap's: it prints them and exits with its own codes.
    let cli = Cli::parse();
    match run(cli).and_then(|text| print(&text)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // If even stderr is gone there is no one left to tell.
            let _ = writeln!(io::stderr().lock(), "error: {}", err.one_line());
            ExitCode::from(err.exit_code())
        }
    }
}

/// Writes the command's output; a reader that went away early (`kindred read g | head`) is not an error.
fn print(text: &str) -> Result<(), CliError> {
    let mut stdout = io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(CliError::Other(format!("could not write output: {e}"))),
        _ => Ok(()),
    }
}
