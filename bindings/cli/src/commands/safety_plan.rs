//! `safety-plan show | add | edit | move | remove | export`: the person's own safety plan (the six steps of the
//! Stanley-Brown Safety Planning Intervention, and reasons for living). It stays on this phone: no group, bundle or
//! sync ever carries it. Items are named by their step and their number in it, as `show` lists them (from 1).

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use kindred_core::{Error, Kindred, SafetyPlan, SafetyPlanItem, SafetyPlanSection, SafetyPlanStep};
use serde::Serialize;

use crate::commands::bundle::write_atomically;
use crate::context::{Ctx, Outcome};
use crate::output::{plural, push_line};

#[derive(Debug, Subcommand)]
pub enum SafetyPlanCommand {
    /// Show your plan, every step with its numbered items.
    Show,
    /// Add an item at the end of a step.
    Add {
        #[arg(value_enum)]
        step: StepArg,
        /// What to write: a few words or a sentence (line breaks are kept).
        text: String,
        /// A phone number or address (for distractions, people and professionals).
        #[arg(long)]
        contact: Option<String>,
    },
    /// Change an item's text (and its contact: without --contact it has none).
    Edit {
        #[arg(value_enum)]
        step: StepArg,
        /// The item's number in its step, as `show` lists it.
        #[arg(value_parser = clap::value_parser!(u32).range(1..))]
        n: u32,
        text: String,
        #[arg(long)]
        contact: Option<String>,
    },
    /// Move an item to another place in its step (1 is first).
    Move {
        #[arg(value_enum)]
        step: StepArg,
        #[arg(value_parser = clap::value_parser!(u32).range(1..))]
        n: u32,
        /// Where it goes: its new number.
        #[arg(value_parser = clap::value_parser!(u32).range(1..))]
        to: u32,
    },
    /// Remove an item from a step.
    Remove {
        #[arg(value_enum)]
        step: StepArg,
        #[arg(value_parser = clap::value_parser!(u32).range(1..))]
        n: u32,
    },
    /// Write your plan as plain text, for printing (replaced atomically if it exists; readable by you alone).
    Export { file: PathBuf },
}

/// A step, by the name the command line takes.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StepArg {
    /// 1. Warning signs that a crisis may be starting.
    WarningSigns,
    /// 2. Things you can do on your own to take your mind off your problems.
    Coping,
    /// 3. People and places that take your mind off things.
    Distractions,
    /// 4. People you can ask for help.
    People,
    /// 5. Professionals and crisis lines.
    Professionals,
    /// 6. Making your surroundings safe.
    Environment,
    /// Your reasons for living.
    Reasons,
}

impl From<StepArg> for SafetyPlanStep {
    fn from(step: StepArg) -> Self {
        match step {
            StepArg::WarningSigns => SafetyPlanStep::WarningSigns,
            StepArg::Coping => SafetyPlanStep::Coping,
            StepArg::Distractions => SafetyPlanStep::Distractions,
            StepArg::People => SafetyPlanStep::People,
            StepArg::Professionals => SafetyPlanStep::Professionals,
            StepArg::Environment => SafetyPlanStep::Environment,
            StepArg::Reasons => SafetyPlanStep::Reasons,
        }
    }
}

/// An item with its number in its step (from 1), as `add`, `edit` and `remove` report it.
#[derive(Debug, Serialize)]
struct Numbered {
    number: u32,
    #[serde(flatten)]
    item: SafetyPlanItem,
}

#[derive(Debug, Serialize)]
struct Exported {
    file: PathBuf,
    bytes: u64,
    lines: u64,
}

pub fn run(ctx: &Ctx, command: SafetyPlanCommand) -> Outcome {
    let kindred = ctx.open()?;
    match command {
        SafetyPlanCommand::Show => {
            let plan = kindred.safety_plan()?;
            ctx.render(&plan, show_text)
        }
        SafetyPlanCommand::Add { step, text, contact } => {
            let item = kindred.add_safety_plan_item(step.into(), &text, contact.as_deref())?;
            let number = number_of(&kindred, &item)?;
            ctx.render(&Numbered { number, item }, |n| {
                format!("Added to {} as number {}: {}\n", n.item.step, n.number, one_line(&n.item))
            })
        }
        SafetyPlanCommand::Edit { step, n, text, contact } => {
            let id = nth(&kindred, step.into(), n)?.id;
            let item = kindred.edit_safety_plan_item(&id, &text, contact.as_deref())?;
            ctx.render(&Numbered { number: n, item }, |n| {
                format!("Changed {} number {}: {}\n", n.item.step, n.number, one_line(&n.item))
            })
        }
        SafetyPlanCommand::Move { step, n, to } => {
            let id = nth(&kindred, step.into(), n)?.id;
            let section = kindred.move_safety_plan_item(&id, to - 1)?;
            ctx.render(&section, |s| {
                let mut out = String::new();
                push_line(&mut out, format!("Moved {} number {n} to number {to}. Now:", s.step));
                out.push_str(&items_text(s));
                out
            })
        }
        SafetyPlanCommand::Remove { step, n } => {
            let id = nth(&kindred, step.into(), n)?.id;
            let item = kindred.remove_safety_plan_item(&id)?;
            ctx.render(&Numbered { number: n, item }, |n| {
                format!("Removed {} number {}: {}\n", n.item.step, n.number, one_line(&n.item))
            })
        }
        SafetyPlanCommand::Export { file } => {
            let text = kindred.export_safety_plan_text()?;
            write_atomically(&file, text.as_bytes())?;
            let exported = Exported { file, bytes: text.len() as u64, lines: text.lines().count() as u64 };
            ctx.render(&exported, |e| {
                let mut out = String::new();
                push_line(
                    &mut out,
                    format!("Wrote your safety plan to {} ({}).", e.file.display(), plural(e.lines, "line")),
                );
                push_line(&mut out, "It is your plan as you wrote it: keep it, and any printout, somewhere private.");
                out
            })
        }
    }
}

/// The `n`-th item (from 1) of `step`, or `NotFound` naming the step and number (never its text).
fn nth(kindred: &Kindred, step: SafetyPlanStep, n: u32) -> Result<SafetyPlanItem, Error> {
    let plan = kindred.safety_plan()?;
    let items = plan.section(step).map(|s| s.items.as_slice()).unwrap_or_default();
    items.get(n as usize - 1).cloned().ok_or_else(|| {
        Error::not_found(
            "safety plan item",
            format!("{step} number {n} (the step has {})", plural(items.len() as u64, "item")),
        )
    })
}

/// Where `item` now stands in its step, from 1.
fn number_of(kindred: &Kindred, item: &SafetyPlanItem) -> Result<u32, Error> {
    let plan = kindred.safety_plan()?;
    let items = plan.section(item.step).map(|s| s.items.as_slice()).unwrap_or_default();
    Ok(items.iter().position(|i| i.id == item.id).map_or(0, |p| p as u32 + 1))
}

/// An item on one line: its text (lines joined with " / ") and its contact.
fn one_line(item: &SafetyPlanItem) -> String {
    let text = item.text.lines().collect::<Vec<_>>().join(" / ");
    match &item.contact {
        Some(contact) => format!("{text} (contact: {contact})"),
        None => text,
    }
}

pub fn items_text(section: &SafetyPlanSection) -> String {
    let mut out = String::new();
    if section.items.is_empty() {
        push_line(&mut out, "   (nothing yet)");
    }
    for (i, item) in section.items.iter().enumerate() {
        let mut lines = item.text.lines();
        push_line(&mut out, format!("   {}) {}", i + 1, lines.next().unwrap_or_default()));
        for line in lines {
            push_line(&mut out, format!("      {line}"));
        }
        if let Some(contact) = &item.contact {
            push_line(&mut out, format!("      contact: {contact}"));
        }
    }
    out
}

fn show_text(plan: &SafetyPlan) -> String {
    let mut out = String::new();
    push_line(&mut out, "Your safety plan. It stays on this phone: no group, bundle or sync ever carries it.");
    let mut number = 0;
    for section in &plan.sections {
        out.push('\n');
        let heading = if section.step == SafetyPlanStep::Reasons {
            section.heading.clone()
        } else {
            number += 1;
            format!("{number}. {}", section.heading)
        };
        push_line(&mut out, format!("{heading} [{}]", section.step));
        out.push_str(&items_text(section));
    }
    if plan.is_empty() {
        push_line(&mut out, "\nAdd to it a step at a time: `kindred safety-plan add STEP TEXT` (STEP in brackets).");
    }
    out
}
