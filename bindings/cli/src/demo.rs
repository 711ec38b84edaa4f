//! `kindred demo`: a small group's life on one phone, in a fresh temporary data directory.
//!
//! It walks through what a person does in their first week (a profile, a group with guidelines, posts and replies,
//! a content warning, a reaction, an edit and a removal, a goal with progress, a week of mood check-ins) and prints
//! what they would see. The multi-phone story (going offline, meeting, syncing) joins it with peer-to-peer sync.

use std::path::Path;

use clap::Args;
use kindred_core::{Cadence, CadencePeriod, GoalStatus, Kindred, NewCheckin, NewGoal, NewGroup, NewMessage};
use serde::Serialize;

use crate::commands::checkins::{Recent, recent_text};
use crate::commands::goals::{group_names, list_text};
use crate::commands::messages::timeline_text;
use crate::context::{CliError, Ctx, Outcome};
use crate::output::push_line;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the demo's data directory (its path is printed) to explore it with other commands.
    #[arg(long)]
    pub keep: bool,
}

/// What the demo did, for `--json`.
#[derive(Debug, Serialize)]
struct DemoReport {
    data_dir: String,
    kept: bool,
    group_id: String,
    messages: usize,
    goals: usize,
    checkins: usize,
    same_after_reopen: bool,
}

const DAY_MS: i64 = 86_400_000;

type CheckinDay<'a> = (u8, u8, f64, &'a [&'a str], Option<&'a str>);

pub fn run(ctx: &Ctx, args: DemoArgs) -> Outcome {
    let temp = tempfile::Builder::new().prefix("kindred-demo-").tempdir().map_err(|e| CliError::Other(format!("no temporary directory: {e}")))?;
    let mut out = String::new();
    let report = story(temp.path(), &mut out)?;
    let report = DemoReport { kept: args.keep, ..report };
    if args.keep {
        let kept = temp.keep();
        push_line(&mut out, format!("\nThe phone's data is kept in {}. Try: kindred --data-dir {} read \"Tuesday circle\"", kept.display(), kept.display()));
    }
    ctx.render(&report, |_| out)
}

fn step(out: &mut String, title: &str) {
    push_line(out, format!("\n── {title} ──"));
}

fn story(dir: &Path, out: &mut String) -> Result<DemoReport, CliError> {
    push_line(out, "Kindred demo: one phone, one small group, one week.");
    push_line(out, format!("(A fresh profile in {})", dir.display()));

    step(out, "Amara sets up Kindred");
    let amara = Kindred::create(dir, "Amara")?;
    let me = amara.profile();
    push_line(out, format!("Profile \"{}\", member id {}…", me.display_name, &me.member_id.to_hex()[..16]));
    push_line(out, "Her key and everything she writes stay on this phone until she meets her group.");

    step(out, "She starts a group with guidelines");
    let group = amara.create_group(NewGroup {
        name: "Tuesday circle".into(),
        description: "Living with a new diagnosis: a small group from the clinic".into(),
        guidelines: "Speak from your own experience. No medical advice. What is shared here stays here.".into(),
    })?;
    push_line(out, format!("\"{}\": {}", group.name, group.description));
    push_line(out, format!("Guidelines: {}", group.guidelines));

    step(out, "A few posts, a reply, a content warning");
    let hello = amara.post(&group.id, text("Hi all, I'm Amara. Diagnosed three weeks ago and still taking it in."))?;
    let scan = amara.post(
        &group.id,
        NewMessage {
            text: "The scan results were worse than I hoped. I cried in the car park for a while.".into(),
            content_warning: Some("hard news".into()),
            ..Default::default()
        },
    )?;
    amara.post(&group.id, NewMessage { text: "Writing it here helped, though. Thank you for being here.".into(), reply_to: Some(scan.id), ..Default::default() })?;
    let typo = amara.post(&group.id, text("Does anyone have tips for sleeping the nigth before appointments?"))?;
    amara.edit_message(&group.id, &typo.id, "Does anyone have tips for sleeping the night before appointments?")?;
    let oops = amara.post(&group.id, text("(this was meant for my sister, sorry)"))?;
    amara.remove_message(&group.id, &oops.id)?;
    amara.react(&group.id, &hello.id, Some("🤝"))?;
    let messages = amara.messages(&group.id, 50, None)?;
    out.push_str(&timeline_text(&group.name, &messages, 0, 50, &group.name));

    step(out, "Gentle goals, one shared with the group");
    let walk = amara.create_goal(NewGoal {
        title: "Walk outside".into(),
        cadence: Cadence { times: 3, period: CadencePeriod::Week },
        share_with: Some(group.id),
    })?;
    let now = chrono::Utc::now().timestamp_millis();
    amara.log_progress(&walk.id, 1, Some("to the park and back"), Some(now - 2 * DAY_MS))?;
    amara.log_progress(&walk.id, 1, None, None)?;
    let lights = amara.create_goal(NewGoal {
        title: "Lights out by 11".into(),
        cadence: Cadence { times: 1, period: CadencePeriod::Day },
        share_with: None,
    })?;
    amara.set_goal_status(&lights.id, GoalStatus::Paused)?;
    let goals = amara.goals(false, None)?;
    out.push_str(&list_text(&goals, &group_names(&amara)?));
    push_line(out, "(Paused, not failed: a goal can rest during a hard week.)");

    step(out, "A week of mood check-ins (private to this phone)");
    // (mood, energy, hours slept, tags, note), oldest day first.
    let week: [CheckinDay<'_>; 7] = [
        (2, 2, 5.0, &["clinic", "worry"], Some("appointment day")),
        (2, 3, 6.5, &["family"], None),
        (3, 3, 7.0, &["walk"], None),
        (3, 2, 5.5, &["worry"], Some("results tomorrow")),
        (2, 2, 4.5, &["clinic"], None),
        (3, 3, 7.5, &["walk", "group"], Some("the circle helped")),
        (4, 4, 8.0, &["walk", "family"], None),
    ];
    for (i, (mood, energy, sleep, tags, note)) in week.iter().enumerate() {
        amara.record_checkin(NewCheckin {
            mood: *mood,
            energy: Some(*energy),
            sleep_hours: Some(*sleep),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            note: note.map(str::to_owned),
            at: Some(now - (6 - i as i64) * DAY_MS),
        })?;
    }
    let recent = Recent { days: 7, checkins: amara.recent_checkins(7)?, summary: amara.recent_checkin_summary(7)? };
    out.push_str(&recent_text(&recent));

    step(out, "Closing the app and opening it again");
    let counts = (messages.len(), goals.len(), recent.checkins.len());
    drop(amara);
    let reopened = Kindred::open(dir)?;
    let again = (
        reopened.messages(&group.id, 50, None)?.len(),
        reopened.goals(false, None)?.len(),
        reopened.recent_checkins(7)?.len(),
    );
    let same = again == counts;
    push_line(
        out,
        format!(
            "{} messages, {} goals and {} check-ins, {} (every write was on disk before it returned).",
            again.0,
            again.1,
            again.2,
            if same { "all still there" } else { "SOMETHING IS MISSING" }
        ),
    );
    Ok(DemoReport {
        data_dir: dir.display().to_string(),
        kept: false,
        group_id: group.id.to_hex(),
        messages: again.0,
        goals: again.1,
        checkins: again.2,
        same_after_reopen: same,
    })
}

fn text(text: &str) -> NewMessage {
    NewMessage { text: text.into(), ..Default::default() }
}
