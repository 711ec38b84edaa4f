//! `instrument list | take NAME --answers A,B,... | history NAME | delete ID | share ID GROUP`: validated outcome measures (WHO-5,
//! PHQ-9, GAD-7, K10...), scored as published and kept on this phone. A PHQ-9 item 9 answer above 0 shows the
//! person's safety plan and crisis services at once.

use clap::Subcommand;
use kindred_core::crisis::FoundResource;
use kindred_core::instruments::{Instrument, InstrumentResult, InstrumentScore};
use kindred_core::{InstrumentResultId, SafetyPlan};
use serde::Serialize;

use crate::commands::safety_plan::items_text;
use crate::context::{CliError, Ctx, Outcome};
use crate::output::{push_line, when};

#[derive(Debug, Subcommand)]
pub enum InstrumentCommand {
    /// The instruments, with their items and answers.
    List {
        /// Show them in this language when a translation is there ("es"); English otherwise.
        #[arg(long, value_name = "LL")]
        language: Option<String>,
    },
    /// Record your answers to an instrument and see its score, band and flags.
    Take {
        /// who5, phq2, phq4, phq8, phq9, gad2, gad7, k6 or k10.
        name: String,
        /// Every item's answer, in order, comma-separated (`instrument list` shows the values).
        #[arg(long, value_delimiter = ',', num_args = 1.., required = true)]
        answers: Vec<u8>,
    },
    /// Your results of an instrument over time, oldest first.
    History { name: String },
    /// Delete one of your results.
    Delete { id: String },
    /// Share one of your results with a group: the instrument, score and band (never the answers or flags).
    Share {
        id: String,
        /// The group's id or name.
        group: String,
    },
}

/// What `instrument take` reports: the score's fields at the top level, the stored result's id and time, and on a
/// crisis flag the safety plan and services to show.
#[derive(Debug, Serialize)]
struct Taken {
    id: InstrumentResultId,
    at: i64,
    #[serde(flatten)]
    score: InstrumentScore,
    safety_plan: Option<SafetyPlan>,
    resources: Vec<FoundResource>,
}

pub fn run(ctx: &Ctx, command: InstrumentCommand) -> Outcome {
    let kindred = ctx.open()?;
    match command {
        InstrumentCommand::List { language } => {
            let list = kindred.instruments(language.as_deref());
            ctx.render(&list, |list| list.iter().map(describe).collect())
        }
        InstrumentCommand::Take { name, answers } => {
            let outcome = kindred.take_instrument(&name.to_ascii_lowercase(), &answers, None)?;
            let taken = Taken {
                id: outcome.result.id,
                at: outcome.result.at,
                score: outcome.result.score,
                safety_plan: outcome.safety_plan,
                resources: outcome.resources,
            };
            ctx.render(&taken, taken_text)
        }
        InstrumentCommand::History { name } => {
            let history = kindred.instrument_history(&name.to_ascii_lowercase(), 0, i64::MAX)?;
            ctx.render(&history, |h| history_text(&name, h))
        }
        InstrumentCommand::Share { id, group } => {
            let id: InstrumentResultId = id.parse().map_err(CliError::from)?;
            let group = kindred.resolve_group(&group)?;
            let message = kindred.share_instrument_result(&id, &group)?;
            ctx.render(&message, |m| format!("Shared with the group: {}\n", m.text))
        }
        InstrumentCommand::Delete { id } => {
            let id: InstrumentResultId = id.parse().map_err(CliError::from)?;
            kindred.delete_instrument_result(&id)?;
            ctx.render(&serde_json::json!({ "deleted": id }), |_| "Deleted the result.\n".to_owned())
        }
    }
}

fn describe(i: &Instrument) -> String {
    let mut out = String::new();
    push_line(
        &mut out,
        format!(
            "{} ({}): {}, {} items, total {}-{}",
            i.id,
            i.language,
            i.name,
            i.items.len(),
            i.min_score,
            i.max_score
        ),
    );
    push_line(&mut out, format!("  {}", i.recall));
    for item in &i.items {
        let private = if item.private { "  [private: never leaves this phone]" } else { "" };
        push_line(&mut out, format!("  {}. {}{private}", item.number, item.text));
    }
    let options: Vec<String> = i.options.iter().map(|o| format!("{} {}", o.value, o.label)).collect();
    push_line(&mut out, format!("  answers: {}", options.join(" | ")));
    if !i.bands.is_empty() {
        let bands: Vec<String> = i.bands.iter().map(|b| format!("{}-{} {}", b.min, b.max, b.label)).collect();
        push_line(&mut out, format!("  bands: {}", bands.join(", ")));
    }
    out.push('\n');
    out
}

fn score_line(s: &InstrumentScore) -> String {
    let mut line = format!("{} / {}", s.score, s.max_score);
    if let Some(p) = s.percentage {
        line.push_str(&format!(" ({p}%)"));
    }
    if let Some(band) = &s.band {
        line.push_str(&format!(", {band}"));
    }
    if !s.flags.is_empty() {
        line.push_str(&format!("; {}", s.flags.join("; ")));
    }
    line
}

fn taken_text(t: &Taken) -> String {
    let mut out = String::new();
    push_line(&mut out, format!("{}: {}", t.score.instrument, score_line(&t.score)));
    push_line(&mut out, "Kept on this phone only.");
    if t.score.crisis {
        push_line(
            &mut out,
            "\nThank you for answering honestly. If you are thinking of hurting yourself, you do not have to face it alone.",
        );
        match &t.safety_plan {
            Some(plan) => {
                push_line(&mut out, "Your safety plan:");
                for section in plan.sections.iter().filter(|s| !s.items.is_empty()) {
                    push_line(&mut out, format!("{}:", section.heading));
                    out.push_str(&items_text(section));
                }
            }
            None => push_line(&mut out, "You have no safety plan yet: `kindred safety-plan add STEP TEXT` starts one."),
        }
        if t.resources.is_empty() {
            push_line(&mut out, "If you are in danger, call your local emergency number.");
        } else {
            push_line(&mut out, "Crisis services you can reach now:");
            for f in &t.resources {
                crate::commands::resources::resource_lines(&mut out, f);
            }
        }
    }
    out
}

fn history_text(name: &str, history: &[InstrumentResult]) -> String {
    let mut out = String::new();
    if history.is_empty() {
        push_line(&mut out, format!("No results of {name} yet."));
    }
    for r in history {
        push_line(&mut out, format!("{}  {}  ({})", when(r.at), score_line(&r.score), r.id));
    }
    out
}
