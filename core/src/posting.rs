//! Which posts count: a group's rules, suspensions and premoderation, judged from signed data alone, identically on
//! every phone.
//!
//! A member's posts live in their own segments, whose changes depend only on each other, while the moderation log
//! lives in the group document. Two things join them, neither of which the author can fake:
//!
//! - **Cutoffs.** A suspension, a rules version and a premoderation setting each record what the moderator's phone
//!   had seen of the members' segments when it was made (as a removal does). A post within the cutoff came before
//!   the entry and is judged as if the entry did not exist.
//! - **Acknowledgments.** Past the cutoff, a post counts only if its author's segment acknowledges the right entry
//!   in the post's causal past (`a<entry>` keys, [`crate::schema::segment`]): the rules version in effect (or a
//!   later one), a lift of each suspension, and for premoderation "until N approved posts" the N-th approval. An
//!   entry's id is random, so no one acknowledges it before it exists: a post that rests on an acknowledgment was
//!   written after the entry, whatever dependencies and timestamps its author chose.
//!
//! So a post written during a suspension and sent later is refused even after the lifting, a post written before the
//! rules were accepted stays refused after they are, and a newcomer's post waits for approval unless it rests on
//! their N-th approval. A post written concurrently with an entry (its author had not seen it yet) is judged by it
//! too: moderation is strong, like removal. (One thing is not caught: an edit made during a suspension, of a post
//! from before it, comes back once a later change by the lifted member rests on it.)
//!
//! **Causal rate limits.** A group's setting can allow a plain member at most N posts between two messages by
//! others, counted in causal steps rather than time: in a group with a limit, each post names the newest message by
//! someone else its author's phone held (`seen`, written by the post itself and never after), and of one member's
//! posts that name the same message (or none) only the first N, in message id order, count. A name counts only for a
//! message this phone holds by someone else (a post naming one not here yet waits for it), and ids are random, so no
//! one names a message before it exists. So a member cannot post past the limit by choosing dependencies or
//! timestamps; what they can do is name an older message they had not used yet, which gives N posts per message by
//! others in all (the limit bounds a member's posts by the others' activity; a member offline for a while can always
//! claim to have posted between messages they saw: causal order cannot tell that from the truth).
//!
//! Owners and moderators are never premoderated or rate limited; rules and suspensions apply to whoever the log
//! names.

use automerge::{ActorId, Automerge, ChangeHash};
use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::ids::{DocId, GroupId, MemberId, MessageId, ModerationId};
use crate::kindred::Kindred;
use crate::model::{GroupRules, ModerationKind, PostingStatus, Premoderation};
use crate::schema::moderation::StoredModeration;
use crate::schema::segment;
use crate::schema::segment::StoredMessage;
use crate::storage::groups::{self as store, GroupRef};
use crate::storage::messages as message_store;
use crate::storage::moderation as log_store;

/// Premoderation setting values in the log's `premod` field.
pub(crate) const PREMOD_OFF: i64 = -1;
pub(crate) const PREMOD_ALWAYS: i64 = 0;

/// What one post amounts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effect {
    /// Shown to the group.
    Shown,
    /// Shown only to its author and the moderators until a moderator approves it.
    Pending,
    /// Without effect: shown nowhere.
    Refused,
}

/// A group's entries that decide which posts count, in the log's order.
#[derive(Debug, Default)]
pub(crate) struct PostingRules {
    entries: Vec<StoredModeration>,
}

impl PostingRules {
    /// The group's entries as the read model holds them.
    pub(crate) fn load(conn: &Connection, group_ref: GroupRef) -> Result<Self> {
        Ok(Self { entries: log_store::posting_entries(conn, group_ref)? })
    }

    fn of_kind(&self, kind: ModerationKind) -> impl Iterator<Item = (usize, &StoredModeration)> {
        self.entries.iter().enumerate().filter(move |(_, e)| e.kind == kind)
    }

    /// The rules version in effect (the last in the log's order), unless it cleared the rules (empty text).
    pub(crate) fn current_rules(&self) -> Option<&StoredModeration> {
        self.of_kind(ModerationKind::Rules).last().map(|(_, e)| e).filter(|e| !rules_text(e).is_empty())
    }

    /// The group's moderation settings in effect (the last policy entry).
    pub(crate) fn policy(&self) -> Option<&StoredModeration> {
        self.of_kind(ModerationKind::Policy).last().map(|(_, e)| e)
    }

    /// The premoderation setting in effect: `None` when off.
    fn premoderation(&self) -> Option<&StoredModeration> {
        self.policy().filter(|e| e.details.premod.is_some_and(|p| p != PREMOD_OFF))
    }

    /// The causal rate limit in effect: how many posts a plain member may make between two messages by others, and
    /// the setting's entry.
    pub(crate) fn rate_limit(&self) -> Option<(u32, &StoredModeration)> {
        let policy = self.policy()?;
        let posts = policy.details.rate.filter(|n| *n > 0)?;
        Some((u32::try_from(posts).ok()?, policy))
    }

    /// Whether a moderator's erasure (an `erase` entry with effect) names `message` as `author`'s: an erasure holds
    /// only for a message by the member it names, whom its rights were checked against (`crate::bodies`).
    pub(crate) fn erases(&self, message: &MessageId, author: &MemberId) -> bool {
        self.of_kind(ModerationKind::Erase).any(|(_, e)| e.message.as_ref() == Some(message) && e.member == *author)
    }

    /// How many distinct members' reports hide a message pending review.
    pub(crate) fn report_threshold(&self) -> u32 {
        self.policy()
            .and_then(|p| p.details.threshold)
            .and_then(|t| u32::try_from(t).ok())
            .unwrap_or(crate::reports::DEFAULT_REPORT_THRESHOLD)
    }

    /// The suspensions of `member`, each with its lifts.
    fn suspensions_of<'a>(
        &'a self,
        member: &'a MemberId,
    ) -> impl Iterator<Item = (&'a StoredModeration, Vec<&'a StoredModeration>)> + 'a {
        self.of_kind(ModerationKind::Suspend).filter(move |(_, s)| s.member == *member).map(move |(_, s)| {
            let lifts = self
                .of_kind(ModerationKind::Lift)
                .filter(|(_, l)| l.details.of == Some(*s.id.as_bytes()))
                .map(|(_, l)| l)
                .collect();
            (s, lifts)
        })
    }

    /// `member`'s approved posts' approvals, in the log's order.
    fn approvals_of<'a>(&'a self, member: &'a MemberId) -> impl Iterator<Item = &'a StoredModeration> + 'a {
        self.of_kind(ModerationKind::Approve).filter(move |(_, a)| a.member == *member).map(|(_, a)| a)
    }

    fn approved(&self, message: &MessageId) -> bool {
        self.of_kind(ModerationKind::Approve).any(|(_, a)| a.message.as_ref() == Some(message))
    }

    /// Whether `member` (whose role exempts them from premoderation when `exempt_role`) has anything to be judged
    /// by: without that, their posts are shown as they are, at no cost.
    pub(crate) fn applies_to(&self, member: &MemberId, exempt_role: bool) -> bool {
        self.current_rules().is_some()
            || self.suspensions_of(member).next().is_some()
            || (!exempt_role && (self.premoderation().is_some() || self.rate_limit().is_some()))
    }

    /// How many posts resting on one message by others the rate limit allows, if it applies to a post by an author
    /// not exempt by role (`exempt_role`): not to posts from before the setting (its cutoff).
    pub(crate) fn rate_for(&self, doc_id: &DocId, exempt_role: bool, actor: &ActorId, seq: u64) -> Option<u32> {
        let (posts, policy) = self.rate_limit().filter(|_| !exempt_role)?;
        let before = policy.details.rate_cutoff.as_ref().is_some_and(|c| c.allows(doc_id, actor.to_bytes(), seq));
        (!before).then_some(posts)
    }

    /// Judges one post: `change` is the change that made it (`actor`, `seq`) in the segment `doc` (`doc_id`) of
    /// `author`, whose current role exempts them from premoderation when `exempt_role`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn judge(
        &self,
        doc: &Automerge,
        doc_id: &DocId,
        author: &MemberId,
        exempt_role: bool,
        message: &MessageId,
        actor: &ActorId,
        seq: u64,
        change: ChangeHash,
    ) -> Effect {
        let before =
            |e: &StoredModeration| e.details.cutoff.as_ref().is_some_and(|c| c.allows(doc_id, actor.to_bytes(), seq));
        let rests_on = |e: &StoredModeration| segment::acknowledged_at(doc, &e.id, change, actor, seq);
        // Each suspension the post is not from before: it must rest on one of its lifts.
        for (suspension, lifts) in self.suspensions_of(author) {
            if !before(suspension) && !lifts.iter().any(|l| rests_on(l)) {
                return Effect::Refused;
            }
        }
        // The last rules version the post is not from before: it must rest on it or a later one.
        let versions: Vec<(usize, &StoredModeration)> = self.of_kind(ModerationKind::Rules).collect();
        if let Some(last) = versions.iter().rposition(|(_, r)| !before(r))
            && versions.last().is_some_and(|(_, r)| !rules_text(r).is_empty())
            && !versions.get(last..).unwrap_or_default().iter().any(|(_, r)| rests_on(r))
        {
            return Effect::Refused;
        }
        let Some(policy) = self.premoderation() else { return Effect::Shown };
        if exempt_role || before(policy) || policy.details.exempt.contains(author.as_bytes()) || self.approved(message)
        {
            return Effect::Shown;
        }
        let needed = usize::try_from(policy.details.premod.unwrap_or(PREMOD_ALWAYS)).unwrap_or(0);
        if needed > 0 && self.approvals_of(author).skip(needed - 1).any(rests_on) {
            return Effect::Shown;
        }
        Effect::Pending
    }

    /// What this profile (`me`, exempt from premoderation when `exempt_role`) needs to post now: the entries its new
    /// post must rest on, or why it may not post. `acknowledges` says whether its segments already acknowledge an
    /// entry.
    pub(crate) fn status(
        &self,
        me: &MemberId,
        exempt_role: bool,
        acknowledges: impl Fn(&ModerationId) -> Result<bool>,
    ) -> Result<(PostingStatus, Vec<ModerationId>)> {
        let mut needs = Vec::new();
        let mut status = PostingStatus {
            may_post: true,
            must_accept_rules: false,
            suspended: false,
            suspended_until: None,
            premoderated: false,
            rate_limited: false,
            rate_limit: self.rate_limit().map(|(posts, _)| posts),
        };
        for (suspension, lifts) in self.suspensions_of(me) {
            match lifts.first() {
                Some(lift) => needs.push(lift.id),
                None => {
                    status.suspended = true;
                    status.suspended_until = suspension.details.until;
                }
            }
        }
        if let Some(rules) = self.current_rules() {
            if acknowledges(&rules.id)? {
                needs.push(rules.id);
            } else {
                status.must_accept_rules = true;
            }
        }
        if let Some(policy) = self.premoderation()
            && !exempt_role
            && !policy.details.exempt.contains(me.as_bytes())
        {
            let needed = usize::try_from(policy.details.premod.unwrap_or(PREMOD_ALWAYS)).unwrap_or(0);
            match self.approvals_of(me).nth(needed.saturating_sub(1)).filter(|_| needed > 0) {
                Some(approval) => needs.push(approval.id),
                None => status.premoderated = true,
            }
        }
        status.may_post = !status.suspended && !status.must_accept_rules;
        Ok((status, needs))
    }

    /// The suspensions of `member` that nothing has lifted yet.
    pub(crate) fn unlifted_suspensions<'a>(&'a self, member: &'a MemberId) -> Vec<&'a StoredModeration> {
        self.suspensions_of(member).filter(|(_, lifts)| lifts.is_empty()).map(|(s, _)| s).collect()
    }

    /// The premoderation setting in effect.
    pub(crate) fn premoderation_setting(&self) -> Premoderation {
        match self.premoderation().and_then(|p| p.details.premod) {
            None | Some(PREMOD_OFF) => Premoderation::Off,
            Some(PREMOD_ALWAYS) => Premoderation::Always,
            Some(n) => Premoderation::UntilApproved { posts: u32::try_from(n).unwrap_or(u32::MAX) },
        }
    }

    /// The suspensions whose period is over by `now` (this phone's clock) and that nothing has lifted yet.
    pub(crate) fn due_lifts(&self, now: i64) -> Vec<&StoredModeration> {
        let lifted: Vec<[u8; 16]> = self.of_kind(ModerationKind::Lift).filter_map(|(_, l)| l.details.of).collect();
        self.of_kind(ModerationKind::Suspend)
            .map(|(_, s)| s)
            .filter(|s| s.details.until.is_some_and(|until| until <= now) && !lifted.contains(s.id.as_bytes()))
            .collect()
    }
}

fn rules_text(e: &StoredModeration) -> &str {
    e.details.text.as_deref().unwrap_or("").trim()
}

/// What a new post by this profile needs, besides its words.
pub(crate) struct PostingNeeds {
    /// Whether it may post now, and if not why.
    pub status: PostingStatus,
    /// The log entries the post must rest on.
    pub acknowledgments: Vec<ModerationId>,
    /// Under a rate limit, the newest message by someone else this phone holds, which the post names.
    pub seen: Option<MessageId>,
}

/// What `me` needs to post in a group now, from the read model: the entries a new post must rest on, or why it may
/// not post. Setting a rules version accepts it.
pub(crate) fn status_of(conn: &Connection, group_ref: GroupRef, me: &MemberId) -> Result<PostingNeeds> {
    let rules = PostingRules::load(conn, group_ref)?;
    let exempt_role = crate::storage::groups::moderates(conn, group_ref, me)?;
    let (mut status, acknowledgments) = rules.status(me, exempt_role, |entry| {
        let set_by_me = rules.current_rules().is_some_and(|r| r.id == *entry && r.by == *me);
        Ok(set_by_me || log_store::acknowledges(conn, group_ref, me, entry)?)
    })?;
    let mut seen = None;
    if let Some((posts, _)) = rules.rate_limit().filter(|_| !exempt_role) {
        seen = message_store::latest_by_others(conn, group_ref, me)?;
        status.rate_limited = message_store::count_resting(conn, group_ref, me, seen.as_ref())? >= u64::from(posts);
        status.may_post &= !status.rate_limited;
    }
    Ok(PostingNeeds { status, acknowledgments, seen })
}

/// Whether what a post (`m`, by `author`) names as seen can count under a rate limit: nothing, or a message held
/// here by someone else (a post naming one not held yet waits for it).
pub(crate) fn names_held_message(
    conn: &Connection,
    group_ref: GroupRef,
    author: &MemberId,
    m: &StoredMessage,
) -> Result<bool> {
    match &m.seen {
        Some(seen) => message_store::is_by_other(conn, group_ref, seen, author),
        None => Ok(true),
    }
}

impl Kindred {
    /// The group's rules in effect, and whether this profile has accepted them.
    pub fn rules(&self, group: &GroupId) -> Result<GroupRules> {
        self.read(|tx, me| {
            let group_ref = store::require(tx, group)?;
            let rules = PostingRules::load(tx, group_ref)?;
            let status = status_of(tx, group_ref, me)?.status;
            Ok(match rules.current_rules() {
                Some(r) => GroupRules {
                    version: Some(r.id),
                    text: rules_text(r).to_owned(),
                    set_by: Some(r.by),
                    set_at: r.at,
                    accepted: !status.must_accept_rules,
                },
                None => GroupRules { version: None, text: String::new(), set_by: None, set_at: 0, accepted: true },
            })
        })
    }

    /// Accepts the group's rules in effect, as a signed change every member's phone checks: posts need it. Fails
    /// with `InvalidInput` when the group has no rules; accepting again does nothing.
    pub fn accept_rules(&self, group: &GroupId) -> Result<GroupRules> {
        self.write(|ctx| {
            let group_ref = store::require(ctx.tx, group)?;
            if store::role_of(ctx.tx, group_ref, &ctx.me())?.is_none() {
                return Err(Error::not_permitted("only members accept a group's rules"));
            }
            let rules = PostingRules::load(ctx.tx, group_ref)?;
            let version = rules.current_rules().map(|r| r.id).ok_or_else(|| Error::invalid("group", "has no rules"))?;
            if !log_store::acknowledges(ctx.tx, group_ref, &ctx.me(), &version)? {
                crate::messages::acknowledge(ctx, group_ref, group, &[version])?;
            }
            Ok(())
        })?;
        self.rules(group)
    }

    /// Whether this profile may post in the group now, and if not why: rules to accept, a suspension; and whether
    /// its posts wait for a moderator's approval.
    pub fn posting_status(&self, group: &GroupId) -> Result<PostingStatus> {
        self.read(|tx, me| status_of(tx, store::require(tx, group)?, me).map(|needs| needs.status))
    }
}
