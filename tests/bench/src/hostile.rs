//! The worst a member may make a phone load: a message segment whose snapshot sits just under the operation limit a
//! phone accepts from a peer (`am_bounds`), correctly signed, a few kilobytes on the wire. The phone takes it in
//! (and then refuses it: text objects have no place in a segment) in a fresh process, whose peak resident memory is
//! `hostile_session_peak_mb`; the same process taking in an honest bundle of the same group is the baseline.

use std::error::Error;
use std::path::Path;

use automerge::ObjType;
use automerge::ROOT;
use automerge::transaction::Transactable;
use kindred_core::{Kindred, NewGroup, NewMessage, Role};
use kindred_scenarios::forge::{self, Writer};

use crate::rss::{ChildTask, kb_to_mib, run_child};

/// Operations in the hostile document: just under the limit a phone accepts.
const HOSTILE_OPS: usize = 499_000;

/// Peak memory of a fresh process taking in the worst allowed document, and of one taking in an honest bundle.
#[derive(Debug, Clone, Copy)]
pub struct HostilePeak {
    pub hostile_mb: f64,
    pub honest_mb: f64,
    pub hostile_ms: f64,
    pub refused: bool,
}

pub fn measure(dir: &Path) -> Result<HostilePeak, Box<dyn Error>> {
    let alice = Kindred::create(dir.join("alice"), "Alice")?;
    let mallory = Kindred::create(dir.join("mallory"), "Mallory")?;
    let group = alice.create_group(NewGroup { name: "Circle".into(), ..Default::default() })?.id;
    let mallory_id = mallory.profile().member_id;
    alice.add_member(&group, &mallory_id, "Mallory", Role::Member)?;
    kindred_core::exchange::exchange_group(&alice, &mallory, &group)?;
    mallory.post(&group, NewMessage { text: "hello".into(), ..Default::default() })?;
    kindred_core::exchange::exchange_group(&alice, &mallory, &group)?;

    let honest = dir.join("honest.kindred");
    std::fs::write(&honest, mallory.export_bundle(&group)?)?;
    let mut bundle = forge::unseal(&mallory.export_bundle(&group)?);
    let writer = Writer::another_device(&mallory);
    let segment = forge::segment_of(&mut bundle, &mallory_id);
    let mut doc = forge::load(segment).with_actor(writer.actor.clone());
    let change = forge::commit(&mut doc, |tx| {
        if let Ok(text) = tx.put_object(ROOT, "t", ObjType::Text) {
            let _ = tx.splice_text(&text, 0, 0, &"a".repeat(HOSTILE_OPS));
        }
    });
    forge::vouch(segment, &mut doc, &writer, &change);
    let hostile = dir.join("hostile.kindred");
    std::fs::write(&hostile, forge::seal(bundle, &mallory))?;
    drop((alice, mallory));

    let profile = dir.join("alice");
    let honest = run_child(&ChildTask::Import { dir: profile.clone(), file: honest })?;
    let hostile = run_child(&ChildTask::Import { dir: profile, file: hostile })?;
    Ok(HostilePeak {
        hostile_mb: kb_to_mib(hostile.vm_hwm_kb),
        honest_mb: kb_to_mib(honest.vm_hwm_kb),
        hostile_ms: hostile.total_ms,
        refused: hostile.read == 1,
    })
}
