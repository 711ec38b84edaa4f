//! Helpers for Kindred's workspace-level scenario tests: named profiles (alice, bob, carol...) living side by side
//! in one process, each with its own data directory, in the style of deltachat's test context manager.

pub mod net;

use kindred_core::{GroupDetails, GroupId, Kindred, NewGroup, NewMessage, Role};

/// One simulated phone: a profile in its own temporary data directory.
#[derive(Debug)]
pub struct Phone {
    pub name: &'static str,
    pub dir: tempfile::TempDir,
    pub kindred: Kindred,
}

impl Phone {
    /// A fresh profile called `name`.
    pub fn new(name: &'static str) -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| fail(&format!("temp dir: {e}")));
        let kindred = Kindred::create(dir.path(), name).unwrap_or_else(|e| fail(&format!("create {name}: {e}")));
        Self { name, dir, kindred }
    }

    /// Closes and reopens the profile, as an app restart would.
    pub fn restart(&mut self) {
        let reopened = Kindred::open(self.dir.path()).unwrap_or_else(|e| fail(&format!("reopen {}: {e}", self.name)));
        self.kindred = reopened;
    }

    /// Posts `text` and returns nothing; panics (in a test) on failure.
    pub fn say(&self, group: &GroupId, text: &str) {
        self.kindred
            .post(group, NewMessage { text: text.into(), ..Default::default() })
            .unwrap_or_else(|e| fail(&format!("{} posting: {e}", self.name)));
    }

    /// The texts of the latest `limit` messages, oldest first, as "author: text".
    pub fn timeline(&self, group: &GroupId, limit: u32) -> Vec<String> {
        self.kindred
            .messages(group, limit, None)
            .unwrap_or_else(|e| fail(&format!("{} reading: {e}", self.name)))
            .into_iter()
            .map(|m| format!("{}: {}", m.author_name, if m.removed { "[removed]" } else { m.text.as_str() }))
            .collect()
    }
}

/// Creates a group on `owner` and makes every phone in `members` a member, exchanging so all hold it.
pub fn group_with(owner: &Phone, name: &str, members: &[&Phone]) -> GroupDetails {
    let group = owner
        .kindred
        .create_group(NewGroup { name: name.into(), ..Default::default() })
        .unwrap_or_else(|e| fail(&format!("create group: {e}")));
    for m in members {
        owner
            .kindred
            .add_member(&group.id, &m.kindred.profile().member_id, m.name, Role::Member)
            .unwrap_or_else(|e| fail(&format!("add {}: {e}", m.name)));
    }
    for m in members {
        exchange(owner, m, &group.id);
    }
    owner.kindred.group(&group.id).unwrap_or_else(|e| fail(&format!("group: {e}")))
}

/// Brings two phones to the same state of `group`.
pub fn exchange(a: &Phone, b: &Phone, group: &GroupId) {
    kindred_core::exchange::exchange_group(&a.kindred, &b.kindred, group)
        .unwrap_or_else(|e| fail(&format!("exchange {} <-> {}: {e}", a.name, b.name)));
}

#[allow(clippy::panic)]
pub(crate) fn fail(what: &str) -> ! {
    panic!("{what}")
}
