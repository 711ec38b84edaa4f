//! The in-process network for sync tests: phones (alice, bob, ...) meeting over the core's simulated link.

pub use kindred_core::sync::link::{Link, Outcome};
use kindred_core::MemberId;

use crate::Phone;

/// Whether `a` already knows `b` as a member of one of its groups (then it dials with Noise KK).
pub fn knows(a: &Phone, b: &Phone) -> Option<MemberId> {
    let b_id = b.kindred.profile().member_id;
    let groups = a.kindred.groups().ok()?;
    groups.iter().any(|g| a.kindred.group(&g.id).is_ok_and(|d| d.members.iter().any(|m| m.member_id == b_id))).then_some(b_id)
}

/// `a` dials `b` over `link`.
pub fn connect(a: &Phone, b: &Phone, link: Link) -> Outcome {
    kindred_core::sync::link::connect(&a.kindred, &b.kindred, knows(a, b), link)
        .unwrap_or_else(|e| crate::fail(&format!("setting up {} -> {}: {e}", a.name, b.name)))
}

/// Connects over a default link and insists on success.
pub fn sync(a: &Phone, b: &Phone) -> Outcome {
    let outcome = connect(a, b, Link::default());
    if !outcome.completed {
        crate::fail(&format!("sync {} -> {} failed: {:?}", a.name, b.name, outcome.error));
    }
    outcome
}
