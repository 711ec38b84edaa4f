//! Test support: a named phone for running several side by side in one process (the demo, the scenario tests, the
//! benchmark), and what an adversarial test needs to act as a misbehaving phone with its own keys (craft and sign
//! changes, bundles and certificates by hand). Compiled only with the `test-support` feature; apps never see it.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use automerge::ChangeHash;

use crate::error::Result;
use crate::ids::{DocId, GroupId, MemberId, MessageId};
use crate::kindred::Kindred;
use crate::model::NewMessage;

/// One simulated phone: a named profile in its own data directory.
#[derive(Debug)]
pub struct Phone {
    /// The name tests and the demo call it by; [`Phone::create`] also makes it the profile's display name.
    pub name: &'static str,
    /// The profile's data directory.
    pub dir: PathBuf,
    /// The opened profile.
    pub kindred: Kindred,
}

impl Phone {
    /// A fresh profile called `name` in `dir`.
    pub fn create(dir: impl Into<PathBuf>, name: &'static str) -> Result<Self> {
        let dir = dir.into();
        let kindred = Kindred::create(&dir, name)?;
        Ok(Self { name, dir, kindred })
    }

    /// Opens the profile in `dir` (a restarted app, or a restored copy of another phone's directory).
    pub fn open(dir: impl Into<PathBuf>, name: &'static str) -> Result<Self> {
        let dir = dir.into();
        let kindred = Kindred::open(&dir)?;
        Ok(Self { name, dir, kindred })
    }

    /// Closes and reopens the profile, as an app restart would.
    pub fn reopen(&mut self) -> Result<()> {
        self.kindred = Kindred::open(&self.dir)?;
        Ok(())
    }

    /// This phone's member id.
    pub fn id(&self) -> MemberId {
        self.kindred.profile().member_id
    }

    /// Posts `text`.
    pub fn say(&self, group: &GroupId, text: &str) -> Result<MessageId> {
        Ok(self.kindred.post(group, NewMessage { text: text.into(), ..Default::default() })?.id)
    }

    /// Every message this phone shows of `group`, oldest first, as `"author: text"` (`"[removed]"` for removed ones,
    /// `"[hidden]"` for those a moderator hid, whoever reads: what the group sees).
    pub fn timeline(&self, group: &GroupId) -> Result<Vec<String>> {
        let page_size = crate::limits::MAX_PAGE;
        let mut all = Vec::new();
        let mut before = None;
        loop {
            let page = self.kindred.messages(group, page_size, before)?;
            let Some(oldest) = page.first() else { break };
            before = Some(oldest.cursor());
            let full = page.len() == page_size as usize;
            let mut texts: Vec<String> = page
                .iter()
                .map(|m| {
                    let text = match (m.removed, &m.moderation) {
                        (true, _) => "[removed]",
                        (false, Some(_)) => "[hidden]",
                        (false, None) => m.text.as_str(),
                    };
                    format!("{}: {text}", m.author_name)
                })
                .collect();
            texts.append(&mut all);
            all = texts;
            if !full {
                break;
            }
        }
        Ok(all)
    }
}

/// This profile's actor id and the member key's certificate for it.
pub fn actor_and_certificate(kindred: &Kindred) -> (Vec<u8>, Vec<u8>) {
    kindred.with_identity(|id| (id.actor().to_bytes().to_vec(), id.actor_certificate().to_vec()))
}

/// A new actor for this profile's member, with its certificate: what a second device (or a restored backup) of the
/// same member would use.
pub fn certify_new_actor(kindred: &Kindred) -> (Vec<u8>, Vec<u8>) {
    kindred.with_identity(|id| {
        let fresh = id.with_another_actor();
        (fresh.actor().to_bytes().to_vec(), fresh.actor_certificate().to_vec())
    })
}

/// Signs `message` with this profile's member key.
pub fn sign(kindred: &Kindred, message: &[u8]) -> [u8; 64] {
    kindred.with_identity(|id| id.sign(message))
}

/// Signs a change of `doc` as this profile's member would.
pub fn sign_change(kindred: &Kindred, doc: &DocId, hash: &ChangeHash) -> [u8; 64] {
    kindred.with_identity(|id| id.sign_change(doc, hash))
}

/// A message body for `text` (and a content warning) as a post makes it (`crate::bodies`): the hash a hand-made
/// message's `body` names, and the bytes a forged bundle carries beside the documents.
pub fn body_for(text: &str, content_warning: Option<&str>) -> Result<([u8; 32], Vec<u8>)> {
    let body = crate::bodies::Body::new(text, content_warning);
    Ok((body.hash()?, body.encode()?))
}

/// The message bodies this phone holds of a group, as they travel (what a scan for erased words must not find).
pub fn held_bodies(kindred: &Kindred, group: &GroupId) -> Result<Vec<Vec<u8>>> {
    kindred.read(|tx, _| {
        let Some(group_ref) = crate::storage::groups::group_ref(tx, group)? else { return Ok(Vec::new()) };
        crate::storage::messages::all_bodies(tx, group_ref)
    })
}

/// Lets this phone make its next slot's sealed items now (as if 12 hours had passed): tests cannot wait for a slot.
/// Returns how many it made.
pub fn next_sealed_slot(kindred: &Kindred) -> crate::error::Result<usize> {
    kindred.write(|ctx| {
        ctx.tx.execute("UPDATE sealed_slots SET slot = slot - 1", [])?;
        crate::sealed::emit_due(ctx)
    })
}

/// Seals `payload` to `member` as an item of `group`, as a report or warning is sealed (for the benchmark's
/// `report_seal_us`).
pub fn seal_for(group: &GroupId, member: &MemberId, payload: &[u8]) -> crate::error::Result<Vec<u8>> {
    crate::sealed::seal(group, &crate::sealed::key_of(member)?, payload)
}

/// The sealed items this phone holds of a group (what it would relay): sizes and contents, for tests that compare
/// what an ordinary member's phone sees.
pub fn sealed_items(kindred: &Kindred, group: &GroupId) -> crate::error::Result<Vec<Vec<u8>>> {
    kindred.read(|tx, _| {
        let Some(group_ref) = crate::storage::groups::group_ref(tx, group)? else { return Ok(Vec::new()) };
        Ok(crate::storage::sealed::items(tx, group_ref)?.into_iter().map(|(_, item)| item).collect())
    })
}

/// Caps the profile's database at its current size plus `extra_pages` pages (`None` lifts the cap), as a full disk
/// would: what a phone with no free space does can be tested without filling a file system.
pub fn limit_storage(kindred: &Kindred, extra_pages: Option<u32>) -> crate::error::Result<()> {
    kindred.lock().db.limit_pages(extra_pages)
}

/// Runs `f` and returns, with its result, the name of every table of `kindred`'s database that a statement read or
/// wrote meanwhile (through SQLite's authorizer, which sees every statement as it is prepared; the statement cache is
/// emptied first, so none prepared earlier escapes). Proof of what a code path can have read, whatever it then did
/// with it: the safety plan's privacy test runs sync sessions and bundle exports inside it.
pub fn tables_touched<T>(kindred: &Kindred, f: impl FnOnce() -> T) -> Result<(T, BTreeSet<String>)> {
    let log = Arc::new(Mutex::new(BTreeSet::new()));
    kindred.lock().db.watch_tables(Some(Arc::clone(&log)))?;
    let value = f();
    kindred.lock().db.watch_tables(None)?;
    let tables = std::mem::take(&mut *log.lock().unwrap_or_else(|p| p.into_inner()));
    Ok((value, tables))
}

/// Whether a document snapshot stays within the limits a phone loads from a peer (see `am_bounds`): a test
/// harness that loads mutated snapshots itself checks this first, so its own memory stays bounded too.
pub fn snapshot_within_bounds(bytes: &[u8]) -> bool {
    crate::am_bounds::check_document(bytes).is_ok()
}
