//! Reports that never reveal the reporter, and warnings only their member reads.
//!
//! A member reports a message or a member with a reason and an optional note; the report, signed by them, is queued
//! to be sealed to each of the group's current moderators (at most [`MAX_REPORT_RECIPIENTS`], the owner first) and
//! leaves in the reporter's next items ([`crate::sealed`]): nothing an ordinary member's phone receives, stores or
//! relays tells a report from cover, or whose it is. A moderator's phone that opens one checks the signature and that
//! the reporter and the group are what the seal says, keeps it (at most [`MAX_OPEN_REPORTS_PER_MEMBER`] open reports
//! per reporter, so a flood from one member costs nobody else's), and when [`DEFAULT_REPORT_THRESHOLD`] (or the
//! group's setting) distinct members whose reports it does not mute have reported one message, signs a hide pending
//! review, which every phone checks as any other hide. Moderators see who reported what, how many of a reporter's
//! reports were dismissed, and may mute a reporter's reports on their own phone.
//!
//! A warning is a moderation log entry (who warned whom, when) whose words are sealed to the member alone.

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};
use crate::ids::{GroupId, MemberId, MessageId, ReportId};
use crate::kindred::{Kindred, WriteCtx};
use crate::model::{ModerationEntry, ModerationKind, Report, ReportReason, Role, Warning};
use crate::posting::PostingRules;
use crate::storage::groups::{self as store, GroupRef};
use crate::storage::{messages as message_store, moderation as log_store, sealed as sealed_store};
use crate::text;
use crate::time::now_ms;

/// Longest note on a report, and longest warning, in characters (a sealed item has room for this much).
pub const MAX_REPORT_NOTE_CHARS: usize = 120;
/// Moderators a report is sealed to: the owner first, then moderators in the order they were made.
pub const MAX_REPORT_RECIPIENTS: usize = 3;
/// Distinct members' reports of one message that hide it pending review, unless the group sets otherwise.
pub const DEFAULT_REPORT_THRESHOLD: u32 = 3;
/// Open reports a moderator's phone keeps per reporter; more from them are dropped (others' are not).
pub const MAX_OPEN_REPORTS_PER_MEMBER: u32 = 20;
/// Sealed payloads a phone queues per group before they have left in its items (a report takes one for each
/// moderator it goes to, a warning one).
pub const MAX_QUEUED: u32 = 12;

const KIND_REPORT: u8 = 1;
const KIND_WARNING: u8 = 2;
const SIGNED: &[u8] = b"kindred/sealed-payload/v1";

/// What a sealed item holds, signed by its author.
#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    kind: u8,
    id: [u8; 16],
    group: [u8; 16],
    from: [u8; 32],
    at: i64,
    message: Option<[u8; 16]>,
    member: [u8; 32],
    reason: String,
    text: String,
}

fn encode(ctx: &WriteCtx<'_, '_>, payload: &Payload) -> Result<Vec<u8>> {
    let mut bytes = postcard::to_stdvec(payload).map_err(|e| Error::internal(format!("encoding a payload: {e}")))?;
    let signature = ctx.identity.sign(&[SIGNED, &bytes].concat());
    bytes.extend_from_slice(&signature);
    Ok(bytes)
}

/// Checks and reads an opened item's payload: `None` unless it is well formed, signed by the member it names, and of
/// `group`.
fn decode(group: &GroupId, plaintext: &[u8]) -> Option<Payload> {
    let split = plaintext.len().checked_sub(64)?;
    let (bytes, signature) = plaintext.split_at(split);
    let payload: Payload = postcard::from_bytes(bytes).ok()?;
    let key = ed25519_dalek::VerifyingKey::from_bytes(&payload.from).ok()?;
    let signature = ed25519_dalek::Signature::from_slice(signature).ok()?;
    key.verify_strict(&[SIGNED, bytes].concat(), &signature).ok()?;
    (payload.group == *group.as_bytes()).then_some(payload)
}

impl Kindred {
    /// Reports a message to the group's moderators, with a reason and an optional note (at most
    /// [`MAX_REPORT_NOTE_CHARS`]). Only the moderators whose phones open it learn who reported and what; it leaves
    /// with this phone's next sealed items (within [`crate::sealed::SLOT_MS`]) and reaches them through any member.
    pub fn report_message(
        &self,
        group: &GroupId,
        message: &MessageId,
        reason: ReportReason,
        note: &str,
    ) -> Result<ReportId> {
        self.report(group, Some(message), None, reason, note)
    }

    /// Reports a member to the group's moderators (as [`Kindred::report_message`]).
    pub fn report_member(
        &self,
        group: &GroupId,
        member: &MemberId,
        reason: ReportReason,
        note: &str,
    ) -> Result<ReportId> {
        self.report(group, None, Some(member), reason, note)
    }

    fn report(
        &self,
        group: &GroupId,
        message: Option<&MessageId>,
        member: Option<&MemberId>,
        reason: ReportReason,
        note: &str,
    ) -> Result<ReportId> {
        let note = text::optional_multi_line("note", Some(note), MAX_REPORT_NOTE_CHARS)?.unwrap_or_default();
        self.write(|ctx| {
            let group_ref = store::require(ctx.tx, group)?;
            let member = match (message, member) {
                (Some(message), _) => {
                    message_store::author_and_segment(ctx.tx, group_ref, message)?
                        .ok_or_else(|| Error::not_found("message", message))?
                        .0
                }
                (None, Some(member)) if store::role_of(ctx.tx, group_ref, member)?.is_some() => *member,
                (None, Some(member)) => return Err(Error::not_found("member", member)),
                (None, None) => return Err(Error::invalid("report", "names a message or a member")),
            };
            queue_report(ctx, group, group_ref, message, &member, reason, note)
        })
    }

    /// The reports this phone opened in a group, newest first (owners and moderators only).
    pub fn reports(&self, group: &GroupId) -> Result<Vec<Report>> {
        self.read(|tx, me| {
            let group_ref = store::require(tx, group)?;
            if !store::moderates(tx, group_ref, me)? {
                return Err(Error::not_permitted("only owners and moderators read reports"));
            }
            sealed_store::reports(tx, group_ref)
        })
    }

    /// Marks a report dismissed (found false, or dealt with): it no longer counts toward hiding a message, and counts
    /// against its reporter in [`Report::reporter_dismissed`]. Owners and moderators only.
    pub fn dismiss_report(&self, group: &GroupId, report: &ReportId) -> Result<()> {
        self.write(|ctx| {
            let group_ref = moderated(ctx, group)?;
            if !sealed_store::dismiss(ctx.tx, group_ref, report)? {
                return Err(Error::not_found("report", report));
            }
            Ok(())
        })
    }

    /// Mutes (or unmutes) a member's reports on this moderator's phone: they stay listed, marked, and count for
    /// nothing. Nobody is told.
    pub fn mute_reporter(&self, group: &GroupId, member: &MemberId, muted: bool) -> Result<()> {
        self.write(|ctx| {
            let group_ref = moderated(ctx, group)?;
            sealed_store::mute_reporter(ctx.tx, group_ref, member, muted, now_ms())
        })
    }

    /// Sets how many distinct members' reports of one message make a moderator's phone hide it pending review (owners
    /// and moderators; 1 to 50). A policy entry of the group's moderation log, like premoderation.
    pub fn set_report_threshold(&self, group: &GroupId, members: u32) -> Result<ModerationEntry> {
        if !(1..=50).contains(&members) {
            return Err(Error::invalid("threshold", "must be between 1 and 50 members"));
        }
        self.set_policy(group, crate::moderation::PolicyChange { threshold: Some(members), ..Default::default() })
    }

    /// The number of members' reports that hide a message pending review in this group.
    pub fn report_threshold(&self, group: &GroupId) -> Result<u32> {
        self.read(|tx, _| Ok(PostingRules::load(tx, store::require(tx, group)?)?.report_threshold()))
    }

    /// Warns a member (the same rights as suspending them): the moderation log records who warned whom and when;
    /// the words are sealed to the member alone, who reads them in [`Kindred::warnings`].
    pub fn warn_member(&self, group: &GroupId, member: &MemberId, words: &str) -> Result<ModerationEntry> {
        let words = text::multi_line("warning", words, MAX_REPORT_NOTE_CHARS)?;
        self.write(|ctx| {
            let group_ref = store::require(ctx.tx, group)?;
            crate::moderation::acting_on(ctx, group_ref, member, "warn members")?;
            full_outbox(ctx, group_ref)?;
            let id = ReportId::random();
            let payload = Payload {
                kind: KIND_WARNING,
                id: *id.as_bytes(),
                group: *group.as_bytes(),
                from: *ctx.me().as_bytes(),
                at: now_ms(),
                message: None,
                member: *member.as_bytes(),
                reason: String::new(),
                text: words,
            };
            let bytes = encode(ctx, &payload)?;
            sealed_store::outbox_push(ctx.tx, group_ref, member, &bytes, payload.at)?;
            let entry = crate::moderation::entry(
                ctx.me(),
                payload.at,
                ModerationKind::Warn,
                None,
                *member,
                "a warning, sealed to the member".into(),
                Default::default(),
            );
            crate::moderation::write_entries(ctx, group, group_ref, vec![entry])
        })
    }

    /// The warnings moderators sent this profile in a group, newest first (nobody else can read their words).
    pub fn warnings(&self, group: &GroupId) -> Result<Vec<Warning>> {
        self.read(|tx, _| sealed_store::warnings(tx, store::require(tx, group)?))
    }
}

fn moderated(ctx: &WriteCtx<'_, '_>, group: &GroupId) -> Result<GroupRef> {
    let group_ref = store::require(ctx.tx, group)?;
    crate::membership::require_role(ctx, group_ref, &[Role::Owner, Role::Moderator], "handle reports")?;
    Ok(group_ref)
}

fn full_outbox(ctx: &WriteCtx<'_, '_>, group_ref: GroupRef) -> Result<()> {
    if sealed_store::outbox_len(ctx.tx, group_ref)? >= MAX_QUEUED {
        return Err(Error::invalid("report", "too many reports are waiting to leave this phone; try again later"));
    }
    Ok(())
}

fn queue_report(
    ctx: &mut WriteCtx<'_, '_>,
    group: &GroupId,
    group_ref: GroupRef,
    message: Option<&MessageId>,
    member: &MemberId,
    reason: ReportReason,
    note: String,
) -> Result<ReportId> {
    if store::role_of(ctx.tx, group_ref, &ctx.me())?.is_none() {
        return Err(Error::not_permitted("only members report"));
    }
    if *member == ctx.me() {
        return Err(Error::invalid("report", "is about yourself"));
    }
    full_outbox(ctx, group_ref)?;
    let details = store::details(ctx.tx, group_ref)?;
    let recipients: Vec<MemberId> = details
        .members
        .iter()
        .filter(|m| matches!(m.role, Role::Owner | Role::Moderator) && m.member_id != ctx.me())
        .map(|m| m.member_id)
        .take(MAX_REPORT_RECIPIENTS)
        .collect();
    if recipients.is_empty() {
        return Err(Error::invalid("report", "the group has no moderator but you"));
    }
    let id = ReportId::random();
    let payload = Payload {
        kind: KIND_REPORT,
        id: *id.as_bytes(),
        group: *group.as_bytes(),
        from: *ctx.me().as_bytes(),
        at: now_ms(),
        message: message.map(|m| *m.as_bytes()),
        member: *member.as_bytes(),
        reason: reason.as_str().to_owned(),
        text: note,
    };
    let bytes = encode(ctx, &payload)?;
    for recipient in &recipients {
        sealed_store::outbox_push(ctx.tx, group_ref, recipient, &bytes, payload.at)?;
    }
    Ok(id)
}

/// Takes in what this profile opened from a sealed item of `group`: a report (kept if this profile moderates the
/// group and the reporter is a member; a message reported by enough members is hidden pending review) or a warning
/// to this profile from one of the group's moderators. Anything else is dropped without a word.
pub(crate) fn opened(ctx: &mut WriteCtx<'_, '_>, group: &GroupId, group_ref: GroupRef, plaintext: &[u8]) -> Result<()> {
    let Some(payload) = decode(group, plaintext) else { return Ok(()) };
    let from = MemberId::from_bytes(payload.from);
    let member = MemberId::from_bytes(payload.member);
    let me = ctx.me();
    let now = now_ms();
    match payload.kind {
        KIND_REPORT
            if store::moderates(ctx.tx, group_ref, &me)? && store::role_of(ctx.tx, group_ref, &from)?.is_some() =>
        {
            if sealed_store::open_reports_by(ctx.tx, group_ref, &from)? >= MAX_OPEN_REPORTS_PER_MEMBER
                || payload.reason.parse::<ReportReason>().is_err()
            {
                return Ok(());
            }
            let message = payload.message.map(MessageId::from_bytes);
            let report = sealed_store::OpenedReport {
                id: &ReportId::from_bytes(payload.id),
                reporter: &from,
                message: message.as_ref(),
                member: &member,
                reason: &payload.reason,
                note: &payload.text,
                at: payload.at,
            };
            if sealed_store::insert_report(ctx.tx, group_ref, &report, now)?
                && let Some(message) = message
            {
                hide_if_reported_enough(ctx, group, group_ref, &message)?;
            }
        }
        KIND_WARNING if member == me && store::moderates(ctx.tx, group_ref, &from)? => {
            let warning =
                Warning { id: ReportId::from_bytes(payload.id), by: from, text: payload.text, at: payload.at };
            sealed_store::insert_warning(ctx.tx, group_ref, &warning)?;
        }
        _ => {}
    }
    Ok(())
}

/// Signs a hide pending review when enough distinct members (whose reports this moderator does not mute) reported
/// the message, it is not hidden, and this profile may hide it.
fn hide_if_reported_enough(
    ctx: &mut WriteCtx<'_, '_>,
    group: &GroupId,
    group_ref: GroupRef,
    message: &MessageId,
) -> Result<()> {
    let threshold = PostingRules::load(ctx.tx, group_ref)?.report_threshold();
    let reporters = sealed_store::reporters_of(ctx.tx, group_ref, message)?;
    if reporters < threshold || log_store::hidden_message(ctx.tx, group_ref, message)?.is_some() {
        return Ok(());
    }
    let why = format!("Hidden pending review: reported by {reporters} members.");
    match crate::moderation::moderate_message(ctx, group, message, ModerationKind::Hide, why) {
        // Not this moderator's to hide (the owner's or a moderator's message, their own): the report stays listed.
        Ok(_) => Ok(()),
        Err(e)
            if matches!(
                e.kind(),
                ErrorKind::NotPermitted(_) | ErrorKind::InvalidInput { .. } | ErrorKind::NotFound { .. }
            ) =>
        {
            Ok(())
        }
        Err(other) => Err(other),
    }
}
