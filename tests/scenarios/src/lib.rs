//! Helpers for Kindred's workspace-level scenario tests: named profiles (alice, bob, carol...) living side by side
//! in one process, each with its own data directory, in the style of deltachat's test context manager.

pub mod forge;
pub mod mailbox;
pub mod net;
pub mod scan;
pub mod seaweed;

use std::collections::{BTreeMap, BTreeSet};

use kindred_core::{GoalId, GroupDetails, GroupId, MemberId, MessageId, NewGroup, Role, testing};

/// One simulated phone: the core's named phone ([`testing::Phone`]) in its own temporary data directory, with
/// helpers that fail the test (instead of returning an error) when something that must work does not.
#[derive(Debug)]
pub struct Phone {
    phone: testing::Phone,
    /// Holds the data directory for as long as the phone lives.
    _temp: tempfile::TempDir,
}

impl std::ops::Deref for Phone {
    type Target = testing::Phone;
    fn deref(&self) -> &testing::Phone {
        &self.phone
    }
}

impl Phone {
    /// A fresh profile called `name`.
    pub fn new(name: &'static str) -> Self {
        let temp = tempfile::tempdir().unwrap_or_else(|e| fail(&format!("temp dir: {e}")));
        let phone = testing::Phone::create(temp.path(), name).unwrap_or_else(|e| fail(&format!("create {name}: {e}")));
        Self { phone, _temp: temp }
    }

    /// A fresh profile called `name`, encrypted at rest, in a vault of its own ([`kindred_core::Profiles`]) opened by
    /// the passphrase [`Phone::passphrase`]`(name)`. Its `dir` is the vault's folder: a scan covers every file.
    pub fn encrypted(name: &'static str) -> Self {
        let temp = tempfile::tempdir().unwrap_or_else(|e| fail(&format!("temp dir: {e}")));
        let vault = kindred_core::Profiles::new(temp.path()).unwrap_or_else(|e| fail(&format!("vault: {e}")));
        let kindred = vault
            .create(&Self::passphrase(name), name, Some("Profile"))
            .unwrap_or_else(|e| fail(&format!("create {name}: {e}")));
        let phone = testing::Phone { name, dir: temp.path().to_owned(), kindred };
        Self { phone, _temp: temp }
    }

    /// Closes the profile and hands back its data directory, which lives as long as the returned guard.
    pub fn close(self) -> tempfile::TempDir {
        drop(self.phone);
        self._temp
    }

    /// The passphrase of an [`Phone::encrypted`] phone called `name`.
    pub fn passphrase(name: &str) -> kindred_core::Secret {
        kindred_core::Secret::Passphrase(format!("passphrase of {name}"))
    }

    /// Closes and reopens the profile, as an app restart would.
    pub fn restart(&mut self) {
        let name = self.name;
        self.phone.reopen().unwrap_or_else(|e| fail(&format!("reopen {name}: {e}")));
    }

    /// A second phone opened from a copy of this one's data directory, as a backup restored onto another phone
    /// would be: same member key, same Automerge actor. Writing on both forks the actor's history (equivocation).
    pub fn restored_copy(&self, name: &'static str) -> Self {
        let temp = tempfile::tempdir().unwrap_or_else(|e| fail(&format!("temp dir: {e}")));
        let entries = std::fs::read_dir(&self.dir).unwrap_or_else(|e| fail(&format!("listing {}: {e}", self.name)));
        for entry in entries.flatten() {
            if entry.path().is_file() {
                std::fs::copy(entry.path(), temp.path().join(entry.file_name()))
                    .unwrap_or_else(|e| fail(&format!("copying {}: {e}", entry.path().display())));
            }
        }
        let phone = testing::Phone::open(temp.path(), name)
            .unwrap_or_else(|e| fail(&format!("open the copy of {}: {e}", self.name)));
        Self { phone, _temp: temp }
    }

    /// Posts `text`; fails the test on failure.
    pub fn say(&self, group: &GroupId, text: &str) {
        self.phone.say(group, text).unwrap_or_else(|e| fail(&format!("{} posting: {e}", self.name)));
    }

    /// Every message this phone shows, oldest first, as "author: text".
    pub fn timeline(&self, group: &GroupId) -> Vec<String> {
        self.phone.timeline(group).unwrap_or_else(|e| fail(&format!("{} reading: {e}", self.name)))
    }
}

/// One message as every phone must show it (nothing phone-specific such as `is_mine`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageView {
    pub id: MessageId,
    pub author: MemberId,
    pub author_name: String,
    pub created_at: i64,
    pub text: String,
    pub reply_to: Option<MessageId>,
    pub content_warning: Option<String>,
    pub edited_at: Option<i64>,
    pub removed: bool,
    /// (emoji, count), sorted.
    pub reactions: Vec<(String, u32)>,
    /// The moderator who hid it, if one did. A hidden message's text and content warning are left empty here
    /// whoever reads (its author and the moderators see them), so views compare across phones.
    pub hidden_by: Option<MemberId>,
}

/// One shared goal as every phone must show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalView {
    pub id: GoalId,
    pub owner: MemberId,
    pub title: String,
    pub cadence: (u32, String),
    pub status: String,
    pub total_logged: u32,
}

/// Everything a group shows on one phone, in a form that must be identical on every phone holding the same data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupView {
    pub name: String,
    pub description: String,
    pub guidelines: String,
    /// (member, name, role), sorted by member.
    pub members: Vec<(MemberId, String, Role)>,
    /// The whole timeline, oldest first.
    pub messages: Vec<MessageView>,
    /// Shared goals, sorted by id.
    pub goals: Vec<GoalView>,
}

impl Phone {
    /// The whole of `group` as this phone shows it (every page of the timeline).
    pub fn view(&self, group: &GroupId) -> GroupView {
        let k = &self.kindred;
        let details = k.group(group).unwrap_or_else(|e| fail(&format!("{} group: {e}", self.name)));
        let mut members: Vec<_> =
            details.members.iter().map(|m| (m.member_id, m.display_name.clone(), m.role)).collect();
        members.sort_by_key(|m| m.0);
        let mut messages: Vec<MessageView> = Vec::new();
        let mut before = None;
        loop {
            let page = k.messages(group, 500, before).unwrap_or_else(|e| fail(&format!("{} messages: {e}", self.name)));
            let full = page.len() == 500;
            before = page.first().map(|m| m.cursor());
            let mut views: Vec<MessageView> = page
                .into_iter()
                .map(|m| {
                    let mut reactions: Vec<(String, u32)> =
                        m.reactions.into_iter().map(|r| (r.emoji, r.count)).collect();
                    reactions.sort();
                    let hidden_by = m.moderation.map(|note| note.by);
                    MessageView {
                        id: m.id,
                        author: m.author,
                        author_name: m.author_name,
                        created_at: m.created_at,
                        text: if hidden_by.is_some() { String::new() } else { m.text },
                        reply_to: m.reply_to,
                        content_warning: m.content_warning.filter(|_| hidden_by.is_none()),
                        edited_at: m.edited_at,
                        removed: m.removed,
                        reactions,
                        hidden_by,
                    }
                })
                .collect();
            views.append(&mut messages);
            messages = views;
            if !full {
                break;
            }
        }
        let mut goals: Vec<GoalView> = k
            .goals(true, Some(group))
            .unwrap_or_else(|e| fail(&format!("{} goals: {e}", self.name)))
            .into_iter()
            .map(|g| GoalView {
                id: g.id,
                owner: g.owner,
                title: g.title,
                cadence: (g.cadence.times, g.cadence.period.to_string()),
                status: g.status.to_string(),
                total_logged: g.total_logged,
            })
            .collect();
        goals.sort_by_key(|g| g.id);
        GroupView {
            name: details.name,
            description: details.description,
            guidelines: details.guidelines,
            members,
            messages,
            goals,
        }
    }

    /// The texts of the whole timeline as "author: text" (removed messages as "`removed`").
    pub fn texts(&self, group: &GroupId) -> Vec<String> {
        self.view(group)
            .messages
            .into_iter()
            .map(|m| format!("{}: {}", m.author_name, if m.removed { "[removed]" } else { m.text.as_str() }))
            .collect()
    }

    /// Every change this phone stores for `group`, per document (read back from a bundle it exports): proof of what
    /// was stored, hidden or not.
    pub fn holdings(&self, group: &GroupId) -> BTreeMap<[u8; 16], BTreeSet<[u8; 32]>> {
        let bytes = self.kindred.export_bundle(group).unwrap_or_else(|e| fail(&format!("{} export: {e}", self.name)));
        forge::unseal(&bytes)
            .documents
            .iter()
            .map(|d| (d.place.doc, forge::load(d).get_changes(&[]).iter().map(|c| c.hash().0).collect()))
            .collect()
    }
}

/// Imports `file` into `victim` and insists it is refused as peer data of the `kind` expected, with nothing stored
/// or shown.
#[track_caller]
pub fn assert_refused(victim: &Phone, group: &GroupId, file: &[u8], kind: kindred_core::Refusal, what: &str) {
    let held = victim.holdings(group);
    let shown = victim.view(group);
    let result = victim.kindred.import_bundle(file);
    if !matches!(&result, Err(e) if e.refusal() == Some(kind)) {
        fail(&format!("{what}: expected a refusal ({kind}), got {result:?}"));
    }
    if victim.holdings(group) != held {
        fail(&format!("{what}: something refused was stored"));
    }
    if victim.view(group) != shown {
        fail(&format!("{what}: something refused was shown"));
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
