//! The demo's crisis-support chapter: the owner publishes a crisis resource directory into the group (Kindred's
//! example directory, whose every entry says EXAMPLE), a member with a safety plan checks a worrying draft on their
//! own phone, and another reads such a message with guidance and services to share. Nothing of this leaves a phone
//! except the directory, which travels with the group; the demo's last chapter counts the phones that hold it.

use kindred_core::SafetyPlanStep;
use kindred_core::crisis::example_directory_file;

use super::*;
use crate::output::plural;

/// What the crisis-support chapter showed, for `--json`.
#[derive(Debug, Default, Serialize)]
pub(super) struct CrisisReport {
    /// The directory's publisher (Kindred's example key, which the owner marked trusted).
    pub directory_publisher: String,
    /// The honest phones that use the directory at the end (it travels with the group).
    pub directory_on: Vec<String>,
    /// Chen's draft: whether it showed a sign of risk, and whether Chen's plan and crisis services were offered.
    pub draft_risk: bool,
    pub plan_offered: bool,
    pub resources_offered: usize,
    /// Bo reading such a message: lines of guidance and services to share.
    pub reader_guidance_lines: usize,
    pub reader_resources: usize,
}

/// A worrying draft, in Swahili (the example directory lists Kenyan services).
const DRAFT: &str = "Sitaki kuishi tena. Nataka kujiua.";

impl Demo {
    /// Amara publishes the example directory into the group.
    pub(super) fn publish_directory(&mut self, group: &GroupId, amara: &Phone) -> Result<CrisisReport, CliError> {
        self.step("Amara publishes a crisis resource directory into the group");
        let file = example_directory_file();
        let publisher = kindred_core::crisis::ResourceDirectory::from_file_bytes(file)?.publisher;
        amara.kindred.trust_publisher(group, &publisher, true)?;
        let published = amara.kindred.publish_resource_directory(group, file)?;
        self.line(format!(
            "Amara marks a publisher's key trusted and publishes its signed directory into the group ({}; here \
             Kindred's EXAMPLE directory, whose numbers are not real). It reaches every member as their phones meet.",
            plural(u64::from(published.entries), "service")
        ));
        Ok(CrisisReport { directory_publisher: publisher.to_hex(), ..CrisisReport::default() })
    }

    /// Chen, who has the directory now, writes a safety plan and checks a draft; Bo reads such a message.
    pub(super) fn crisis_checks(
        &mut self,
        report: &mut CrisisReport,
        bo: &Phone,
        chen: &Phone,
    ) -> Result<(), CliError> {
        self.step("Crisis support stays on each phone");
        chen.kindred.add_safety_plan_item(SafetyPlanStep::People, "My brother Wei", Some("0700 000 000"))?;
        chen.kindred.add_safety_plan_item(SafetyPlanStep::Coping, "Slow breathing on the balcony", None)?;
        chen.kindred.set_region(Some("KE-30"))?;
        let draft = chen.kindred.check_draft(DRAFT, Some("sw"))?;
        self.line(format!(
            "Chen starts typing something worrying. His phone checks the draft (nothing is sent, stored or blocked): \
             {}; it offers his own safety plan ({}) and {} for his region, from the group's directory.",
            if draft.risk { "a sign of risk" } else { "no sign of risk" },
            if draft.safety_plan.is_some() { "2 items" } else { "none written" },
            plural(draft.resources.len() as u64, "crisis service")
        ));
        let reading = bo.kindred.check_received(DRAFT, Some("sw"))?;
        self.line(format!(
            "Bo reading such a message sees, on his phone only, {} on answering supportively and {} to share. Nobody \
             is flagged; Chen's plan and region never leave his phone.",
            plural(reading.guidance.len() as u64, "line"),
            plural(reading.resources.len() as u64, "service")
        ));
        report.draft_risk = draft.risk;
        report.plan_offered = draft.safety_plan.is_some();
        report.resources_offered = draft.resources.len();
        report.reader_guidance_lines = reading.guidance.len();
        report.reader_resources = reading.resources.len();
        Ok(())
    }

    /// Which of `phones` use the directory `crisis` published, said in a line and kept in the report.
    pub(super) fn directory_reached(&mut self, crisis: &mut CrisisReport, phones: &[&Phone]) -> Result<(), CliError> {
        for phone in phones {
            let held = phone.kindred.resource_directories()?;
            if held.iter().any(|d| d.publisher.to_hex() == crisis.directory_publisher && !d.groups.is_empty()) {
                crisis.directory_on.push(phone.name.to_owned());
            }
        }
        if crisis.directory_on.len() == phones.len() {
            self.line(format!("The group's crisis resource directory is on all {} honest phones.", phones.len()));
        } else {
            self.line(format!(
                "THE DIRECTORY DID NOT REACH every honest phone: only {}.",
                crisis.directory_on.join(", ")
            ));
        }
        Ok(())
    }
}
