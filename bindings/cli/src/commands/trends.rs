//! `trends [--days N]`: mood averages by day, week and month, each instrument's scores and change against the
//! person's baseline, and associations of mood with activities, emotions, tags and sleep, from this phone's records.

use clap::Args;
use kindred_core::trends::{Association, ChangeJudgement, FactorKind, InstrumentTrend, Trends};

use crate::commands::checkins::averages_table;
use crate::context::{Ctx, Outcome};
use crate::output::{plural, push_line};

#[derive(Debug, Args)]
pub struct TrendsArgs {
    /// How many days to look back (today included).
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=3660))]
    pub days: u32,
}

pub fn run(ctx: &Ctx, args: TrendsArgs) -> Outcome {
    let kindred = ctx.open()?;
    let trends = kindred.trends(args.days)?;
    ctx.render(&trends, text)
}

fn text(t: &Trends) -> String {
    let mut out = String::new();
    let with = plural(u64::from(t.checkin_days), "day");
    push_line(&mut out, format!("Trends over the last {} ({with} with a check-in).", plural(u64::from(t.days), "day")));
    if !t.monthly.is_empty() {
        push_line(&mut out, "\nMonthly averages:");
        out.push_str(&averages_table("MONTH OF", &t.monthly));
        push_line(&mut out, "\nWeekly averages:");
        out.push_str(&averages_table("WEEK OF", &t.weekly));
    }
    for i in &t.instruments {
        push_line(&mut out, format!("\n{}", instrument_line(i)));
    }
    if !t.associations.is_empty() {
        push_line(&mut out, "\nOn your own days (what went together, not what caused what):");
        for a in &t.associations {
            push_line(&mut out, format!("  {}", association_line(a)));
        }
    } else if t.checkin_days > 0 {
        push_line(&mut out, "\nToo few days yet to say what goes with your mood (5 days each way are needed).");
    }
    out
}

fn instrument_line(i: &InstrumentTrend) -> String {
    let scores: Vec<String> =
        i.points.iter().map(|p| p.percentage.map_or_else(|| p.score.to_string(), |pc| format!("{pc}%"))).collect();
    let judged = match i.judgement {
        ChangeJudgement::Improved => "a meaningful improvement".to_owned(),
        ChangeJudgement::Worsened => "a meaningful worsening".to_owned(),
        ChangeJudgement::NoMeaningfulChange => "no meaningful change".to_owned(),
        ChangeJudgement::NoThreshold => format!("a change of {:+}", i.change),
        ChangeJudgement::OneResult => "one result so far".to_owned(),
    };
    format!("{}: {} ({judged})", i.title, scores.join(" → "))
}

fn association_line(a: &Association) -> String {
    let what = match a.kind {
        FactorKind::Activity => format!("with {}", a.label),
        FactorKind::Emotion => format!("when you felt {}", a.label),
        FactorKind::Tag => format!("tagged {}", a.label),
        FactorKind::Sleep => format!("after {} of sleep", a.label),
    };
    format!(
        "on days {what}, mood averaged {:.1} ({} days); otherwise {:.1} ({} days)",
        a.mood_with, a.days_with, a.mood_without, a.days_without
    )
}
