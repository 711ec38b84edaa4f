//! The on-device crisis check (issue 11): `check_draft_us`, the time to check a 1,000-character draft against every
//! shipped phrase list (no language given, so English, Spanish and Swahili all run), as the median of many checks in
//! this process. The lists are compiled once beforehand, as the app's shared checker is.

use std::hint::black_box;
use std::time::Instant;

use kindred_core::crisis::Checker;

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
