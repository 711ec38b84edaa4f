//! `KindredGroup`: one group of an opened profile, the object a conversation screen holds. Everything scoped to one
//! group (its messages, members, invitations, shared goals, live updates and bundle) is a method here, so the app
//! passes the group once instead of its id to every call. It forwards to the profile's core, and fails with `Closed`
//! once the profile is closed. The records and enums it returns are the core's own.

use std::sync::Arc;

use kindred_core as core;

use crate::error::{KindredError, guard, parse_id};
use crate::listeners::{Forward, SubscriptionHandle, UpdateListener};
use crate::profile::KindredProfile;
use crate::types::{MessageCursor, ModerationAction, NewMessage, ReportHandling};
use core::crisis::DirectoryImport;
use core::sharing::ShareAs;
use core::{
    Goal, GroupDetails, GroupGoal, GroupRules, HiddenMessageHelp, Message, ModerationEntry, PostingStatus,
    Premoderation, Report, ReportId, ReportReason, Role, Warning,
};

/// A group this profile belongs to. Get one from `KindredProfile.create_group` or `KindredProfile.group`.
#[derive(Debug, uniffi::Object)]
pub struct KindredGroup {
    profile: Arc<KindredProfile>,
    id: core::GroupId,
}

impl KindredGroup {
    pub(crate) fn wrap(profile: Arc<KindredProfile>, id: core::GroupId) -> Arc<Self> {
        Arc::new(Self { profile, id })
    }

    /// Runs `f` against the core and this group's id.
    fn run<T>(
        &self,
        f: impl FnOnce(&core::Kindred, &core::GroupId) -> Result<T, KindredError>,
    ) -> Result<T, KindredError> {
        let id = self.id;
        self.profile.run(move |k| f(k, &id))
    }
}

#[uniffi::export]
impl KindredGroup {
    /// The group's id (hex), stable across devices: store it to find the group again with `KindredProfile.group`.
    pub fn id(&self) -> core::GroupId {
        self.id
    }

    /// Name, description, guidelines, members and roles, as this phone knows them now.
    pub fn details(&self) -> Result<GroupDetails, KindredError> {
        self.run(|k, g| Ok(k.group(g)?))
    }

    /// Registers a listener for this group's changes (messages, members, its shared goals, read marker), including
    /// those that arrive by sync. Keep the handle; closing it unregisters.
    pub fn subscribe(&self, listener: Arc<dyn UpdateListener>) -> Result<Arc<SubscriptionHandle>, KindredError> {
        guard(|| {
            let forward = Forward { listener, only_group: Some(self.id) };
            Ok(SubscriptionHandle::new(self.profile.core()?.subscribe(Arc::new(forward))))
        })
    }

    // Messages

    pub fn post(&self, message: NewMessage) -> Result<Message, KindredError> {
        self.run(move |k, g| Ok(k.post(g, message.parse()?)?))
    }

    /// Changes the text of one of this profile's own messages.
    pub fn edit_message(&self, message_id: String, text: String) -> Result<Message, KindredError> {
        self.run(move |k, g| Ok(k.edit_message(g, &parse_id(&message_id)?, &text)?))
    }

    /// Erases one of this profile's own messages: its words leave this phone now, and every phone running Kindred
    /// that receives the erasure; a placeholder stays. (A modified app may have kept a copy.)
    pub fn erase_message(&self, message_id: String) -> Result<Message, KindredError> {
        self.run(move |k, g| Ok(k.erase_message(g, &parse_id(&message_id)?)?))
    }

    /// Sets this profile's reaction; `None` takes it back.
    pub fn react(&self, message_id: String, emoji: Option<String>) -> Result<Message, KindredError> {
        self.run(move |k, g| Ok(k.react(g, &parse_id(&message_id)?, emoji.as_deref())?))
    }

    /// Up to `limit` messages, oldest first: the newest, or those just older than `before`.
    pub fn messages(&self, limit: u32, before: Option<MessageCursor>) -> Result<Vec<Message>, KindredError> {
        self.run(move |k, g| Ok(k.messages(g, limit, before.map(MessageCursor::parse).transpose()?)?))
    }

    pub fn message(&self, message_id: String) -> Result<Message, KindredError> {
        self.run(move |k, g| Ok(k.message(g, &parse_id(&message_id)?)?))
    }

    /// Marks everything in the group as read on this phone.
    pub fn mark_read(&self) -> Result<(), KindredError> {
        self.run(|k, g| Ok(k.mark_read(g)?))
    }

    pub fn unread_count(&self) -> Result<u64, KindredError> {
        self.run(|k, g| Ok(k.unread_count(g)?))
    }

    // Goals

    /// Goals shared with this group (this profile's and other members'). Archived ones only with `include_archived`.
    pub fn goals(&self, include_archived: bool) -> Result<Vec<Goal>, KindredError> {
        self.run(move |k, g| Ok(k.goals(include_archived, Some(g))?))
    }

    // Moderation

    /// What owners and moderators do to a message or a member (hide, restore, remove, take back, suspend, lift,
    /// approve), signed into the group's moderation log, which reaches every member with the next sync. One call
    /// for all of them, so each costs the phone library an enum variant rather than a whole exported function; the
    /// Kotlin and Swift layers give each its own name (`hideMessage`, `suspendMember`...).
    pub fn moderate(&self, action: ModerationAction) -> Result<ModerationEntry, KindredError> {
        self.run(move |k, g| {
            Ok(match action {
                ModerationAction::Hide { message_id, why } => k.hide_message(g, &parse_id(&message_id)?, &why)?,
                ModerationAction::Restore { message_id, why } => k.restore_message(g, &parse_id(&message_id)?, &why)?,
                ModerationAction::Erase { message_id, why } => k.erase_message_for(g, &parse_id(&message_id)?, &why)?,
                ModerationAction::Remove { member_id, why } => k.remove_member_for(g, &parse_id(&member_id)?, &why)?,
                ModerationAction::Readd { member_id, why } => k.readd_member(g, &parse_id(&member_id)?, &why)?,
                ModerationAction::Suspend { member_id, days, why } => {
                    k.suspend_member(g, &parse_id(&member_id)?, days, &why)?
                }
                ModerationAction::Lift { member_id, why } => k.lift_suspension(g, &parse_id(&member_id)?, &why)?,
                ModerationAction::Approve { message_id } => k.approve_message(g, &parse_id(&message_id)?)?,
                ModerationAction::Warn { member_id, words } => k.warn_member(g, &parse_id(&member_id)?, &words)?,
                ModerationAction::Premoderate { premoderation } => k.set_premoderation(g, premoderation)?,
                ModerationAction::ReportThreshold { members } => k.set_report_threshold(g, members)?,
                ModerationAction::RateLimit { posts } => k.set_rate_limit(g, (posts > 0).then_some(posts))?,
            })
        })
    }

    /// Reports a message (`message_id`) or a member (`member_id`) to the group's moderators, with a reason and an
    /// optional note (at most 120 characters): sealed to them, it leaves with this phone's next sync, and only they
    /// learn who reported.
    pub fn report(
        &self,
        message_id: Option<String>,
        member_id: Option<String>,
        reason: ReportReason,
        note: String,
    ) -> Result<ReportId, KindredError> {
        self.run(move |k, g| {
            Ok(match (message_id, member_id) {
                (Some(m), None) => k.report_message(g, &parse_id(&m)?, reason, &note)?,
                (None, Some(m)) => k.report_member(g, &parse_id(&m)?, reason, &note)?,
                _ => {
                    let reason = "names a message or a member, not both".to_owned();
                    return Err(core::Error::from(core::ErrorKind::InvalidInput { field: "report", reason }).into());
                }
            })
        })
    }

    /// The reports this phone opened, newest first (owners and moderators only).
    pub fn reports(&self) -> Result<Vec<Report>, KindredError> {
        self.run(|k, g| Ok(k.reports(g)?))
    }

    /// Dismisses a report, or mutes a reporter, on this moderator's phone.
    pub fn handle_report(&self, handling: ReportHandling) -> Result<(), KindredError> {
        self.run(move |k, g| {
            match handling {
                ReportHandling::Dismiss { report_id } => k.dismiss_report(g, &parse_id(&report_id)?)?,
                ReportHandling::MuteReporter { member_id, muted } => {
                    k.mute_reporter(g, &parse_id(&member_id)?, muted)?
                }
            }
            Ok(())
        })
    }

    /// The warnings moderators sent this profile in the group (nobody else reads their words).
    pub fn warnings(&self) -> Result<Vec<Warning>, KindredError> {
        self.run(|k, g| Ok(k.warnings(g)?))
    }

    /// The premoderation setting in effect.
    pub fn premoderation(&self) -> Result<Premoderation, KindredError> {
        self.run(|k, g| Ok(k.premoderation(g)?))
    }

    /// The group's rules in effect and whether this profile accepted them.
    pub fn rules(&self) -> Result<GroupRules, KindredError> {
        self.run(|k, g| Ok(k.rules(g)?))
    }

    /// Sets new rules (owners and moderators), which members accept before posting again; "" clears them.
    pub fn set_rules(&self, rules: String) -> Result<GroupRules, KindredError> {
        self.run(move |k, g| Ok(k.set_rules(g, &rules)?))
    }

    /// Accepts the group's rules in effect (a signed change every phone checks; posting needs it).
    pub fn accept_rules(&self) -> Result<GroupRules, KindredError> {
        self.run(|k, g| Ok(k.accept_rules(g)?))
    }

    /// Whether this profile may post now, and if not why (rules to accept, a suspension); whether its posts wait
    /// for approval.
    pub fn posting_status(&self) -> Result<PostingStatus, KindredError> {
        self.run(|k, g| Ok(k.posting_status(g)?))
    }

    /// The moderation log, newest first, at most `limit` entries (owners and moderators only).
    pub fn moderation_log(&self, limit: u32) -> Result<Vec<ModerationEntry>, KindredError> {
        self.run(move |k, g| Ok(k.moderation_log(g, limit)?))
    }

    /// For the author of a hidden message (or a moderator): a kind explanation, the reason and crisis services.
    pub fn hidden_message_help(&self, message_id: String) -> Result<HiddenMessageHelp, KindredError> {
        self.run(move |k, g| Ok(k.hidden_message_help(g, &parse_id(&message_id)?)?))
    }

    /// Proposes a group goal: members join it with their own private targets (`KindredProfile.join_group_goal`).
    pub fn create_group_goal(&self, title: String) -> Result<GroupGoal, KindredError> {
        self.run(move |k, g| Ok(k.create_group_goal(g, &title)?))
    }

    /// This group's goals, running ones first, each with how many met their own target in each of the last four
    /// weeks (never who).
    pub fn group_goals(&self) -> Result<Vec<GroupGoal>, KindredError> {
        self.run(move |k, g| Ok(k.group_goals(g)?))
    }

    // Membership

    /// Adds a member directly by key (owners and moderators), for someone whose member id is already known.
    pub fn add_member(
        &self,
        member_id: String,
        display_name: String,
        role: Role,
    ) -> Result<GroupDetails, KindredError> {
        self.run(move |k, g| Ok(k.add_member(g, &parse_id(&member_id)?, &display_name, role)?))
    }

    /// Leaves the group (anyone but its owner); with `erase`, everything this profile wrote in it is erased first.
    pub fn leave(&self, erase: bool) -> Result<GroupDetails, KindredError> {
        self.run(move |k, g| Ok(k.leave_group(g, erase)?))
    }

    /// Removes a member (owners and moderators). Their later posts are kept for causality and never shown.
    pub fn remove_member(&self, member_id: String) -> Result<GroupDetails, KindredError> {
        self.run(move |k, g| Ok(k.remove_member(g, &parse_id(&member_id)?)?))
    }

    /// Creates a single-use invitation, valid for `valid_for_ms` (at most 30 days): text for a QR code.
    pub fn create_invite(&self, valid_for_ms: i64) -> Result<String, KindredError> {
        self.run(move |k, g| Ok(k.create_invite(g, valid_for_ms)?))
    }

    // Sharing by choice (the check-in or result itself stays on this phone)

    /// Posts check-in `checkin_id` to the group as just its face or a short summary, with its note only when
    /// `with_note` (tags never).
    pub fn share_checkin(
        &self,
        checkin_id: String,
        share_as: ShareAs,
        with_note: bool,
    ) -> Result<Message, KindredError> {
        self.run(move |k, g| Ok(k.share_checkin(&parse_id(&checkin_id)?, g, share_as, with_note)?))
    }

    /// Posts an instrument result to the group: its title, score and band, never its answers or flags.
    pub fn share_instrument_result(&self, result_id: String) -> Result<Message, KindredError> {
        self.run(move |k, g| Ok(k.share_instrument_result(&parse_id(&result_id)?, g)?))
    }

    // Crisis resource directories

    /// Publishes a signed crisis resource directory file into the group (owners and moderators): it reaches every
    /// member with the next sync or bundle. Its publisher must be the owner or trusted by the owner; at most 48 KiB.
    /// `installed` says whether it is now the publisher's directory in the group.
    pub fn publish_resource_directory(&self, file: Vec<u8>) -> Result<DirectoryImport, KindredError> {
        self.run(move |k, g| Ok(k.publish_resource_directory(g, &file)?))
    }

    /// Marks a publisher's key trusted to publish directories into the group, or no longer (owner only); its
    /// directories stop being used on every phone that learns of it. Returns the group, with `trusted_publishers`.
    pub fn trust_publisher(&self, publisher: String, trusted: bool) -> Result<GroupDetails, KindredError> {
        self.run(move |k, g| {
            k.trust_publisher(g, &parse_id(&publisher)?, trusted)?;
            Ok(k.group(g)?)
        })
    }

    /// A signed bundle of everything this profile holds of the group, to carry as a file.
    pub fn export_bundle(&self) -> Result<Vec<u8>, KindredError> {
        self.run(|k, g| Ok(k.export_bundle(g)?))
    }
}
