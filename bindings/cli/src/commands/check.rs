//! `check TEXT [--language LL] [--reader]`: the on-device crisis check of a draft (with the person's own safety plan
//! offered on a sign of risk) or, with `--reader`, of a received message (with guidance on answering supportively).
//! The text is checked and forgotten: nothing is stored, logged or sent, and nothing is blocked.

use clap::Args;
use kindred_core::SafetyPlan;
use kindred_core::crisis::{FoundResource, Match, ReaderGuidance};
use serde::Serialize;

use crate::commands::safety_plan::items_text;
use crate::context::{Ctx, Outcome};
use crate::output::push_line;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The text to check (a draft, or with --reader a message you received).
    pub text: String,
    /// The text's language ("en", "es-MX", "sw"): checks that language's list; without it, every list.
    #[arg(long, value_name = "LL")]
    pub language: Option<String>,
    /// Check a message you received: adds guidance on answering supportively, for you only.
    #[arg(long)]
    pub reader: bool,
}

/// What `check --json` prints: one object for a draft and for a received message alike.
#[derive(Debug, Serialize)]
struct Checked {
    /// Whether the text shows a sign of risk to self.
    risk: bool,
    /// What matched: phrases of the lists, never the text's words.
    matches: Vec<Match>,
    /// Crisis services for your region (`resources region`) and the language, from the directories you hold, on a
    /// sign of risk (with `--reader`: services to share); entries of an example directory say `"example": true`.
    resources: Vec<FoundResource>,
    /// The person's own safety plan, offered on a sign of risk in a draft when it has an item; else null.
    safety_plan: Option<SafetyPlan>,
    /// With `--reader`: lines on answering supportively (empty without a sign of risk).
    #[serde(skip_serializing_if = "Option::is_none")]
    guidance: Option<Vec<String>>,
    /// With `--reader`: the language of `guidance`.
    #[serde(skip_serializing_if = "Option::is_none")]
    guidance_language: Option<String>,
}

pub fn run(ctx: &Ctx, args: CheckArgs) -> Outcome {
    let kindred = ctx.open()?;
    let language = args.language.as_deref();
    let checked = if args.reader {
        let ReaderGuidance { risk, matches, guidance, guidance_language, resources } =
            kindred.check_received(&args.text, language)?;
        Checked {
            risk,
            matches,
            resources,
            safety_plan: None,
            guidance: Some(guidance),
            guidance_language: Some(guidance_language),
        }
    } else {
        let check = kindred.check_draft(&args.text, language)?;
        Checked {
            risk: check.risk,
            matches: check.matches,
            resources: check.resources,
            safety_plan: check.safety_plan,
            guidance: None,
            guidance_language: None,
        }
    };
    let reader = args.reader;
    ctx.render(&checked, |c| human(c, reader))
}

fn human(c: &Checked, reader: bool) -> String {
    let mut out = String::new();
    if !c.risk {
        push_line(&mut out, "No sign of risk found. The text was checked on this phone and not kept.");
        return out;
    }
    if reader {
        push_line(
            &mut out,
            "This message may come from someone who is struggling. Nothing about them is recorded or sent.",
        );
    } else {
        push_line(
            &mut out,
            "It sounds like things may be very hard right now. You can still post this; nothing is blocked.",
        );
    }
    push_line(&mut out, "\nWhat it noticed (phrases of the lists):");
    for m in &c.matches {
        push_line(&mut out, format!("  - {}: {} [{}]", m.category, m.phrase, m.language));
    }
    if let Some(plan) = &c.safety_plan {
        push_line(&mut out, "\nYour safety plan, in case it helps now:");
        for section in plan.sections.iter().filter(|s| !s.items.is_empty()) {
            push_line(&mut out, format!("{}:", section.heading));
            out.push_str(&items_text(section));
        }
    } else if !reader {
        push_line(&mut out, "\nYou have no safety plan yet: `kindred safety-plan add STEP TEXT` starts one.");
    }
    if let Some(guidance) = c.guidance.as_ref().filter(|g| !g.is_empty()) {
        push_line(&mut out, "\nAnswering supportively:");
        for line in guidance {
            push_line(&mut out, format!("  - {line}"));
        }
    }
    if c.resources.is_empty() {
        push_line(
            &mut out,
            "\nNo crisis-resource directory you hold lists a service for your region (`kindred resources region CC`). \
             In danger, the local emergency number is the place to call.",
        );
    } else {
        let heading = if reader { "\nCrisis services you can share:" } else { "\nCrisis services you can reach now:" };
        push_line(&mut out, heading);
        for f in &c.resources {
            crate::commands::resources::resource_lines(&mut out, f);
        }
    }
    out
}
