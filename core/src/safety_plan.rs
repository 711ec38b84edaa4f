//! The personal safety plan: the six steps of the Stanley-Brown Safety Planning Intervention (warning signs, coping
//! on one's own, people and places that distract, people to ask for help, professionals and crisis lines, making the
//! surroundings safe) and reasons for living, written and reordered item by item, readable at once and offline, and
//! printable as plain text.
//!
//! The plan is the most private thing a profile holds. It is stored only in this profile's database, in its own
//! table (`storage::safety_plan`); it is never written to an Automerge document, so no sync session or bundle can
//! carry it, and no other phone ever sees it. Error messages name fields and limits, never what the person wrote.
//! Reading it needs no free space, so a full phone still shows it. [`Kindred::safety_plan`] is the read other
//! features (a risk check that offers the plan) call.

use std::fmt::Write as _;

use crate::error::{Error, Result};
use crate::ids::SafetyPlanItemId;
use crate::kindred::Kindred;
use crate::model::{SafetyPlan, SafetyPlanItem, SafetyPlanSection, SafetyPlanStep, Update};
use crate::storage::safety_plan as store;
use crate::text;
use crate::time::{local_date, local_offset_minutes, now_ms};

/// Longest item text, in characters: a sentence or a short paragraph (a reason for living may be one).
pub const MAX_SAFETY_PLAN_ITEM_CHARS: usize = 500;
/// Longest contact (a phone number, an address, "ask for the nurse on duty"), in characters.
pub const MAX_SAFETY_PLAN_CONTACT_CHARS: usize = 100;
/// Most items one step holds. Plans that work are short: a few items per step, most important first.
pub const MAX_SAFETY_PLAN_ITEMS_PER_STEP: usize = 20;

/// Field names in errors (never the text itself).
const TEXT_FIELD: &str = "safety plan item";
const CONTACT_FIELD: &str = "contact";

/// The checked text and contact of an item of `step`.
fn validate(step: SafetyPlanStep, text: &str, contact: Option<&str>) -> Result<(String, Option<String>)> {
    let text = text::multi_line(TEXT_FIELD, text, MAX_SAFETY_PLAN_ITEM_CHARS)?;
    let contact = text::optional_single_line(CONTACT_FIELD, contact, MAX_SAFETY_PLAN_CONTACT_CHARS)?;
    if contact.is_some() && !step.takes_contact() {
        return Err(Error::invalid(
            CONTACT_FIELD,
            format!("the {step} step takes no contact; only distractions, people and professionals do"),
        ));
    }
    Ok((text, contact))
}

/// The whole plan from its rows: every step, in order, each with its items in order.
pub(crate) fn assemble(items: Vec<SafetyPlanItem>) -> SafetyPlan {
    let mut sections: Vec<SafetyPlanSection> =
        SafetyPlanStep::ALL.iter().map(|&step| section(step, Vec::new())).collect();
    // Rows come in each step's order; every step is in `ALL`.
    for item in items {
        if let Some(section) = sections.iter_mut().find(|s| s.step == item.step) {
            section.items.push(item);
        }
    }
    SafetyPlan { sections }
}

fn section(step: SafetyPlanStep, items: Vec<SafetyPlanItem>) -> SafetyPlanSection {
    SafetyPlanSection { step, heading: step.heading().to_owned(), takes_contact: step.takes_contact(), items }
}

/// Blank lines to write on, under a step with nothing in it yet, on the printed plan.
const WRITE_IN_LINE: &str = "   ____________________________________________";

/// The plan as plain text for printing: a title, the date it was printed, and each step under its heading in plain
/// words (the six numbered steps, then reasons for living), with lines to write on where a step is empty. Nothing
/// else: no name, no member key, nothing about groups.
pub(crate) fn render_text(plan: &SafetyPlan, printed_on: chrono::NaiveDate) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "MY SAFETY PLAN");
    let _ = writeln!(out, "Printed on {printed_on}");
    let mut number = 0;
    for section in &plan.sections {
        out.push('\n');
        if section.step == SafetyPlanStep::Reasons {
            let _ = writeln!(out, "{}", section.heading);
        } else {
            number += 1;
            let _ = writeln!(out, "{number}. {}", section.heading);
        }
        if section.items.is_empty() {
            let _ = writeln!(out, "{WRITE_IN_LINE}\n{WRITE_IN_LINE}");
        }
        for item in &section.items {
            let mut lines = item.text.lines();
            let _ = write!(out, "   - {}", lines.next().unwrap_or_default());
            for line in lines {
                let _ = write!(out, "\n     {line}");
            }
            match &item.contact {
                Some(contact) => {
                    let _ = writeln!(out, "\n     Contact: {contact}");
                }
                None => out.push('\n'),
            }
        }
    }
    out
}

impl Kindred {
    /// The person's safety plan: every step, in order, with its items. One indexed read of this phone's database;
    /// it works offline and with the storage full.
    pub fn safety_plan(&self) -> Result<SafetyPlan> {
        Ok(assemble(self.read(|tx, _| store::all(tx))?))
    }

    /// Adds an item at the end of `step`. `contact` (a phone number, an address) is for the steps that
    /// [take one](SafetyPlanStep::takes_contact); blank means none. Fails with `InvalidInput` for text that is blank,
    /// longer than [`MAX_SAFETY_PLAN_ITEM_CHARS`] or holds control characters (other than line breaks and tabs), a
    /// contact that is too long, holds control characters or line breaks, or belongs to a step without contacts, and
    /// when the step already holds [`MAX_SAFETY_PLAN_ITEMS_PER_STEP`] items.
    pub fn add_safety_plan_item(
        &self,
        step: SafetyPlanStep,
        text: &str,
        contact: Option<&str>,
    ) -> Result<SafetyPlanItem> {
        let (text, contact) = validate(step, text, contact)?;
        let now = now_ms();
        let item =
            SafetyPlanItem { id: SafetyPlanItemId::random(), step, text, contact, created_at: now, updated_at: now };
        self.write(|ctx| {
            let held = store::in_step(ctx.tx, step)?.len();
            if held >= MAX_SAFETY_PLAN_ITEMS_PER_STEP {
                return Err(Error::invalid(
                    "safety plan step",
                    format!("the {step} step already holds {held} items, the most it can hold"),
                ));
            }
            store::insert(ctx.tx, &item, held)?;
            ctx.updates.push(Update::SafetyPlan);
            Ok(())
        })?;
        Ok(item)
    }

    /// Replaces an item's text and contact (`None` or blank removes the contact); it keeps its step and place.
    /// Checked as in [`Kindred::add_safety_plan_item`]; an unknown id is `NotFound`.
    pub fn edit_safety_plan_item(
        &self,
        id: &SafetyPlanItemId,
        text: &str,
        contact: Option<&str>,
    ) -> Result<SafetyPlanItem> {
        self.write(|ctx| {
            let mut item = store::get(ctx.tx, id)?.ok_or_else(|| Error::not_found("safety plan item", id))?;
            let (text, contact) = validate(item.step, text, contact)?;
            if item.text == text && item.contact == contact {
                return Ok(item);
            }
            item.text = text;
            item.contact = contact;
            item.updated_at = now_ms().max(item.created_at);
            store::update(ctx.tx, &item)?;
            ctx.updates.push(Update::SafetyPlan);
            Ok(item)
        })
    }

    /// Moves an item within its step to `position` (0 is first); the others keep their order. Returns the step as it
    /// now is. A position past the last item is `InvalidInput`; an unknown id is `NotFound`.
    pub fn move_safety_plan_item(&self, id: &SafetyPlanItemId, position: u32) -> Result<SafetyPlanSection> {
        self.write(|ctx| {
            let step = store::get(ctx.tx, id)?.ok_or_else(|| Error::not_found("safety plan item", id))?.step;
            let mut items = store::in_step(ctx.tx, step)?;
            let to = position as usize;
            if to >= items.len() {
                return Err(Error::invalid(
                    "position",
                    format!("{position} is past the end of the step, whose last position is {}", items.len() - 1),
                ));
            }
            let from =
                items.iter().position(|i| i.id == *id).ok_or_else(|| Error::not_found("safety plan item", id))?;
            if from != to {
                let moved = items.remove(from);
                items.insert(to, moved);
                store::set_order(ctx.tx, &items.iter().map(|i| i.id).collect::<Vec<_>>())?;
                ctx.updates.push(Update::SafetyPlan);
            }
            Ok(section(step, items))
        })
    }

    /// Removes an item and returns it (for an "undo"); the step's other items keep their order. An unknown id is
    /// `NotFound`. SQLite's `secure_delete` overwrites the text in the database's pages; older copies of those pages
    /// in the write-ahead log last until the log is checkpointed and written over.
    pub fn remove_safety_plan_item(&self, id: &SafetyPlanItemId) -> Result<SafetyPlanItem> {
        self.write(|ctx| {
            let item = store::get(ctx.tx, id)?.ok_or_else(|| Error::not_found("safety plan item", id))?;
            store::delete(ctx.tx, id)?;
            let rest: Vec<SafetyPlanItemId> = store::in_step(ctx.tx, item.step)?.into_iter().map(|i| i.id).collect();
            store::set_order(ctx.tx, &rest)?;
            ctx.updates.push(Update::SafetyPlan);
            Ok(item)
        })
    }

    /// Removes every item of the plan (a person starting again, or handing on a shared phone). Returns how many
    /// there were.
    pub fn clear_safety_plan(&self) -> Result<u32> {
        self.write(|ctx| {
            let removed = store::delete_all(ctx.tx)?;
            if removed > 0 {
                ctx.updates.push(Update::SafetyPlan);
            }
            Ok(u32::try_from(removed).unwrap_or(u32::MAX))
        })
    }

    /// The plan as plain text for printing or keeping on paper: a title, today's date, and every step under its
    /// heading in plain words, with lines to write on where a step is empty; nothing else about the person. Works
    /// offline and with the storage full.
    pub fn export_safety_plan_text(&self) -> Result<String> {
        let plan = self.safety_plan()?;
        Ok(render_text(&plan, local_date(now_ms(), local_offset_minutes())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn item(step: SafetyPlanStep, text: &str, contact: Option<&str>) -> SafetyPlanItem {
        SafetyPlanItem {
            id: SafetyPlanItemId::random(),
            step,
            text: text.into(),
            contact: contact.map(str::to_owned),
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn the_printed_plan_has_every_heading_in_order_the_date_and_nothing_else() {
        let plan = assemble(vec![
            item(SafetyPlanStep::Reasons, "My daughter", None),
            item(SafetyPlanStep::WarningSigns, "Not sleeping", None),
            item(SafetyPlanStep::WarningSigns, "Staying in my room\nand not answering the phone", None),
            item(SafetyPlanStep::People, "My sister Ana", Some("555 0101")),
            item(SafetyPlanStep::Professionals, "Crisis line", Some("988")),
        ]);
        let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default();
        let text = render_text(&plan, date);
        let blank = format!("{WRITE_IN_LINE}\n{WRITE_IN_LINE}\n");
        let expected = [
            "MY SAFETY PLAN\n",
            "Printed on 2026-12-07\n",
            "\n1. Warning signs that a crisis may be starting\n",
            "   - Not sleeping\n",
            "   - Staying in my room\n     and not answering the phone\n",
            "\n2. Things I can do on my own to take my mind off my problems\n",
            &blank,
            "\n3. People and places that take my mind off things\n",
            &blank,
            "\n4. People I can ask for help\n",
            "   - My sister Ana\n     Contact: 555 0101\n",
            "\n5. Professionals and crisis lines I can contact\n",
            "   - Crisis line\n     Contact: 988\n",
            "\n6. Making my surroundings safe\n",
            &blank,
            "\nMy reasons for living\n",
            "   - My daughter\n",
        ]
        .concat();
        assert_eq!(text, expected);
    }

    #[test]
    fn an_empty_plan_still_has_all_seven_steps_in_order() {
        let plan = assemble(Vec::new());
        assert!(plan.is_empty());
        assert_eq!(plan.sections.iter().map(|s| s.step).collect::<Vec<_>>(), SafetyPlanStep::ALL);
        assert!(
            plan.sections.iter().all(|s| s.heading == s.step.heading() && s.takes_contact == s.step.takes_contact())
        );
    }

    #[test]
    fn step_names_round_trip() {
        for step in SafetyPlanStep::ALL {
            assert_eq!(step.as_str().parse::<SafetyPlanStep>().ok(), Some(step));
            assert_eq!(serde_json::to_value(step).ok(), Some(serde_json::Value::String(step.as_str().into())));
        }
        assert!(matches!(
            "hope".parse::<SafetyPlanStep>().as_ref().map_err(Error::kind),
            Err(ErrorKind::InvalidInput { field: "safety plan step", .. })
        ));
    }

    #[test]
    fn validation_never_quotes_what_was_written() {
        let secret = "I keep pills in the blue box";
        let long = format!("{secret} {}", "x".repeat(MAX_SAFETY_PLAN_ITEM_CHARS));
        let control = format!("{secret}\u{7}");
        for (step, text, contact) in [
            (SafetyPlanStep::Environment, long.as_str(), None),
            (SafetyPlanStep::Environment, control.as_str(), None),
            (SafetyPlanStep::Environment, secret, Some(secret)),
            (SafetyPlanStep::People, "Ana", Some("555\n0101")),
        ] {
            let err = validate(step, text, contact).map(|_| ()).unwrap_err();
            assert!(matches!(err.kind(), ErrorKind::InvalidInput { .. }), "{err:?}");
            assert!(!err.to_string().contains("pills") && !err.to_string().contains("555"), "{err}");
        }
        assert_eq!(
            validate(SafetyPlanStep::People, "  Ana  ", Some("  ")).ok(),
            Some(("Ana".to_owned(), None)),
            "trimmed, and a blank contact is none"
        );
    }
}
