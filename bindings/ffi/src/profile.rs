//! `KindredProfile`: the object an app holds. Every method forwards to `kindred_core::Kindred`, converting ids,
//! records and errors; work that touches the disk is `async` and runs off the caller's thread.

use std::sync::{Arc, RwLock};

use kindred_core as core;

use crate::error::{KindredError, guard, off_thread, parse_id};
use crate::listeners::{Forward, SubscriptionHandle, UpdateListener};
use crate::sync::{BundleImport, PendingJoin, SyncSession};
use crate::types::*;

/// An opened profile. Create or open one, keep it for the app's lifetime, `close()` it on sign-out.
#[derive(Debug, uniffi::Object)]
pub struct KindredProfile {
    core: RwLock<Option<Arc<core::Kindred>>>,
}

impl KindredProfile {
    fn wrap(core: core::Kindred) -> Arc<Self> {
        Arc::new(Self { core: RwLock::new(Some(Arc::new(core))) })
    }

    fn core(&self) -> Result<Arc<core::Kindred>, KindredError> {
        self.core.read().unwrap_or_else(|p| p.into_inner()).clone().ok_or(KindredError::Closed)
    }

    /// Runs `f` against the core on a worker thread.
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&core::Kindred) -> Result<T, KindredError> + Send + 'static,
    ) -> Result<T, KindredError> {
        let core = self.core()?;
        off_thread(move || f(&core)).await
    }
}

#[uniffi::export]
impl KindredProfile {
    /// Creates a new profile (member key, install identity, database) in `data_dir`.
    #[uniffi::constructor]
    pub async fn create(data_dir: String, display_name: String) -> Result<Arc<Self>, KindredError> {
        off_thread(move || Ok(Self::wrap(core::Kindred::create(&data_dir, &display_name)?))).await
    }

    /// Opens the profile in `data_dir`.
    #[uniffi::constructor]
    pub async fn open(data_dir: String) -> Result<Arc<Self>, KindredError> {
        off_thread(move || Ok(Self::wrap(core::Kindred::open(&data_dir)?))).await
    }

    /// Closes the profile. Later calls fail with `Closed`; open it again to continue.
    pub fn close(&self) {
        self.core.write().unwrap_or_else(|p| p.into_inner()).take();
    }

    /// This profile's public identity.
    pub fn info(&self) -> Result<ProfileInfo, KindredError> {
        guard(|| Ok(self.core()?.profile().into()))
    }

    pub async fn set_display_name(&self, name: String) -> Result<(), KindredError> {
        self.run(move |k| Ok(k.set_display_name(&name)?)).await
    }

    /// Registers a listener for every change. Keep the handle; closing it unregisters.
    pub fn subscribe(&self, listener: Arc<dyn UpdateListener>) -> Result<Arc<SubscriptionHandle>, KindredError> {
        guard(|| Ok(SubscriptionHandle::new(self.core()?.subscribe(Arc::new(Forward { listener, only_group: None })))))
    }

    /// Registers a listener for one group's changes (messages, members, its shared goals, read marker).
    pub fn subscribe_group(
        &self,
        group_id: String,
        listener: Arc<dyn UpdateListener>,
    ) -> Result<Arc<SubscriptionHandle>, KindredError> {
        guard(|| {
            let only_group = Some(parse_id(&group_id)?);
            Ok(SubscriptionHandle::new(self.core()?.subscribe(Arc::new(Forward { listener, only_group }))))
        })
    }

    // Groups

    pub async fn create_group(&self, group: NewGroup) -> Result<GroupDetails, KindredError> {
        self.run(move |k| {
            let new = core::NewGroup { name: group.name, description: group.description, guidelines: group.guidelines };
            Ok(k.create_group(new)?.into())
        })
        .await
    }

    pub async fn groups(&self) -> Result<Vec<GroupSummary>, KindredError> {
        self.run(|k| Ok(k.groups()?.into_iter().map(Into::into).collect())).await
    }

    pub async fn group(&self, group_id: String) -> Result<GroupDetails, KindredError> {
        self.run(move |k| Ok(k.group(&parse_id(&group_id)?)?.into())).await
    }

    /// Finds a group by id or exact name.
    pub async fn resolve_group(&self, id_or_name: String) -> Result<String, KindredError> {
        self.run(move |k| Ok(k.resolve_group(&id_or_name)?.to_hex())).await
    }

    pub async fn add_member(
        &self,
        group_id: String,
        member_id: String,
        display_name: String,
        role: Role,
    ) -> Result<GroupDetails, KindredError> {
        self.run(move |k| {
            Ok(k.add_member(&parse_id(&group_id)?, &parse_id(&member_id)?, &display_name, role.into())?.into())
        })
        .await
    }

    pub async fn mark_read(&self, group_id: String) -> Result<(), KindredError> {
        self.run(move |k| Ok(k.mark_read(&parse_id(&group_id)?)?)).await
    }

    pub async fn unread_count(&self, group_id: String) -> Result<u64, KindredError> {
        self.run(move |k| Ok(k.unread_count(&parse_id(&group_id)?)?)).await
    }

    // Messages

    pub async fn post(&self, group_id: String, message: NewMessage) -> Result<Message, KindredError> {
        self.run(move |k| {
            let new = core::NewMessage {
                text: message.text,
                reply_to: message.reply_to.as_deref().map(parse_id).transpose()?,
                content_warning: message.content_warning,
            };
            Ok(k.post(&parse_id(&group_id)?, new)?.into())
        })
        .await
    }

    pub async fn edit_message(
        &self,
        group_id: String,
        message_id: String,
        text: String,
    ) -> Result<Message, KindredError> {
        self.run(move |k| Ok(k.edit_message(&parse_id(&group_id)?, &parse_id(&message_id)?, &text)?.into())).await
    }

    pub async fn remove_message(&self, group_id: String, message_id: String) -> Result<Message, KindredError> {
        self.run(move |k| Ok(k.remove_message(&parse_id(&group_id)?, &parse_id(&message_id)?)?.into())).await
    }

    /// Sets this profile's reaction; `None` takes it back.
    pub async fn react(
        &self,
        group_id: String,
        message_id: String,
        emoji: Option<String>,
    ) -> Result<Message, KindredError> {
        self.run(move |k| Ok(k.react(&parse_id(&group_id)?, &parse_id(&message_id)?, emoji.as_deref())?.into())).await
    }

    /// Up to `limit` messages, oldest first: the newest, or those just older than `before`.
    pub async fn messages(
        &self,
        group_id: String,
        limit: u32,
        before: Option<MessageCursor>,
    ) -> Result<Vec<Message>, KindredError> {
        self.run(move |k| {
            let before = before
                .map(|c| Ok::<_, KindredError>(core::MessageCursor { created_at: c.created_at, id: parse_id(&c.id)? }))
                .transpose()?;
            Ok(k.messages(&parse_id(&group_id)?, limit, before)?.into_iter().map(Into::into).collect())
        })
        .await
    }

    pub async fn message(&self, group_id: String, message_id: String) -> Result<Message, KindredError> {
        self.run(move |k| Ok(k.message(&parse_id(&group_id)?, &parse_id(&message_id)?)?.into())).await
    }

    // Goals

    pub async fn create_goal(&self, goal: NewGoal) -> Result<Goal, KindredError> {
        self.run(move |k| {
            let share_with = goal.share_with.as_deref().map(parse_id).transpose()?;
            Ok(k.create_goal(core::NewGoal { title: goal.title, cadence: goal.cadence.into(), share_with })?.into())
        })
        .await
    }

    pub async fn log_progress(
        &self,
        goal_id: String,
        amount: u32,
        note: Option<String>,
        at: Option<i64>,
    ) -> Result<ProgressEntry, KindredError> {
        self.run(move |k| Ok(k.log_progress(&parse_id(&goal_id)?, amount, note.as_deref(), at)?.into())).await
    }

    pub async fn set_goal_status(&self, goal_id: String, status: GoalStatus) -> Result<Goal, KindredError> {
        self.run(move |k| Ok(k.set_goal_status(&parse_id(&goal_id)?, status.into())?.into())).await
    }

    pub async fn goals(&self, include_archived: bool, group_id: Option<String>) -> Result<Vec<Goal>, KindredError> {
        self.run(move |k| {
            let group = group_id.as_deref().map(parse_id).transpose()?;
            Ok(k.goals(include_archived, group.as_ref())?.into_iter().map(Into::into).collect())
        })
        .await
    }

    pub async fn goal(&self, goal_id: String) -> Result<Goal, KindredError> {
        self.run(move |k| Ok(k.goal(&parse_id(&goal_id)?)?.into())).await
    }

    pub async fn goal_progress(
        &self,
        goal_id: String,
        since: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ProgressEntry>, KindredError> {
        self.run(move |k| {
            Ok(k.goal_progress(&parse_id(&goal_id)?, since, limit)?.into_iter().map(Into::into).collect())
        })
        .await
    }

    // Check-ins

    pub async fn record_checkin(&self, checkin: NewCheckin) -> Result<Checkin, KindredError> {
        self.run(move |k| {
            let new = core::NewCheckin {
                mood: checkin.mood,
                energy: checkin.energy,
                sleep_hours: checkin.sleep_hours,
                tags: checkin.tags,
                note: checkin.note,
                at: checkin.at,
            };
            Ok(k.record_checkin(new)?.into())
        })
        .await
    }

    pub async fn checkins(&self, since: i64, until: i64) -> Result<Vec<Checkin>, KindredError> {
        self.run(move |k| Ok(k.checkins(since, until)?.into_iter().map(Into::into).collect())).await
    }

    pub async fn recent_checkins(&self, days: u32) -> Result<Vec<Checkin>, KindredError> {
        self.run(move |k| Ok(k.recent_checkins(days)?.into_iter().map(Into::into).collect())).await
    }

    /// Daily and weekly averages over the last `days` calendar days, today included.
    pub async fn recent_checkin_summary(&self, days: u32) -> Result<CheckinSummary, KindredError> {
        self.run(move |k| Ok(k.recent_checkin_summary(days)?.into())).await
    }

    pub async fn checkin_summary(&self, since: i64, until: i64) -> Result<CheckinSummary, KindredError> {
        self.run(move |k| Ok(k.checkin_summary(since, until)?.into())).await
    }

    // Membership and sync

    /// Creates a single-use invitation to a group, valid for `valid_for_ms` (at most 30 days): text for a QR code.
    pub async fn create_invite(&self, group_id: String, valid_for_ms: i64) -> Result<String, KindredError> {
        self.run(move |k| Ok(k.create_invite(&parse_id(&group_id)?, valid_for_ms)?)).await
    }

    /// Accepts an invitation; the group arrives at the first sync with one of its members.
    pub async fn join_group(&self, code: String) -> Result<PendingJoin, KindredError> {
        self.run(move |k| Ok(k.join_group(&code)?.into())).await
    }

    pub async fn pending_joins(&self) -> Result<Vec<PendingJoin>, KindredError> {
        self.run(|k| Ok(k.pending_joins()?.into_iter().map(Into::into).collect())).await
    }

    pub async fn remove_member(&self, group_id: String, member_id: String) -> Result<GroupDetails, KindredError> {
        self.run(move |k| Ok(k.remove_member(&parse_id(&group_id)?, &parse_id(&member_id)?)?.into())).await
    }

    /// A signed bundle of everything this profile holds of a group, to carry as a file.
    pub async fn export_bundle(&self, group_id: String) -> Result<Vec<u8>, KindredError> {
        self.run(move |k| Ok(k.export_bundle(&parse_id(&group_id)?)?)).await
    }

    /// Imports a bundle file; importing twice or out of order is harmless.
    pub async fn import_bundle(&self, bytes: Vec<u8>) -> Result<BundleImport, KindredError> {
        self.run(move |k| Ok(k.import_bundle(&bytes)?.into())).await
    }

    /// Starts a sync session as the side that dialled. Pass the peer's member id when it is known (anyone from a
    /// shared group): the handshake is then shorter, and fails unless the other side holds that key.
    pub fn connect_sync(&self, peer: Option<String>, max_frame: Option<u32>) -> Result<Arc<SyncSession>, KindredError> {
        guard(|| {
            let core = self.core()?;
            let session = core.connect_sync(crate::sync::peer(peer)?, crate::sync::options(max_frame))?;
            Ok(SyncSession::wrap(core, session))
        })
    }

    /// Starts a sync session as the side that was dialled.
    pub async fn accept_sync(&self, max_frame: Option<u32>) -> Result<Arc<SyncSession>, KindredError> {
        let core = self.core()?;
        off_thread(move || {
            let session = core.accept_sync(crate::sync::options(max_frame))?;
            Ok(SyncSession::wrap(core, session))
        })
        .await
    }

    /// Runs SQLite's full consistency check; damage is `CorruptDatabase`.
    pub async fn check_integrity(&self) -> Result<(), KindredError> {
        self.run(|k| Ok(k.check_integrity()?)).await
    }
}
