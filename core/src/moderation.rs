//! Moderation without a server: a group's owner and moderators hide and restore messages, and remove and take back
//! members with a reason, by signed entries in the group's moderation log ([`crate::schema::moderation`]), which every
//! phone checks by the group's rules (the door in `sync::authorize`, the replay in `sync::authority`: a moderator,
//! acting as themselves, on someone junior) and applies identically in any delivery order. The log is never rewritten
//! or erased; moderators read it here.
//!
//! A hidden message keeps its place in the timeline: for the group it shows as hidden, without its words; its author
//! and the moderators still see it, with the reason, and its author gets a kind explanation with crisis services for
//! their region ([`Kindred::hidden_message_help`]), not a bare removal.

use crate::error::{Error, Result};
use crate::ids::{GroupId, MemberId, MessageId, ModerationId};
use crate::kindred::{Kindred, WriteCtx};
use crate::membership::require_role;
use crate::model::{HiddenMessageHelp, ModerationEntry, ModerationKind, Premoderation, Role};
use crate::posting::{PREMOD_ALWAYS, PREMOD_OFF, PostingRules};
use crate::read_model;
use crate::schema::moderation::{
    MAX_MODERATION_REASON_CHARS, MAX_PREMOD_POSTS, MAX_RATE_POSTS, ModerationDetails, StoredModeration,
};
use crate::storage::{documents, groups as store, messages as message_store, moderation as log_store};
use crate::text;
use crate::time::now_ms;

/// Most log entries [`Kindred::moderation_log`] returns at once.
pub const MAX_LOG_PAGE: u32 = 500;

/// What the author of a hidden message reads first (apps translate it by meaning).
const HIDDEN_EXPLANATION: &str = "A moderator of this group has hidden one of your messages, so others in the group \
     no longer see it; you still do. This is not a judgement of you. If you are going through a hard time, the \
     services below can help, and you can talk to a moderator about it.";

impl Kindred {
    /// Hides a message from the group (owners and moderators; a moderator only a plain member's message, nobody the
    /// owner's or their own), with a reason its author will read. The hide is an entry of the group's moderation log
    /// and reaches every member with the next sync. Fails with `NotPermitted` for anyone else, `NotFound` for a
    /// message this phone does not hold, `InvalidInput` for a blank or overlong reason or a message already hidden.
    pub fn hide_message(&self, group: &GroupId, message: &MessageId, why: &str) -> Result<ModerationEntry> {
        self.moderate(group, message, ModerationKind::Hide, why)
    }

    /// Shows a hidden message again, with a reason (the same rights as [`Kindred::hide_message`]).
    pub fn restore_message(&self, group: &GroupId, message: &MessageId, why: &str) -> Result<ModerationEntry> {
        self.moderate(group, message, ModerationKind::Restore, why)
    }

    fn moderate(
        &self,
        group: &GroupId,
        message: &MessageId,
        kind: ModerationKind,
        why: &str,
    ) -> Result<ModerationEntry> {
        let why = text::multi_line("reason", why, MAX_MODERATION_REASON_CHARS)?;
        self.write(|ctx| moderate_message(ctx, group, message, kind, why))
    }

    /// Erases a message's words from every phone running Kindred that receives the entry (the rights of
    /// [`Kindred::hide_message`]): for what must not stay anywhere, such as self-harm instructions or someone's
    /// address. The moderation log records who, when and why, never the words; a placeholder stays. A moderator
    /// demoted or removed concurrently loses the erasure on every phone (strong removal): the words then come back
    /// from any phone that still holds them. `InvalidInput` for a message already erased.
    pub fn erase_message_for(&self, group: &GroupId, message: &MessageId, why: &str) -> Result<ModerationEntry> {
        let why = text::multi_line("reason", why, MAX_MODERATION_REASON_CHARS)?;
        self.write(|ctx| {
            let group_ref = store::require(ctx.tx, group)?;
            let member = moderatable(ctx, group_ref, message)?;
            if PostingRules::load(ctx.tx, group_ref)?.erases(message, &member) {
                return Err(Error::invalid("message", "is already erased"));
            }
            let entry =
                entry(ctx.me(), now_ms(), ModerationKind::Erase, Some(*message), member, why, Default::default());
            write_entries(ctx, group, group_ref, vec![entry])
        })
    }

    /// Removes a member (the same rights as [`Kindred::remove_member`]) and records it, with a reason, in the
    /// group's moderation log, in one change.
    pub fn remove_member_for(&self, group: &GroupId, member: &MemberId, why: &str) -> Result<ModerationEntry> {
        let why = text::multi_line("reason", why, MAX_MODERATION_REASON_CHARS)?;
        self.write(|ctx| {
            let removal = crate::membership::removal_of(ctx, group, member)?;
            let entry = entry(ctx.me(), removal.at, ModerationKind::Remove, None, *member, why, Default::default());
            let doc_id = group.doc_id();
            documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc_id, None, entry.at, |d| {
                crate::schema::group::write_removal(d, &doc_id, member, &removal)?;
                crate::schema::moderation::write_action(d, &doc_id, &entry)
            })?;
            let group_ref = store::require(ctx.tx, group)?;
            logged(ctx, group, group_ref, &entry.id)
        })
    }

    /// Takes a removed member back as a plain member (owners; moderators only someone removed as a plain member) and
    /// records it, with a reason, in the group's moderation log, in one change.
    pub fn readd_member(&self, group: &GroupId, member: &MemberId, why: &str) -> Result<ModerationEntry> {
        let why = text::multi_line("reason", why, MAX_MODERATION_REASON_CHARS)?;
        self.write(|ctx| {
            let group_ref = store::require(ctx.tx, group)?;
            let role = require_role(ctx, group_ref, &[Role::Owner, Role::Moderator], "take members back")?;
            if !store::standing(ctx.tx, group_ref, member)?.is_some_and(|s| s.removed) {
                return Err(Error::invalid("member", "is not a removed member of the group"));
            }
            if role == Role::Moderator && store::removed_role(ctx.tx, group_ref, member)? != Some(Role::Member) {
                return Err(Error::not_permitted("moderators take back plain members only"));
            }
            let entry = entry(ctx.me(), now_ms(), ModerationKind::Readd, None, *member, why, Default::default());
            let doc_id = group.doc_id();
            documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc_id, None, entry.at, |d| {
                crate::schema::group::write_restore(d, &doc_id, member, entry.at, &entry.by)?;
                crate::schema::moderation::write_action(d, &doc_id, &entry)
            })?;
            logged(ctx, group, group_ref, &entry.id)
        })
    }

    /// The group's moderation log, newest first (at most `limit`, up to [`MAX_LOG_PAGE`]): who did what, to which
    /// message, when and why. Owners and moderators only (`NotPermitted` for anyone else).
    pub fn moderation_log(&self, group: &GroupId, limit: u32) -> Result<Vec<ModerationEntry>> {
        if limit == 0 || limit > MAX_LOG_PAGE {
            return Err(Error::invalid("limit", format!("must be between 1 and {MAX_LOG_PAGE}")));
        }
        self.read(|tx, me| {
            let group_ref = store::require(tx, group)?;
            if !store::moderates(tx, group_ref, me)? {
                return Err(Error::not_permitted("only owners and moderators read the moderation log"));
            }
            log_store::log(tx, group_ref, limit)
        })
    }

    /// For the author of a hidden message: a kind explanation, the moderator's reason and crisis services for the
    /// person's region. `NotFound` unless the message is hidden; `NotPermitted` for anyone but its author and the
    /// group's moderators.
    pub fn hidden_message_help(&self, group: &GroupId, message: &MessageId) -> Result<HiddenMessageHelp> {
        let (why, at) = self.read(|tx, me| {
            let group_ref = store::require(tx, group)?;
            let (member, _, at, why) = log_store::hidden_message(tx, group_ref, message)?
                .ok_or_else(|| Error::not_found("hidden message", message))?;
            if member != *me && !store::moderates(tx, group_ref, me)? {
                return Err(Error::not_permitted("only its author and the moderators read why a message is hidden"));
            }
            Ok((why, at))
        })?;
        let region = self.region()?;
        Ok(HiddenMessageHelp {
            explanation: HIDDEN_EXPLANATION.to_owned(),
            why,
            at,
            resources: self.crisis_resources(region.as_deref(), None)?,
        })
    }
}

/// Longest suspension for a period, in days.
pub const MAX_SUSPENSION_DAYS: u32 = 365;

const DAY_MS: i64 = 24 * 3600 * 1000;

/// The reason a moderator's phone gives when it lifts a suspension whose period is over.
const PERIOD_OVER: &str = "the suspension's period is over";

impl Kindred {
    /// Suspends a member's posting (the same rights as hiding their messages): what they post from now on shows
    /// nowhere, on any phone, until the suspension is lifted, by a moderator ([`Kindred::lift_suspension`]) or, when
    /// `days` is given, by the first moderator's phone whose clock passes its end ([`Kindred::maintain`]). Posts
    /// written during the suspension stay without effect even after it. `InvalidInput` if they are suspended already.
    pub fn suspend_member(
        &self,
        group: &GroupId,
        member: &MemberId,
        days: Option<u32>,
        why: &str,
    ) -> Result<ModerationEntry> {
        let why = text::multi_line("reason", why, MAX_MODERATION_REASON_CHARS)?;
        if days.is_some_and(|d| d == 0 || d > MAX_SUSPENSION_DAYS) {
            return Err(Error::invalid("days", format!("must be between 1 and {MAX_SUSPENSION_DAYS}")));
        }
        self.write(|ctx| {
            let group_ref = store::require(ctx.tx, group)?;
            acting_on(ctx, group_ref, member, "suspend members")?;
            let rules = PostingRules::load(ctx.tx, group_ref)?;
            if !rules.unlifted_suspensions(member).is_empty() {
                return Err(Error::invalid("member", "is suspended already"));
            }
            let at = now_ms();
            let details = ModerationDetails {
                cutoff: Some(crate::membership::segments_cutoff(ctx, group, Some(member))?),
                until: days.map(|d| at + i64::from(d) * DAY_MS),
                ..Default::default()
            };
            let entry = entry(ctx.me(), at, ModerationKind::Suspend, None, *member, why, details);
            write_entries(ctx, group, group_ref, vec![entry])
        })
    }

    /// Lifts a member's suspension (the same rights as suspending them): their posts from now on count again.
    /// `InvalidInput` if they are not suspended.
    pub fn lift_suspension(&self, group: &GroupId, member: &MemberId, why: &str) -> Result<ModerationEntry> {
        let why = text::multi_line("reason", why, MAX_MODERATION_REASON_CHARS)?;
        self.write(|ctx| {
            let group_ref = store::require(ctx.tx, group)?;
            acting_on(ctx, group_ref, member, "lift suspensions")?;
            let lifts = lifts_of(ctx, group_ref, member, &why)?;
            if lifts.is_empty() {
                return Err(Error::invalid("member", "is not suspended"));
            }
            write_entries(ctx, group, group_ref, lifts)
        })
    }

    /// Approves a message waiting for approval in a premoderated group (owners and moderators): the group sees it.
    /// `InvalidInput` if it is not waiting.
    pub fn approve_message(&self, group: &GroupId, message: &MessageId) -> Result<ModerationEntry> {
        self.write(|ctx| {
            let group_ref = store::require(ctx.tx, group)?;
            require_role(ctx, group_ref, &[Role::Owner, Role::Moderator], "approve messages")?;
            let member = message_store::pending_author(ctx.tx, group_ref, message)?
                .ok_or_else(|| Error::invalid("message", "is not waiting for approval"))?;
            let entry = entry(
                ctx.me(),
                now_ms(),
                ModerationKind::Approve,
                Some(*message),
                member,
                "approved".into(),
                Default::default(),
            );
            write_entries(ctx, group, group_ref, vec![entry])
        })
    }

    /// Sets the group's rules (owners and moderators): a new version, which every member accepts before posting
    /// again ([`Kindred::accept_rules`]); setting them accepts them. Empty text clears the rules (nobody is asked
    /// anything). `InvalidInput` for text over [`MAX_GUIDELINES_CHARS`](crate::limits::MAX_GUIDELINES_CHARS) or
    /// the rules in effect unchanged.
    pub fn set_rules(&self, group: &GroupId, rules: &str) -> Result<crate::model::GroupRules> {
        let text =
            text::optional_multi_line("rules", Some(rules), crate::groups::MAX_GUIDELINES_CHARS)?.unwrap_or_default();
        self.write(|ctx| {
            let group_ref = store::require(ctx.tx, group)?;
            require_role(ctx, group_ref, &[Role::Owner, Role::Moderator], "set the group's rules")?;
            let current = PostingRules::load(ctx.tx, group_ref)?.current_rules().and_then(|r| r.details.text.clone());
            if current.unwrap_or_default() == text {
                return Err(Error::invalid("rules", "are the rules in effect already"));
            }
            let details = ModerationDetails {
                cutoff: Some(crate::membership::segments_cutoff(ctx, group, None)?),
                text: Some(text.clone()),
                ..Default::default()
            };
            let e = entry(ctx.me(), now_ms(), ModerationKind::Rules, None, ctx.me(), "new rules".into(), details);
            let doc_id = group.doc_id();
            documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc_id, None, e.at, |d| {
                crate::schema::group::write_guidelines(d, &doc_id, &text)?;
                crate::schema::moderation::write_action(d, &doc_id, &e)
            })?;
            logged(ctx, group, group_ref, &e.id).map(|_| ())
        })?;
        self.rules(group)
    }

    /// Sets whose posts wait for a moderator's approval (owners and moderators). Members in the group now are not
    /// newcomers and are never premoderated; nor are owners and moderators.
    pub fn set_premoderation(&self, group: &GroupId, premoderation: Premoderation) -> Result<ModerationEntry> {
        self.set_policy(group, PolicyChange { premoderation: Some(premoderation), ..Default::default() })
    }

    /// Sets the group's causal rate limit (owners and moderators): at most `posts` posts by a plain member between
    /// two messages by others (1 to 100), counted in causal steps, never by clock; `None` turns it off. Every phone
    /// checks it from signed data alone (`crate::posting`).
    pub fn set_rate_limit(&self, group: &GroupId, posts: Option<u32>) -> Result<ModerationEntry> {
        if posts.is_some_and(|n| !(1..=MAX_RATE_POSTS).contains(&n)) {
            return Err(Error::invalid("posts", format!("must be between 1 and {MAX_RATE_POSTS}")));
        }
        self.set_policy(group, PolicyChange { rate: Some(posts.unwrap_or(0)), ..Default::default() })
    }

    /// The group's causal rate limit: how many posts a plain member may make between two messages by others.
    pub fn rate_limit(&self, group: &GroupId) -> Result<Option<u32>> {
        self.read(|tx, _| Ok(PostingRules::load(tx, store::require(tx, group)?)?.rate_limit().map(|(n, _)| n)))
    }

    /// Writes the group's moderation settings as one policy entry: what `change` sets, and the rest as it stands. A
    /// new premoderation setting or rate limit takes a new cutoff of its own (what was posted before is not judged
    /// by it), and premoderation the members now in the group as exempt.
    pub(crate) fn set_policy(&self, group: &GroupId, change: PolicyChange) -> Result<ModerationEntry> {
        let premod = match change.premoderation {
            None => None,
            Some(Premoderation::Off) => Some(PREMOD_OFF),
            Some(Premoderation::Always) => Some(PREMOD_ALWAYS),
            Some(Premoderation::UntilApproved { posts }) if (1..=MAX_PREMOD_POSTS).contains(&posts) => {
                Some(i64::from(posts))
            }
            Some(Premoderation::UntilApproved { .. }) => {
                return Err(Error::invalid("posts", format!("must be between 1 and {MAX_PREMOD_POSTS}")));
            }
        };
        self.write(|ctx| {
            let group_ref = store::require(ctx.tx, group)?;
            require_role(ctx, group_ref, &[Role::Owner, Role::Moderator], "change the group's moderation settings")?;
            let rules = PostingRules::load(ctx.tx, group_ref)?;
            let mut details = rules.policy().map(|p| p.details.clone()).unwrap_or_default();
            if change.rate.is_some() {
                details.rate_cutoff = Some(crate::membership::segments_cutoff(ctx, group, None)?);
            }
            if let Some(premod) = premod {
                details.cutoff = Some(crate::membership::segments_cutoff(ctx, group, None)?);
                let standings = store::standings(ctx.tx, group_ref)?;
                details.exempt = standings.iter().filter(|(_, s)| !s.removed).map(|(m, _)| *m.as_bytes()).collect();
                details.premod = Some(premod);
            }
            details.premod = details.premod.or(Some(PREMOD_OFF));
            details.cutoff = details.cutoff.or_else(|| Some(Default::default()));
            details.threshold = Some(i64::from(change.threshold.unwrap_or_else(|| rules.report_threshold())));
            details.rate = change.rate.map(i64::from).or(details.rate);
            let rate = match details.rate {
                Some(n) if n > 0 => format!("at most {n} posts between two messages by others"),
                _ => "none".into(),
            };
            let why = format!(
                "premoderation: {}; reports that hide a message: {}; rate limit: {rate}",
                premoderation_name(change.premoderation.unwrap_or_else(|| rules.premoderation_setting())),
                details.threshold.unwrap_or_default()
            );
            let e = entry(ctx.me(), now_ms(), ModerationKind::Policy, None, ctx.me(), why, details);
            write_entries(ctx, group, group_ref, vec![e])
        })
    }

    /// The group's premoderation setting in effect.
    pub fn premoderation(&self, group: &GroupId) -> Result<Premoderation> {
        self.read(|tx, _| Ok(PostingRules::load(tx, store::require(tx, group)?)?.premoderation_setting()))
    }

    /// Lifts, as this profile, every suspension whose period is over by this phone's clock in the groups it
    /// moderates (the clock that counts is the lifting moderator's, so a member's own clock never ends their
    /// suspension). [`Kindred::maintain`] calls it; returns how many it lifted.
    pub fn lift_due_suspensions(&self) -> Result<u32> {
        self.write(|ctx| {
            let mut lifted = 0;
            for (group, group_ref) in store::all_groups(ctx.tx)? {
                if !store::moderates(ctx.tx, group_ref, &ctx.me())? {
                    continue;
                }
                let rules = PostingRules::load(ctx.tx, group_ref)?;
                let (me, now) = (ctx.me(), now_ms());
                let owner = store::role_of(ctx.tx, group_ref, &me)? == Some(Role::Owner);
                let mut due = Vec::new();
                for suspension in rules.due_lifts(now) {
                    // Only on someone junior: a moderator lifts plain members' suspensions.
                    let role = store::role_of(ctx.tx, group_ref, &suspension.member)?;
                    if suspension.member != me && (role == Some(Role::Member) || (owner && role.is_some())) {
                        due.push(lift_of(me, now, suspension, PERIOD_OVER));
                    }
                }
                if !due.is_empty() {
                    lifted += due.len() as u32;
                    write_entries(ctx, &group, group_ref, due)?;
                }
            }
            Ok(lifted)
        })
    }
}

/// What one policy entry changes; what it leaves `None` stays as it is.
#[derive(Debug, Default)]
pub(crate) struct PolicyChange {
    pub premoderation: Option<Premoderation>,
    pub threshold: Option<u32>,
    /// Posts allowed between two messages by others; 0 turns the limit off.
    pub rate: Option<u32>,
}

fn premoderation_name(p: Premoderation) -> String {
    match p {
        Premoderation::Off => "off".into(),
        Premoderation::Always => "always".into(),
        Premoderation::UntilApproved { posts } => format!("until {posts} approved posts"),
    }
}

pub(crate) fn entry(
    by: MemberId,
    at: i64,
    kind: ModerationKind,
    message: Option<MessageId>,
    member: MemberId,
    why: String,
    details: ModerationDetails,
) -> StoredModeration {
    StoredModeration { id: ModerationId::random(), by, at, kind, message, member, why, details }
}

fn lift_of(by: MemberId, at: i64, suspension: &StoredModeration, why: &str) -> StoredModeration {
    let details = ModerationDetails { of: Some(*suspension.id.as_bytes()), ..Default::default() };
    entry(by, at, ModerationKind::Lift, None, suspension.member, why.to_owned(), details)
}

/// Lifts of every suspension of `member` that nothing has lifted yet.
fn lifts_of(ctx: &WriteCtx<'_, '_>, group_ref: i64, member: &MemberId, why: &str) -> Result<Vec<StoredModeration>> {
    let rules = PostingRules::load(ctx.tx, group_ref)?;
    let now = now_ms();
    Ok(rules.unlifted_suspensions(member).into_iter().map(|s| lift_of(ctx.me(), now, s, why)).collect())
}

/// Checks that this profile may act on `member` (a moderator on plain members, the owner on anyone but
/// themselves), who is an active member.
pub(crate) fn acting_on(ctx: &WriteCtx<'_, '_>, group_ref: i64, member: &MemberId, what: &str) -> Result<()> {
    let role = require_role(ctx, group_ref, &[Role::Owner, Role::Moderator], what)?;
    if *member == ctx.me() {
        return Err(Error::not_permitted("nobody moderates themselves"));
    }
    match (role, store::role_of(ctx.tx, group_ref, member)?) {
        (_, None) => Err(Error::not_found("member", member)),
        (_, Some(Role::Owner)) => Err(Error::not_permitted("nobody acts against the group's owner")),
        (Role::Moderator, Some(Role::Moderator)) => Err(Error::not_permitted("moderators act on plain members only")),
        _ => Ok(()),
    }
}

/// Writes entries into the group's log, as one change, and returns the last as the log shows it.
pub(crate) fn write_entries(
    ctx: &mut WriteCtx<'_, '_>,
    group: &GroupId,
    group_ref: i64,
    entries: Vec<StoredModeration>,
) -> Result<ModerationEntry> {
    let doc_id = group.doc_id();
    let at = entries.iter().map(|e| e.at).max().unwrap_or_else(now_ms);
    documents::change_local(ctx.tx, ctx.cache, ctx.identity, &doc_id, None, at, |d| {
        entries.iter().try_for_each(|e| crate::schema::moderation::write_action(d, &doc_id, e))
    })?;
    let last = entries.last().map(|e| e.id).ok_or_else(|| Error::internal("no moderation entry to write"))?;
    logged(ctx, group, group_ref, &last)
}

/// The author of a message this profile may moderate (see [`Kindred::hide_message`]).
fn moderatable(ctx: &WriteCtx<'_, '_>, group_ref: i64, message: &MessageId) -> Result<MemberId> {
    let role = require_role(ctx, group_ref, &[Role::Owner, Role::Moderator], "moderate messages")?;
    let (member, _, _) = message_store::author_and_segment(ctx.tx, group_ref, message)?
        .ok_or_else(|| Error::not_found("message", message))?;
    let target_role = store::role_of(ctx.tx, group_ref, &member)?;
    if member == ctx.me() || target_role == Some(Role::Owner) {
        return Err(Error::not_permitted("nobody moderates their own or the owner's messages"));
    }
    if role == Role::Moderator && target_role != Some(Role::Member) {
        return Err(Error::not_permitted("moderators moderate plain members' messages only"));
    }
    Ok(member)
}

/// Hides or restores a message as this profile, if its rights allow (see [`Kindred::hide_message`]).
pub(crate) fn moderate_message(
    ctx: &mut WriteCtx<'_, '_>,
    group: &GroupId,
    message: &MessageId,
    kind: ModerationKind,
    why: String,
) -> Result<ModerationEntry> {
    let group_ref = store::require(ctx.tx, group)?;
    let member = moderatable(ctx, group_ref, message)?;
    let hidden = log_store::hidden_message(ctx.tx, group_ref, message)?.is_some();
    if hidden == (kind == ModerationKind::Hide) {
        let state = if hidden { "already hidden" } else { "not hidden" };
        return Err(Error::invalid("message", format!("is {state}")));
    }
    let entry = entry(ctx.me(), now_ms(), kind, Some(*message), member, why, Default::default());
    write_entries(ctx, group, group_ref, vec![entry])
}

/// Re-reads the group after a moderation change and returns its entry `id` from the log.
fn logged(ctx: &mut WriteCtx<'_, '_>, group: &GroupId, group_ref: i64, id: &ModerationId) -> Result<ModerationEntry> {
    read_model::refresh_group(ctx, group)?;
    log_store::log(ctx.tx, group_ref, MAX_LOG_PAGE)?
        .into_iter()
        .find(|e| e.id == *id)
        .ok_or_else(|| Error::internal("a moderation entry without effect"))
}
