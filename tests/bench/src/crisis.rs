//! The on-device crisis check (issue 11): `check_draft_us`, the time to check a 1,000-character draft against every
//! shipped phrase list (no language given, so English, Spanish and Swahili all run), as the median of many checks in
//! this process. The lists are compiled once beforehand, as the app's shared checker is. And `check_draft_offer_us`
//! (no target): the whole app-facing call on that draft, `Kindred::check_draft`, in a profile with a safety plan, a
//! region and two directories (one imported, one published in a group), so it also reads the plan and looks the
//! services up, re-checking each held directory's signature.

use std::hint::black_box;
use std::time::Instant;

use kindred_core::crisis::{Checker, ResourceDirectory, example_directory_file};
use kindred_core::{Kindred, NewGroup, SafetyPlanStep};

/// The design target for `check_draft_us`.
pub const TARGET_CHECK_DRAFT_US: f64 = 200.0;

const WARM_UP: usize = 200;
const CHECKS: usize = 5_000;

/// A 1,000-character draft of ordinary peer-support talk with one sign of risk in it (and figures of speech that
/// must not count).
fn draft() -> String {
    let paragraph = "Had a rough week, honestly. Chemo round 3 is done and the nausea is killing me, but I'm still \
        here 💪 Thanks everyone for listening on Tuesday, it meant a lot. My sister came over and we watched a silly \
        film, I nearly died laughing. Some nights though I lie awake and think everyone would be better off without \
        me, and I don't really see the point anymore. I took all my meds this morning like the nurse said. \
        Tomorrow I'll try the breathing exercise from group. ";
    paragraph.repeat(4).chars().take(1000).collect()
}

/// The median time of one check, in microseconds; NaN if the check does not find the draft's sign of risk (the
/// figure would not be of the real work).
pub fn check_draft_us() -> f64 {
    let checker = Checker::builtin();
    let draft = draft();
    if !checker.check(&draft, None).risk {
        eprintln!("kindred-bench: the crisis check missed the draft's sign of risk");
        return f64::NAN;
    }
    for _ in 0..WARM_UP {
        black_box(checker.check(black_box(&draft), None));
    }
    let times = (0..CHECKS)
        .map(|_| {
            let started = Instant::now();
            black_box(checker.check(black_box(&draft), None));
            started.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    crate::median(times)
}

/// Calls of `Kindred::check_draft` timed for `check_draft_offer_us`.
const OFFERS: usize = 500;

/// The median time of `Kindred::check_draft` on the draft, with what it offers (plan, region, two directories), in
/// microseconds; NaN if the draft shows no risk or nothing is offered.
pub fn check_draft_offer_us(dir: &std::path::Path) -> kindred_core::Result<f64> {
    let kindred = Kindred::create(dir, "Bench")?;
    kindred.add_safety_plan_item(SafetyPlanStep::People, "My sister", Some("0700 000 000"))?;
    kindred.set_region(Some("KE-30"))?;
    kindred.import_resource_directory(example_directory_file())?;
    let group = kindred.create_group(NewGroup { name: "Circle".into(), ..Default::default() })?.id;
    let mut own = ResourceDirectory::from_file_bytes(example_directory_file())?;
    own.publisher = kindred.profile().member_id;
    own.example = false;
    kindred.publish_resource_directory(&group, &kindred.sign_resource_directory(&own)?)?;
    let draft = draft();
    let offered = kindred.check_draft(&draft, None)?;
    if !offered.risk || offered.safety_plan.is_none() || offered.resources.is_empty() {
        eprintln!("kindred-bench: check_draft offered nothing on the draft");
        return Ok(f64::NAN);
    }
    let times = (0..OFFERS)
        .map(|_| {
            let started = Instant::now();
            black_box(kindred.check_draft(black_box(&draft), None).ok());
            started.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    Ok(crate::median(times))
}

/// `report_seal_us`: the median time to seal one report (a 400-byte payload) to one moderator, over 200 seals.
pub fn report_seal_us() -> Result<f64, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let moderator = kindred_core::Kindred::create(dir.path(), "Moderator")?.profile().member_id;
    let group = kindred_core::GroupId::from_bytes([7; 16]);
    let payload = [0x42u8; 400];
    let mut times: Vec<f64> = (0..200)
        .map(|_| {
            let started = std::time::Instant::now();
            kindred_core::testing::seal_for(&group, &moderator, &payload).map(|_| started.elapsed().as_secs_f64() * 1e6)
        })
        .collect::<Result<_, _>>()?;
    times.sort_by(f64::total_cmp);
    Ok(times.get(times.len() / 2).copied().unwrap_or(f64::NAN))
}
