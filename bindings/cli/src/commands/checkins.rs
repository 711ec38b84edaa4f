//! `checkin` (record one; `checkin edit ID`, `checkin delete ID`, `checkin options`, `checkin choices KIND ...`) and
//! `checkins`: mood check-ins and looking back over them with daily and weekly averages.

use clap::{Args, Subcommand, ValueEnum};
use kindred_core::sharing::ShareAs;
use kindred_core::{Checkin, CheckinAverage, CheckinId, CheckinOptions, CheckinSummary, ChoiceKind, NewCheckin};
use serde::Serialize;

use crate::context::{CliError, Ctx, Outcome};
use crate::output::{Align, Table, num, opt_num, push_line, when};

/// `checkin`: record one, or with a subcommand edit, delete, or see and change the lists.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct CheckinCommand {
    #[command(subcommand)]
    pub action: Option<CheckinAction>,
    #[command(flatten)]
    pub new: Option<CheckinArgs>,
}

#[derive(Debug, Subcommand)]
pub enum CheckinAction {
    /// Change one of your check-ins (what you give replaces what it said; its time stays).
    Edit {
        id: String,
        #[command(flatten)]
        new: CheckinArgs,
    },
    /// Delete one of your check-ins for good.
    Delete { id: String },
    /// The mood scale and your emotion and activity lists.
    Options,
    /// Make your emotion or activity list these words, in this order (none: an empty list).
    Choices {
        #[arg(value_enum)]
        kind: KindArg,
        labels: Vec<String>,
    },
}

/// Which list `checkin choices` changes.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    Emotions,
    Activities,
}

/// `share-checkin ID GROUP --as emoji|summary [--with-note]`.
#[derive(Debug, Args)]
pub struct ShareArgs {
    /// The check-in's id (from `checkin --json` or `checkins --json`).
    pub id: String,
    /// The group's id or name.
    pub group: String,
    /// Just the mood's face, or a short summary (mood, energy, sleep, medication, emotions, activities).
    #[arg(long = "as", value_enum)]
    pub share_as: ShareArg,
    /// Add the check-in's note (never shared without this).
    #[arg(long)]
    pub with_note: bool,
}

/// How much of a check-in to share.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ShareArg {
    Emoji,
    Summary,
}

/// `share-checkin`: posts the chosen parts of a check-in to a group; the check-in stays on this phone.
pub fn share(ctx: &Ctx, args: ShareArgs) -> Outcome {
    let kindred = ctx.open()?;
    let id: CheckinId = args.id.parse().map_err(CliError::from)?;
    let group = kindred.resolve_group(&args.group)?;
    let share_as = match args.share_as {
        ShareArg::Emoji => ShareAs::Emoji,
        ShareArg::Summary => ShareAs::Summary,
    };
    let message = kindred.share_checkin(&id, &group, share_as, args.with_note)?;
    ctx.render(&message, |m| format!("Shared with the group: {}\n", m.text))
}

/// Yes or no, for `--medication`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum YesNo {
    Yes,
    No,
}

#[derive(Debug, Args)]
pub struct CheckinArgs {
    /// How you feel, from 1 (very low) to 5 (very good).
    #[arg(long, value_name = "1-5", allow_negative_numbers = true)]
    pub mood: i64,
    /// Your energy, from 1 (exhausted) to 5 (full of energy).
    #[arg(long, value_name = "1-5", allow_negative_numbers = true)]
    pub energy: Option<i64>,
    /// Hours slept last night.
    #[arg(long, value_name = "HOURS", allow_negative_numbers = true)]
    pub sleep: Option<f64>,
    /// A word for what is going on (repeat for several).
    #[arg(long = "tag", value_name = "T")]
    pub tags: Vec<String>,
    /// An emotion you feel, from your list (`checkin options`); repeat for several.
    #[arg(long = "emotion", value_name = "E")]
    pub emotions: Vec<String>,
    /// Something you did, from your list; repeat for several.
    #[arg(long = "activity", value_name = "A")]
    pub activities: Vec<String>,
    /// Whether you took your medication as planned.
    #[arg(long, value_enum)]
    pub medication: Option<YesNo>,
    #[arg(long)]
    pub note: Option<String>,
    /// When it was true, if not now: a day (`2026-03-01`, at noon) or a day and time (`2026-03-01T21:30`), in your
    /// time zone; at most a day ahead.
    #[arg(long, value_name = "WHEN")]
    pub at: Option<String>,
}

/// A day or a day and time in the local time zone, as milliseconds since the epoch.
fn local_time(text: &str) -> Result<i64, CliError> {
    use chrono::{Local, NaiveDate, NaiveDateTime, TimeZone};
    let text = text.trim();
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d").map(|d| d.and_hms_opt(12, 0, 0).unwrap_or_default()))
        .map_err(|_| CliError::input("invalid time: use a day such as 2026-03-01 or 2026-03-01T21:30"))?;
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.timestamp_millis())
        .ok_or_else(|| CliError::input("invalid time: that local time does not exist (a clock change)"))
}

impl CheckinArgs {
    fn parse(self) -> Result<NewCheckin, CliError> {
        Ok(NewCheckin {
            mood: on_scale("mood", self.mood)?,
            energy: self.energy.map(|e| on_scale("energy", e)).transpose()?,
            sleep_hours: self.sleep,
            tags: self.tags,
            emotions: self.emotions,
            activities: self.activities,
            medication_taken: self.medication.map(|m| matches!(m, YesNo::Yes)),
            note: self.note,
            at: self.at.as_deref().map(local_time).transpose()?,
        })
    }
}

#[derive(Debug, Args)]
pub struct CheckinsArgs {
    /// How many days to look back.
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=3660))]
    pub days: u32,
}

/// What `checkins` reports.
#[derive(Debug, Serialize)]
pub(crate) struct Recent {
    pub days: u32,
    pub checkins: Vec<Checkin>,
    pub summary: CheckinSummary,
}

pub fn checkin(ctx: &Ctx, command: CheckinCommand) -> Outcome {
    let kindred = ctx.open()?;
    match (command.action, command.new) {
        (Some(CheckinAction::Edit { id, new }), _) => {
            let id: CheckinId = id.parse().map_err(CliError::from)?;
            let checkin = kindred.edit_checkin(&id, new.parse()?)?;
            ctx.render(&checkin, |c| format!("Changed the check-in of {}: {}\n", when(c.at), describe(c)))
        }
        (Some(CheckinAction::Delete { id }), _) => {
            let id: CheckinId = id.parse().map_err(CliError::from)?;
            kindred.delete_checkin(&id)?;
            ctx.render(&serde_json::json!({ "deleted": id }), |_| "Deleted the check-in.\n".to_owned())
        }
        (Some(CheckinAction::Options), _) => ctx.render(&kindred.checkin_options()?, options_text),
        (Some(CheckinAction::Choices { kind, labels }), _) => {
            let kind = match kind {
                KindArg::Emotions => ChoiceKind::Emotion,
                KindArg::Activities => ChoiceKind::Activity,
            };
            kindred.set_checkin_choices(kind, &labels)?;
            ctx.render(&kindred.checkin_options()?, options_text)
        }
        (None, Some(new)) => {
            let checkin = kindred.record_checkin(new.parse()?)?;
            ctx.render(&checkin, |c| format!("Checked in at {}: {} ({})\n", when(c.at), describe(c), c.id))
        }
        (None, None) => Err(CliError::input("give --mood 1-5 (or a subcommand: edit, delete, options, choices)")),
    }
}

fn options_text(o: &CheckinOptions) -> String {
    let mut out = String::new();
    let moods: Vec<String> = o.moods.iter().map(|m| format!("{} {} {}", m.value, m.emoji, m.label)).collect();
    push_line(&mut out, format!("Mood: {}", moods.join("  ")));
    push_line(
        &mut out,
        format!("Emotions: {}", if o.emotions.is_empty() { "-".to_owned() } else { o.emotions.join(", ") }),
    );
    push_line(
        &mut out,
        format!("Activities: {}", if o.activities.is_empty() { "-".to_owned() } else { o.activities.join(", ") }),
    );
    out
}

pub fn checkins(ctx: &Ctx, args: CheckinsArgs) -> Outcome {
    let kindred = ctx.open()?;
    let recent = Recent {
        days: args.days,
        checkins: kindred.recent_checkins(args.days)?,
        summary: kindred.recent_checkin_summary(args.days)?,
    };
    ctx.render(&recent, recent_text)
}

/// A 1-5 answer as the core takes it. Numbers outside a byte are refused here with the core's own wording, so
/// `--mood 300` fails like `--mood 9` does; the core checks the 1-5 range.
fn on_scale(field: &str, value: i64) -> Result<u8, CliError> {
    u8::try_from(value).map_err(|_| CliError::input(format!("invalid {field}: {value} is not on the 1 to 5 scale")))
}

/// "mood 4/5, energy 3/5, slept 7.5 h, tags: calm, work".
fn describe(c: &Checkin) -> String {
    let mut parts = vec![format!("mood {}/5", c.mood)];
    if let Some(energy) = c.energy {
        parts.push(format!("energy {energy}/5"));
    }
    if let Some(sleep) = c.sleep_hours {
        parts.push(format!("slept {} h", num(sleep)));
    }
    if let Some(taken) = c.medication_taken {
        parts.push(format!("medication {}", if taken { "taken" } else { "not taken" }));
    }
    for (what, words) in [("feeling", &c.emotions), ("did", &c.activities), ("tags", &c.tags)] {
        if !words.is_empty() {
            parts.push(format!("{what}: {}", words.join(", ")));
        }
    }
    parts.join(", ")
}

pub(crate) fn recent_text(r: &Recent) -> String {
    let mut out = String::new();
    let span = if r.days == 1 { "day".to_owned() } else { format!("{} days", r.days) };
    if r.checkins.is_empty() {
        push_line(&mut out, format!("No check-ins in the last {span}. Record one with `kindred checkin --mood N`."));
        return out;
    }
    push_line(&mut out, format!("Check-ins in the last {span}:"));
    let mut table = Table::new(&[
        ("WHEN", Align::Left),
        ("MOOD", Align::Right),
        ("ENERGY", Align::Right),
        ("SLEEP", Align::Right),
        ("TAGS", Align::Left),
        ("NOTE", Align::Left),
    ]);
    for c in &r.checkins {
        let note = c.note.as_deref().map(|n| n.lines().collect::<Vec<_>>().join(" / ")).unwrap_or_default();
        table.row(vec![
            when(c.at),
            c.mood.to_string(),
            c.energy.map_or_else(|| "-".to_owned(), |e| e.to_string()),
            opt_num(c.sleep_hours),
            c.tags.join(", "),
            note,
        ]);
    }
    out.push_str(&table.render());
    push_line(&mut out, "\nDaily averages:");
    out.push_str(&averages_table("DAY", &r.summary.daily));
    push_line(&mut out, "\nWeekly averages:");
    out.push_str(&averages_table("WEEK OF", &r.summary.weekly));
    out
}

pub(crate) fn averages_table(first: &'static str, rows: &[CheckinAverage]) -> String {
    let mut table = Table::new(&[
        (first, Align::Left),
        ("CHECK-INS", Align::Right),
        ("MOOD", Align::Right),
        ("ENERGY", Align::Right),
        ("SLEEP", Align::Right),
    ]);
    for a in rows {
        let avg = |x: Option<f64>| x.map_or_else(|| "-".to_owned(), |x| format!("{x:.2}"));
        table.row(vec![
            a.period_start.clone(),
            a.checkins.to_string(),
            avg(Some(a.mood)),
            avg(a.energy),
            avg(a.sleep_hours),
        ]);
    }
    table.render()
}
