//! `KindredProfile`: the object an app holds while someone is signed in. It owns what belongs to the person (identity,
//! groups, goals, check-ins, the safety plan, invitations received, bundles, sync sessions); what belongs to one group is on
//! [`KindredGroup`]. Every method forwards to `kindred_core::Kindred`, parsing the ids apps pass in and converting
//! errors (the records and enums are the core's own). Calls block while they work: the platform layers run them on
//! background threads (see the crate docs).

use std::sync::{Arc, RwLock};

use kindred_core as core;

use crate::error::{KindredError, guard, parse_id};
use crate::group::KindredGroup;
use crate::listeners::{Forward, SubscriptionHandle, UpdateListener};
use crate::sync::SyncSession;
use crate::types::NewGoal;
use core::crisis::{DirectoryImport, DirectorySummary, DraftCheck, ReaderGuidance, ResourceLookup};
use core::instruments::{Instrument, InstrumentOutcome, InstrumentResult};
use core::summary::{ClinicianSummary, SummaryParts};
use core::trends::Trends;
use core::{BundleImport, Checkin, CheckinOptions, CheckinSummary, ChoiceKind, Goal, GoalStatus, GroupSummary};

use core::habit::HabitStrength;
use core::{Cadence, Cheer, GroupGoal, MemberControl, MutedMember, NewCheckin, NewGroup, PendingJoin};
use core::{ProfileInfo, ProgressEntry, SafetyPlan, SafetyPlanItem, SafetyPlanSection, SafetyPlanStep};

/// An opened profile. Create or open one, keep it for the app's lifetime, `close()` it on sign-out.
#[derive(Debug, uniffi::Object)]
pub struct KindredProfile {
    core: RwLock<Option<Arc<core::Kindred>>>,
}

impl KindredProfile {
    pub(crate) fn wrap(core: core::Kindred) -> Arc<Self> {
        Arc::new(Self { core: RwLock::new(Some(Arc::new(core))) })
    }

    pub(crate) fn core(&self) -> Result<Arc<core::Kindred>, KindredError> {
        self.core.read().unwrap_or_else(|p| p.into_inner()).clone().ok_or(KindredError::Closed)
    }

    /// Runs `f` against the core on the caller's thread, a panic becoming [`KindredError::Internal`].
    pub(crate) fn run<T>(&self, f: impl FnOnce(&core::Kindred) -> Result<T, KindredError>) -> Result<T, KindredError> {
        let core = self.core()?;
        guard(move || f(&core))
    }
}

#[uniffi::export]
impl KindredProfile {
    /// Creates a new **unencrypted** profile (member key, install identity, database) in `data_dir`: for tests and
    /// tools. Apps keep profiles encrypted in a `KindredProfiles` vault.
    #[uniffi::constructor]
    pub fn create(data_dir: String, display_name: String) -> Result<Arc<Self>, KindredError> {
        guard(move || Ok(Self::wrap(core::Kindred::create(&data_dir, &display_name)?)))
    }

    /// Opens the unencrypted profile in `data_dir`.
    #[uniffi::constructor]
    pub fn open(data_dir: String) -> Result<Arc<Self>, KindredError> {
        guard(move || Ok(Self::wrap(core::Kindred::open(&data_dir)?)))
    }

    /// Closes the profile. Later calls fail with `Closed`; open it again to continue.
    pub fn close(&self) {
        self.core.write().unwrap_or_else(|p| p.into_inner()).take();
    }

    /// Panic wipe: destroys this profile now (an encrypted one's key first, then its files). Later calls fail.
    pub fn wipe(&self) -> Result<(), KindredError> {
        let core = self.core.write().unwrap_or_else(|p| p.into_inner()).take().ok_or(KindredError::Closed)?;
        guard(move || Ok(core.wipe()?))
    }

    /// Writes everything the person wrote or recorded into the new or empty folder `dir`, as JSON and CSV.
    pub fn export_mine(&self, dir: String) -> Result<core::ExportSummary, KindredError> {
        self.run(move |k| Ok(k.export_mine(&dir)?))
    }

    /// This profile's public identity.
    pub fn info(&self) -> Result<ProfileInfo, KindredError> {
        guard(|| Ok(self.core()?.profile()))
    }

    pub fn set_display_name(&self, name: String) -> Result<(), KindredError> {
        self.run(move |k| Ok(k.set_display_name(&name)?))
    }

    /// Registers a listener for every change (`KindredGroup.subscribe` for one group's). Keep the handle; closing it
    /// unregisters.
    pub fn subscribe(&self, listener: Arc<dyn UpdateListener>) -> Result<Arc<SubscriptionHandle>, KindredError> {
        guard(|| Ok(SubscriptionHandle::new(self.core()?.subscribe(Arc::new(Forward { listener, only_group: None })))))
    }

    // Groups

    /// Creates a group that this profile owns.
    pub fn create_group(self: Arc<Self>, group: NewGroup) -> Result<Arc<KindredGroup>, KindredError> {
        let id = self.run(move |k| Ok(k.create_group(group)?.id))?;
        Ok(KindredGroup::wrap(self, id))
    }

    pub fn groups(&self) -> Result<Vec<GroupSummary>, KindredError> {
        self.run(|k| Ok(k.groups()?))
    }

    /// One of this profile's groups, by id or by exact name (`NotFound`; `Ambiguous` if two groups share the name).
    pub fn group(self: Arc<Self>, id_or_name: String) -> Result<Arc<KindredGroup>, KindredError> {
        let id = self.run(move |k| Ok(k.resolve_group(&id_or_name)?))?;
        Ok(KindredGroup::wrap(self, id))
    }

    // Goals

    pub fn create_goal(&self, goal: NewGoal) -> Result<Goal, KindredError> {
        self.run(move |k| Ok(k.create_goal(goal.parse()?)?))
    }

    pub fn log_progress(
        &self,
        goal_id: String,
        amount: u32,
        note: Option<String>,
        at: Option<i64>,
    ) -> Result<ProgressEntry, KindredError> {
        self.run(move |k| Ok(k.log_progress(&parse_id(&goal_id)?, amount, note.as_deref(), at)?))
    }

    pub fn set_goal_status(&self, goal_id: String, status: GoalStatus) -> Result<Goal, KindredError> {
        self.run(move |k| Ok(k.set_goal_status(&parse_id(&goal_id)?, status)?))
    }

    /// Every goal this profile can see: its own (private and shared) and those others shared in its groups
    /// (`KindredGroup.goals` for one group's). Archived ones only with `include_archived`.
    pub fn goals(&self, include_archived: bool) -> Result<Vec<Goal>, KindredError> {
        self.run(move |k| Ok(k.goals(include_archived, None)?))
    }

    pub fn goal(&self, goal_id: String) -> Result<Goal, KindredError> {
        self.run(move |k| Ok(k.goal(&parse_id(&goal_id)?)?))
    }

    pub fn goal_progress(
        &self,
        goal_id: String,
        since: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ProgressEntry>, KindredError> {
        self.run(move |k| Ok(k.goal_progress(&parse_id(&goal_id)?, since, limit)?))
    }

    /// A goal's habit strength (0-100: grows with each period met, fades with each missed; skipped days and pauses
    /// count for nothing) and its recent periods.
    pub fn goal_strength(&self, goal_id: String) -> Result<HabitStrength, KindredError> {
        self.run(move |k| Ok(k.goal_strength(&parse_id(&goal_id)?)?))
    }

    /// Skips `day` (`YYYY-MM-DD`; today without one) of one's own goal, without penalty; returns the strength now.
    pub fn skip_goal_day(&self, goal_id: String, day: Option<String>) -> Result<HabitStrength, KindredError> {
        self.run(move |k| Ok(k.skip_goal_day(&parse_id(&goal_id)?, day.as_deref())?))
    }

    /// Cheers on another member's shared goal (`NotPermitted` for one's own or a private one); returns its cheers.
    pub fn cheer_goal(&self, goal_id: String) -> Result<Vec<Cheer>, KindredError> {
        self.run(move |k| Ok(k.cheer_goal(&parse_id(&goal_id)?)?))
    }

    /// Who cheered a goal on, newest first.
    pub fn goal_cheers(&self, goal_id: String) -> Result<Vec<Cheer>, KindredError> {
        self.run(move |k| Ok(k.goal_cheers(&parse_id(&goal_id)?)?))
    }

    /// Joins a group goal with one's own target (daily, chosen weekdays or weekly), kept private: returns that goal.
    pub fn join_group_goal(&self, group_goal_id: String, cadence: Cadence) -> Result<Goal, KindredError> {
        self.run(move |k| Ok(k.join_group_goal(&parse_id(&group_goal_id)?, cadence)?))
    }

    /// One group goal, with how many met their own target in each of the last four weeks.
    pub fn group_goal(&self, group_goal_id: String) -> Result<GroupGoal, KindredError> {
        self.run(move |k| Ok(k.group_goal(&parse_id(&group_goal_id)?)?))
    }

    /// Ends a group goal this profile proposed (`NotPermitted` for anyone else's).
    pub fn end_group_goal(&self, group_goal_id: String) -> Result<GroupGoal, KindredError> {
        self.run(move |k| Ok(k.end_group_goal(&parse_id(&group_goal_id)?)?))
    }

    // Personal controls (this phone only)

    /// Mutes, blocks or shows again a member's posts on this phone; nobody is told.
    pub fn set_member_control(&self, member_id: String, control: MemberControl) -> Result<(), KindredError> {
        self.run(move |k| Ok(k.set_member_control(&parse_id(&member_id)?, control)?))
    }

    /// Every member this profile muted or blocked, newest first.
    pub fn muted_members(&self) -> Result<Vec<MutedMember>, KindredError> {
        self.run(|k| Ok(k.muted_members()?))
    }

    /// Mutes (or unmutes) a word: posts holding it are folded. Returns the muted words.
    pub fn mute_word(&self, word: String, muted: bool) -> Result<Vec<String>, KindredError> {
        self.run(move |k| Ok(k.mute_word(&word, muted)?))
    }

    /// The muted words, in order.
    pub fn muted_words(&self) -> Result<Vec<String>, KindredError> {
        self.run(|k| Ok(k.muted_words()?))
    }

    /// Whether posts with a content warning are folded behind a tap (the default) or shown open.
    pub fn set_fold_warnings(&self, fold: bool) -> Result<(), KindredError> {
        self.run(move |k| Ok(k.set_fold_warnings(fold)?))
    }

    /// Whether posts with a content warning are folded.
    pub fn fold_warnings(&self) -> Result<bool, KindredError> {
        self.run(|k| Ok(k.fold_warnings()?))
    }

    // Check-ins

    pub fn record_checkin(&self, checkin: NewCheckin) -> Result<Checkin, KindredError> {
        self.run(move |k| Ok(k.record_checkin(checkin)?))
    }

    /// Replaces what one of the person's check-ins says (its id stays, and its time unless `checkin.at` gives one).
    pub fn edit_checkin(&self, checkin_id: String, checkin: NewCheckin) -> Result<Checkin, KindredError> {
        self.run(move |k| Ok(k.edit_checkin(&parse_id(&checkin_id)?, checkin)?))
    }

    /// Deletes one of the person's check-ins for good.
    pub fn delete_checkin(&self, checkin_id: String) -> Result<(), KindredError> {
        self.run(move |k| Ok(k.delete_checkin(&parse_id(&checkin_id)?)?))
    }

    /// The mood scale (a face and a word per step) and the person's emotion and activity lists.
    pub fn checkin_options(&self) -> Result<CheckinOptions, KindredError> {
        self.run(|k| Ok(k.checkin_options()?))
    }

    /// Makes the person's emotion or activity list `labels`, in their order; returns it as stored.
    pub fn set_checkin_choices(&self, kind: ChoiceKind, labels: Vec<String>) -> Result<Vec<String>, KindredError> {
        self.run(move |k| Ok(k.set_checkin_choices(kind, &labels)?))
    }

    pub fn checkins(&self, since: i64, until: i64) -> Result<Vec<Checkin>, KindredError> {
        self.run(move |k| Ok(k.checkins(since, until)?))
    }

    pub fn recent_checkins(&self, days: u32) -> Result<Vec<Checkin>, KindredError> {
        self.run(move |k| Ok(k.recent_checkins(days)?))
    }

    /// Daily and weekly averages over the last `days` calendar days, today included.
    pub fn recent_checkin_summary(&self, days: u32) -> Result<CheckinSummary, KindredError> {
        self.run(move |k| Ok(k.recent_checkin_summary(days)?))
    }

    pub fn checkin_summary(&self, since: i64, until: i64) -> Result<CheckinSummary, KindredError> {
        self.run(move |k| Ok(k.checkin_summary(since, until)?))
    }

    // Validated instruments (WHO-5, PHQ-9, GAD-7, K10...; results stay on this phone)

    /// The instruments this profile scores, each in `language` when there is a translation (else English).
    pub fn instruments(&self, language: Option<String>) -> Result<Vec<Instrument>, KindredError> {
        guard(|| Ok(self.core()?.instruments(language.as_deref())))
    }

    /// Adds an instrument, or a translation of one (which must score exactly as the original), from a definition in
    /// Kindred's text format (`docs/wellbeing.md`). It lasts while the profile is open. `InvalidInput` names the line.
    pub fn add_instrument(&self, definition: String) -> Result<Instrument, KindredError> {
        guard(|| Ok(self.core()?.add_instrument(&definition)?))
    }

    /// Scores complete answers (one per item, in order) and keeps the result on this phone (at `at`, or now). On a
    /// crisis flag (PHQ-9 item 9 above 0) the outcome carries the safety plan and crisis services to show at once.
    /// Incomplete or unknown answers are `InvalidInput`, never guessed.
    pub fn take_instrument(
        &self,
        id: String,
        answers: Vec<u8>,
        at: Option<i64>,
    ) -> Result<InstrumentOutcome, KindredError> {
        self.run(move |k| Ok(k.take_instrument(&id, &answers, at)?))
    }

    /// The results of instrument `id` taken in `since <= at < until`, oldest first.
    pub fn instrument_history(
        &self,
        id: String,
        since: i64,
        until: i64,
    ) -> Result<Vec<InstrumentResult>, KindredError> {
        self.run(move |k| Ok(k.instrument_history(&id, since, until)?))
    }

    /// Deletes one of the person's results.
    pub fn delete_instrument_result(&self, result_id: String) -> Result<(), KindredError> {
        self.run(move |k| Ok(k.delete_instrument_result(&parse_id(&result_id)?)?))
    }

    /// Trends over the last `days` days: mood by day, week and month, instrument scores and their change against
    /// the baseline, and associations of mood with activities, emotions, tags and sleep (5 days a side at least).
    pub fn trends(&self, days: u32) -> Result<Trends, KindredError> {
        self.run(move |k| Ok(k.trends(days)?))
    }

    /// The clinician's summary with only the parts ticked: a CSV and a one-page printable HTML page (no script, no
    /// network), for the app to save or hand over. Never instrument answers or crisis flags; notes only if ticked.
    pub fn clinician_summary(&self, parts: SummaryParts) -> Result<ClinicianSummary, KindredError> {
        self.run(move |k| Ok(k.clinician_summary(&parts)?))
    }

    // The safety plan (private to this phone: never in a group, a bundle or a sync session)

    /// The whole plan: every step in order, each with its items (possibly none).
    pub fn safety_plan(&self) -> Result<SafetyPlan, KindredError> {
        self.run(|k| Ok(k.safety_plan()?))
    }

    /// Adds an item at the end of `step`; `contact` (a phone number, an address) only on the steps that take one.
    pub fn add_safety_plan_item(
        &self,
        step: SafetyPlanStep,
        text: String,
        contact: Option<String>,
    ) -> Result<SafetyPlanItem, KindredError> {
        self.run(move |k| Ok(k.add_safety_plan_item(step, &text, contact.as_deref())?))
    }

    /// Replaces an item's text and contact (`None` removes the contact); it keeps its step and place.
    pub fn edit_safety_plan_item(
        &self,
        item_id: String,
        text: String,
        contact: Option<String>,
    ) -> Result<SafetyPlanItem, KindredError> {
        self.run(move |k| Ok(k.edit_safety_plan_item(&parse_id(&item_id)?, &text, contact.as_deref())?))
    }

    /// Moves an item within its step to `position` (0 is first) and returns the step as it now is.
    pub fn move_safety_plan_item(&self, item_id: String, position: u32) -> Result<SafetyPlanSection, KindredError> {
        self.run(move |k| Ok(k.move_safety_plan_item(&parse_id(&item_id)?, position)?))
    }

    /// Removes an item and returns it (to offer an undo).
    pub fn remove_safety_plan_item(&self, item_id: String) -> Result<SafetyPlanItem, KindredError> {
        self.run(move |k| Ok(k.remove_safety_plan_item(&parse_id(&item_id)?)?))
    }

    /// Removes every item; returns how many there were.
    pub fn clear_safety_plan(&self) -> Result<u32, KindredError> {
        self.run(|k| Ok(k.clear_safety_plan()?))
    }

    /// The plan as plain text for printing: a title, today's date, every step under its heading; nothing else.
    pub fn export_safety_plan_text(&self) -> Result<String, KindredError> {
        self.run(|k| Ok(k.export_safety_plan_text()?))
    }

    // The on-device crisis check (the text stays on this phone: never stored, logged or sent; nothing is blocked)

    /// Checks a draft before it is posted: whether it shows a sign of risk to self, what matched (phrases of the
    /// lists, never the draft's words) and, when it does and the person's safety plan has an item, the plan to offer.
    /// It never blocks the post. `language` ("en", "es-MX") picks the list; `None` checks every list. A draft longer
    /// than a message can be is `InvalidInput`.
    pub fn check_draft(&self, text: String, language: Option<String>) -> Result<DraftCheck, KindredError> {
        self.run(move |k| Ok(k.check_draft(&text, language.as_deref())?))
    }

    /// Checks a received message for its reader: what matched and, on a sign of risk, guidance on answering
    /// supportively (in `language` when Kindred has it). For the reader's screen only; the author is never flagged.
    pub fn check_received(&self, text: String, language: Option<String>) -> Result<ReaderGuidance, KindredError> {
        self.run(move |k| Ok(k.check_received(&text, language.as_deref())?))
    }

    /// Adds an app's phrase list (the `Lexicon` text format: `language: en`, `[category]`, phrases) to this profile's
    /// list of its language, or adds the language; with `replace`, puts it in place of that list. It lasts while the
    /// profile is open: set it again after opening. Returns the languages checked now. A list that does not parse is
    /// `InvalidInput` naming the line, and changes nothing.
    pub fn set_crisis_phrases(&self, list: String, replace: bool) -> Result<Vec<String>, KindredError> {
        self.run(move |k| Ok(if replace { k.replace_crisis_phrases(&list)? } else { k.extend_crisis_phrases(&list)? }))
    }

    /// Goes back to the shipped phrase lists; returns their languages.
    pub fn reset_crisis_phrases(&self) -> Result<Vec<String>, KindredError> {
        guard(|| Ok(self.core()?.reset_crisis_phrases()))
    }

    // Crisis resource directories (signed files: imported here, or published in a group by `KindredGroup`)

    /// The crisis services for `region` ("KE", "KE-30"; `None`: international ones only) and `language`, best first,
    /// from the directories this profile holds (imported, and published in its groups). `matched` says how close
    /// they are; `NOTHING` when no directory lists one, and the app shows its own fallback (the local emergency
    /// number). Entries of an example directory say `example`. A region that is not an ISO 3166 code is
    /// `InvalidInput`.
    pub fn crisis_resources(
        &self,
        region: Option<String>,
        language: Option<String>,
    ) -> Result<ResourceLookup, KindredError> {
        self.run(move |k| Ok(k.crisis_resources(region.as_deref(), language.as_deref())?))
    }

    /// Sets the person's region for crisis resources ("KE" or "KE-30", any case; `None` clears it) and returns it as
    /// stored. It stays on this phone. `check_draft` and `check_received` look services up for it.
    pub fn set_region(&self, region: Option<String>) -> Result<Option<String>, KindredError> {
        self.run(move |k| Ok(k.set_region(region.as_deref())?))
    }

    /// The person's region for crisis resources, if set.
    pub fn region(&self) -> Result<Option<String>, KindredError> {
        self.run(|k| Ok(k.region()?))
    }

    /// Imports a signed directory file (one the app ships, or a publisher's), checked whole first: a forged, damaged
    /// or oversized file is `Rejected` and nothing is kept. A newer version replaces the publisher's older one.
    pub fn import_resource_directory(&self, file: Vec<u8>) -> Result<DirectoryImport, KindredError> {
        self.run(move |k| Ok(k.import_resource_directory(&file)?))
    }

    /// Every publisher's directory this profile uses (its newest file, imported or published in a group).
    pub fn resource_directories(&self) -> Result<Vec<DirectorySummary>, KindredError> {
        self.run(|k| Ok(k.resource_directories()?))
    }

    /// Removes a publisher's imported directory (`NotFound` when there is none).
    pub fn remove_resource_directory(&self, publisher: String) -> Result<(), KindredError> {
        self.run(move |k| Ok(k.remove_resource_directory(&parse_id(&publisher)?)?))
    }

    // Membership and sync

    /// Accepts an invitation; the group arrives at the first sync with one of its members.
    pub fn join_group(&self, code: String) -> Result<PendingJoin, KindredError> {
        self.run(move |k| Ok(k.join_group(&code)?))
    }

    pub fn pending_joins(&self) -> Result<Vec<PendingJoin>, KindredError> {
        self.run(|k| Ok(k.pending_joins()?))
    }

    /// Imports a bundle file; importing twice or out of order is harmless.
    pub fn import_bundle(&self, bytes: Vec<u8>) -> Result<BundleImport, KindredError> {
        self.run(move |k| Ok(k.import_bundle(&bytes)?))
    }

    /// Starts a sync session as the side that dialled. Pass the peer's member id when it is known (anyone from a
    /// shared group): the handshake is then shorter, and fails unless the other side holds that key.
    pub fn connect_sync(
        self: Arc<Self>,
        peer: Option<String>,
        max_frame: Option<u32>,
    ) -> Result<Arc<SyncSession>, KindredError> {
        guard(|| {
            let session = self.core()?.connect_sync(crate::sync::peer(peer)?, crate::sync::options(max_frame))?;
            Ok(SyncSession::wrap(self, session))
        })
    }

    /// Starts a sync session as the side that was dialled.
    pub fn accept_sync(self: Arc<Self>, max_frame: Option<u32>) -> Result<Arc<SyncSession>, KindredError> {
        let session = self.run(move |k| Ok(k.accept_sync(crate::sync::options(max_frame))?))?;
        Ok(SyncSession::wrap(self, session))
    }

    /// Runs SQLite's full consistency check; damage is `CorruptDatabase`.
    pub fn check_integrity(&self) -> Result<(), KindredError> {
        self.run(|k| Ok(k.check_integrity()?))
    }

    /// Housekeeping that posts leave for later (folding stored changes into snapshots, checkpointing the database's
    /// log): call it when the app is idle or goes to the background. Returns how many documents it compacted.
    pub fn maintain(&self) -> Result<u32, KindredError> {
        self.run(|k| Ok(k.maintain()?))
    }
}
