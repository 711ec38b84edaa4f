package org.kindred

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import org.kindred.core.KindredException
import org.kindred.core.KindredProfile
import org.kindred.core.NewGoal
import org.kindred.core.SubscriptionHandle
import org.kindred.core.SyncSession
import org.kindred.core.UpdateListener
import org.kindred.core.kindredVersion
import org.kindred.core.model.*
import org.kindred.core.profileExists
import java.util.concurrent.atomic.AtomicBoolean

/**
 * An opened Kindred profile: the one object an app keeps while a person is signed in.
 *
 * An app gets it from its vault of encrypted profiles, [Profiles] (`profiles.create(...)`, `profiles.open(passphrase)`
 * or `profiles.open(key)`); [create], [open] and [openOrCreate] in the companion object make and open *unencrypted*
 * profiles, for tests and tools.
 *
 * Every operation of the native profile is here as a `suspend` function that runs on [Dispatchers.IO] (the native
 * calls block while they do their disk work), so all of them are safe to call from the main thread. On top of that
 * this class adds what makes it pleasant from Kotlin:
 *
 * - [wipe] (panic wipe) and [exportMine] (the person's own data as JSON and CSV);
 * - [updates], a [Flow] of live changes (all of them, or one group's);
 * - overloads taking plain `Int`s and named arguments instead of the generated records and unsigned types
 *   ([createGroup], [createGoal], [joinGroupGoal], [logProgress], [recordCheckin], [addSafetyPlanItem] and
 *   [editSafetyPlanItem] without a contact, [moveSafetyPlanItem], [checkDraft] and [checkReceived] without a language,
 *   [takeInstrument] with a list of answers; [Group.post] and [Group.messages] for a group), and [connectSync] and
 *   [acceptSync] with the default frame size;
 * - [runOver] (on the generated [SyncSession]), which carries a sync session over the app's link;
 * - `relaySync` and `RELAY_MAX_OBJECT_BYTES`, the relay mailbox, as extensions in `Relay.kt`;
 * - [AutoCloseable]: [close] closes the profile and completes every [updates] flow.
 *
 * What belongs to one group (messages, members, invitations, shared goals, group goals, bundle) is on a [Group], from
 * [createGroup] or [group] (by id or exact name; store [Group.id] to find it again). A group handle is cheap: get one
 * whenever needed and keep it as long as convenient; closing it (it is [AutoCloseable]) only frees the handle.
 *
 * Failures arrive as [KindredException] subclasses ([KindredException.InvalidInput], [KindredException.NotFound],
 * ...). After [close], calls on this object throw [IllegalStateException], and calls on its [Group]s throw
 * [KindredException.Closed]; open the profile again to continue.
 */
class Kindred internal constructor(
    private val profile: KindredProfile,
) : AutoCloseable {

    /** Completed by [close]; every [updates] flow watches it. */
    private val lifetime = Job()
    private val closed = AtomicBoolean(false)

    companion object {
        /**
         * Creates a new **unencrypted** profile (member key, install identity, database) in [dataDir] and opens it: for
         * tests and tools. Apps keep profiles encrypted, in a [Profiles] vault ([Profiles.create]).
         *
         * @throws KindredException.ProfileExists if [dataDir] already holds one.
         * @throws KindredException.InvalidInput if [displayName] is empty or too long.
         */
        suspend fun create(dataDir: String, displayName: String): Kindred =
            withContext(Dispatchers.IO) { Kindred(KindredProfile.create(dataDir, displayName)) }

        /**
         * Opens the **unencrypted** profile in [dataDir] (made by [create]; for tests and tools). An encrypted profile
         * opens from its vault: [Profiles.open].
         *
         * @throws KindredException.NoProfile if there is none yet.
         * @throws KindredException.CorruptDatabase if its database is damaged (it is left untouched).
         */
        suspend fun open(dataDir: String): Kindred = withContext(Dispatchers.IO) { Kindred(KindredProfile.open(dataDir)) }

        /** Opens the unencrypted profile in [dataDir], creating it with [displayName] first if there is none. */
        suspend fun openOrCreate(dataDir: String, displayName: String): Kindred =
            if (exists(dataDir)) open(dataDir) else create(dataDir, displayName)

        /** Whether [dataDir] holds an unencrypted profile (it may still fail to open if damaged). */
        fun exists(dataDir: String): Boolean = profileExists(dataDir)

        /** The native library's version, for diagnostics and bug reports. */
        val version: String get() = kindredVersion()
    }

    /**
     * Live changes, as a cold [Flow]: collecting registers a listener (for every change, or only [group]'s messages,
     * members, shared goals and read marker), and the listener is unregistered when collection stops.
     *
     * Updates are buffered without limit, so none is lost while the collector is busy; they are small. The flow
     * completes when this profile is [close]d. [group] must be one of this profile's; if its profile is already
     * closed, the flow fails with [KindredException.Closed].
     *
     * The listener is registered when the flow's producer starts. Collecting with
     * `launch(Dispatchers.Unconfined) { ... }` (or `async(Dispatchers.Unconfined)`) guarantees it is registered by the
     * time `launch` returns, so a change made right afterwards is not missed.
     */
    fun updates(group: Group? = null): Flow<Update> = callbackFlow {
        val listener = object : UpdateListener {
            // Called on the thread that made the change (an IO thread); the channel is unlimited, so this never blocks or fails while open.
            override fun onUpdate(update: Update) {
                trySend(update)
            }
        }
        val handle = group?.subscribe(listener) ?: profile.subscribe(listener)
        val closer = launch { lifetime.join(); channel.close() }
        awaitClose {
            closer.cancel()
            handle.cancel()
            handle.close()
        }
    }.buffer(Channel.UNLIMITED)

    /**
     * Panic wipe: destroys this profile now. An encrypted profile's wrapped key is overwritten and removed first, so
     * its data is unreadable from that moment even if deleting the files is cut short; then its files go (of an
     * unencrypted profile, the database files are deleted). Every [updates] flow completes, and this object is
     * closed: later calls throw [IllegalStateException], those on its [Group]s [KindredException.Closed]. Close the
     * profile's [SyncSession]s first.
     */
    suspend fun wipe() {
        check(!closed.get()) { "the profile is closed" }
        try {
            withContext(Dispatchers.IO) { profile.wipe() }
        } finally {
            close()
        }
    }

    /**
     * Writes everything the person wrote or recorded (their messages, reactions, groups, goals and progress, cheers,
     * check-ins, instrument results, safety plan, moderation actions, muted members and words, settings) into [dir],
     * a new or empty folder: `kindred-export.json` and one CSV per kind. Nothing of other members is included. The
     * files are not encrypted: write them where the person chose, and tell them so.
     *
     * @throws KindredException.InvalidInput if [dir] holds files already.
     */
    suspend fun exportMine(dir: String): ExportSummary = io { exportMine(dir) }

    /** Creates a group that this profile owns, and returns its handle. */
    suspend fun createGroup(name: String, description: String = "", guidelines: String = ""): Group =
        createGroup(NewGroup(name = name, description = description, guidelines = guidelines))

    /**
     * Creates a goal of [times] per [period], private or shared with the group whose id is [shareWith]. With
     * [weekdays] (ISO 8601 numbers, 1 Monday ... 7 Sunday) a daily goal asks only for those days.
     */
    suspend fun createGoal(
        title: String,
        times: Int,
        period: CadencePeriod,
        shareWith: String? = null,
        weekdays: List<Int> = emptyList(),
    ): Goal = createGoal(NewGoal(title, cadence(times, period, weekdays), shareWith))

    /** Joins the group goal [groupGoalId] with one's own target, [times] per [period] (on [weekdays], if given). */
    suspend fun joinGroupGoal(
        groupGoalId: String,
        times: Int,
        period: CadencePeriod,
        weekdays: List<Int> = emptyList(),
    ): Goal = joinGroupGoal(groupGoalId, cadence(times, period, weekdays))

    private fun cadence(times: Int, period: CadencePeriod, weekdays: List<Int>): Cadence =
        Cadence(times.toUIntArg("cadence"), period, weekdays.map { it.toUIntArg("weekday") }.ifEmpty { null })

    /** Creates a goal of [times] per [period], shared with [shareWith]. */
    suspend fun createGoal(title: String, times: Int, period: CadencePeriod, shareWith: Group): Goal =
        createGoal(title, times, period, shareWith.id())

    /** Logs [amount] steps on one's own goal, at [at] (milliseconds since the epoch) or now. */
    suspend fun logProgress(goalId: String, amount: Int = 1, note: String? = null, at: Long? = null): ProgressEntry =
        logProgress(goalId, amount.toUIntArg("amount"), note, at)

    /** Records a mood check-in ([mood] and [energy] on a 1 to 5 scale); it stays on this phone. */
    suspend fun recordCheckin(
        mood: Int,
        energy: Int? = null,
        sleepHours: Double? = null,
        tags: List<String> = emptyList(),
        note: String? = null,
        at: Long? = null,
        emotions: List<String> = emptyList(),
        activities: List<String> = emptyList(),
        medicationTaken: Boolean? = null,
    ): Checkin = recordCheckin(
        newCheckin(mood, energy, sleepHours, tags, note, at, emotions, activities, medicationTaken),
    )

    /**
     * Replaces what check-in [checkinId] says (its id stays, and its time unless [at] gives one), with the same plain
     * arguments as [recordCheckin].
     */
    suspend fun editCheckin(
        checkinId: String,
        mood: Int,
        energy: Int? = null,
        sleepHours: Double? = null,
        tags: List<String> = emptyList(),
        note: String? = null,
        at: Long? = null,
        emotions: List<String> = emptyList(),
        activities: List<String> = emptyList(),
        medicationTaken: Boolean? = null,
    ): Checkin = editCheckin(
        checkinId,
        newCheckin(mood, energy, sleepHours, tags, note, at, emotions, activities, medicationTaken),
    )

    @Suppress("LongParameterList")
    private fun newCheckin(
        mood: Int,
        energy: Int?,
        sleepHours: Double?,
        tags: List<String>,
        note: String?,
        at: Long?,
        emotions: List<String>,
        activities: List<String>,
        medicationTaken: Boolean?,
    ) = NewCheckin(
        mood = mood.toUByteArg("mood"),
        energy = energy?.toUByteArg("energy"),
        sleepHours = sleepHours,
        tags = tags,
        note = note,
        emotions = emotions,
        activities = activities,
        medicationTaken = medicationTaken,
        at = at,
    )

    /**
     * Adds [text] at the end of [step] of the person's safety plan, without a contact (the generated three-argument
     * form takes one: a phone number or an address, on `SafetyPlanStep.DISTRACTIONS`, `PEOPLE` and `PROFESSIONALS`).
     * The plan stays on this phone: no group, bundle or sync session ever carries it. Read it with `safetyPlan()`,
     * print it with `exportSafetyPlanText()`.
     *
     * @throws KindredException.InvalidInput for blank or overlong text, or a step that already holds its most items
     *   (`field` says which; the reason never quotes the text).
     */
    suspend fun addSafetyPlanItem(step: SafetyPlanStep, text: String): SafetyPlanItem =
        addSafetyPlanItem(step, text, null)

    /** Replaces a safety plan item's text and removes its contact; it keeps its step and place. */
    suspend fun editSafetyPlanItem(itemId: String, text: String): SafetyPlanItem =
        editSafetyPlanItem(itemId, text, null)

    /** Moves a safety plan item within its step to [position] (0 is first); returns the step as it now is. */
    suspend fun moveSafetyPlanItem(itemId: String, position: Int): SafetyPlanSection =
        moveSafetyPlanItem(itemId, position.toUIntArg("position"))

    /**
     * Scores complete answers to instrument [id] ("phq9", "who5", ...; [instruments] lists them with their items and
     * answer values), one per item in order, and keeps the result on this phone. On a crisis flag (PHQ-9 item 9 above
     * 0) the outcome carries the person's safety plan and crisis services: show them at once.
     *
     * @throws KindredException.InvalidInput for incomplete or unknown answers (never guessed).
     */
    suspend fun takeInstrument(id: String, answers: List<Int>, at: Long? = null): InstrumentOutcome =
        takeInstrument(id, ByteArray(answers.size) { answers[it].toUByteArg("answers").toByte() }, at)

    /**
     * Trends over the last [days] days (90 by default): mood by day, week and month, each instrument's scores and
     * change against the person's baseline, and what goes with their mood (at least 5 days each way). Computed on
     * this phone.
     */
    suspend fun trends(days: Int = 90): Trends = trends(days.toUIntArg("days"))

    /**
     * Checks a draft before it is posted against every phrase list (the two-argument form takes a language, "en" or
     * "es-MX", to check that language's list): whether it shows a sign of risk to self, what matched (phrases of the
     * lists, never the draft's words) and, on a sign of risk when the person's safety plan has an item, the plan to
     * offer, with the crisis resources for the person's region ([setRegion]) from the directories the profile holds
     * (`resources`, example entries marked; imported with [importResourceDirectory] or published in a group with
     * [Group.publishResourceDirectory]). It never blocks the post, and the draft is not stored, logged or sent.
     *
     * @throws KindredException.InvalidInput for a draft longer than a message can be (never quoting it).
     */
    suspend fun checkDraft(text: String): DraftCheck = checkDraft(text, null)

    /**
     * Checks a received message for its reader against every phrase list: what matched and, on a sign of risk,
     * guidance on answering supportively and the crisis services the reader can share (`resources`, for the reader's
     * region). For the reader's screen only; the author is never flagged.
     */
    suspend fun checkReceived(text: String): ReaderGuidance = checkReceived(text, null)

    /**
     * Starts a sync session as the side that dialled, with frames of up to 32 KiB (pass `maxFrame` to the two-argument
     * form for a smaller link, e.g. 512 on Bluetooth LE). With [peer], the member id of the person dialled (anyone from
     * a shared group, or an invitation's inviter), the handshake is shorter and fails with
     * [KindredException.Rejected] unless that member answers. Carry the session with [runOver].
     */
    fun connectSync(peer: String? = null): SyncSession = profile.connectSync(peer, null)

    /** Starts a sync session as the side that was dialled, with frames of up to 32 KiB. Carry it with [runOver]. */
    suspend fun acceptSync(): SyncSession = acceptSync(null)

    /**
     * Mutes, blocks or shows again ([MemberControl.NONE]) a member's posts on this phone: a muted member's posts are
     * left out of timelines and unread counts, a blocked member's reactions are not counted either. Nobody is told.
     */
    suspend fun setMemberControl(memberId: String, control: MemberControl): Unit =
        io { setMemberControl(memberId, control) }

    /** Every member this profile muted or blocked, newest first. */
    suspend fun mutedMembers(): List<MutedMember> = io { mutedMembers() }

    /** Mutes (or, with [muted] false, unmutes) a word: posts holding it are folded. Returns the muted words. */
    suspend fun muteWord(word: String, muted: Boolean = true): List<String> = io { muteWord(word, muted) }

    /** The muted words, in order. */
    suspend fun mutedWords(): List<String> = io { mutedWords() }

    /** Whether posts with a content warning are folded behind a tap (the default) or shown open. */
    suspend fun setFoldWarnings(fold: Boolean): Unit = io { setFoldWarnings(fold) }

    /** Whether posts with a content warning are folded. */
    suspend fun foldWarnings(): Boolean = io { foldWarnings() }

    // Every call of the native profile, run on Dispatchers.IO: the native calls block while they work, so each one
    // here is main-safe. (Listed as the generated interface lists them; the friendlier overloads are above.)

    /** Registers [listener] for every change (prefer [updates]); close the handle to unregister. */
    fun subscribe(listener: UpdateListener): SubscriptionHandle = profile.subscribe(listener)

    /**
     * Starts a sync session as the side that was dialled.
     */
    suspend fun acceptSync(maxFrame: UInt?): SyncSession = io { acceptSync(maxFrame) }

    /**
     * Adds an instrument, or a translation of one (which must score exactly as the original), from a definition in
     * Kindred's text format (`docs/wellbeing.md`). It lasts while the profile is open. `InvalidInput` names the line.
     */
    suspend fun addInstrument(definition: String): Instrument = io { addInstrument(definition) }

    /**
     * Adds an item at the end of `step`; `contact` (a phone number, an address) only on the steps that take one.
     */
    suspend fun addSafetyPlanItem(step: SafetyPlanStep, text: String, contact: String?): SafetyPlanItem = io { addSafetyPlanItem(step, text, contact) }

    /**
     * Checks a draft before it is posted: whether it shows a sign of risk to self, what matched (phrases of the
     * lists, never the draft's words) and, when it does and the person's safety plan has an item, the plan to offer.
     * It never blocks the post. `language` ("en", "es-MX") picks the list; `None` checks every list. A draft longer
     * than a message can be is `InvalidInput`.
     */
    suspend fun checkDraft(text: String, language: String?): DraftCheck = io { checkDraft(text, language) }

    /**
     * Runs SQLite's full consistency check; damage is `CorruptDatabase`.
     */
    suspend fun checkIntegrity(): Unit = io { checkIntegrity() }

    /**
     * Checks a received message for its reader: what matched and, on a sign of risk, guidance on answering
     * supportively (in `language` when Kindred has it). For the reader's screen only; the author is never flagged.
     */
    suspend fun checkReceived(text: String, language: String?): ReaderGuidance = io { checkReceived(text, language) }

    /**
     * The mood scale (a face and a word per step) and the person's emotion and activity lists.
     */
    suspend fun checkinOptions(): CheckinOptions = io { checkinOptions() }

    suspend fun checkinSummary(since: Long, until: Long): CheckinSummary = io { checkinSummary(since, until) }

    suspend fun checkins(since: Long, until: Long): List<Checkin> = io { checkins(since, until) }

    /**
     * Cheers on another member's shared goal (`NotPermitted` for one's own or a private one); returns its cheers.
     */
    suspend fun cheerGoal(goalId: String): List<Cheer> = io { cheerGoal(goalId) }

    /**
     * Removes every item; returns how many there were.
     */
    suspend fun clearSafetyPlan(): UInt = io { clearSafetyPlan() }

    /**
     * The clinician's summary with only the parts ticked: a CSV and a one-page printable HTML page (no script, no
     * network), for the app to save or hand over. Never instrument answers or crisis flags; notes only if ticked.
     */
    suspend fun clinicianSummary(parts: SummaryParts): ClinicianSummary = io { clinicianSummary(parts) }

    /**
     * Starts a sync session as the side that dialled. Pass the peer's member id when it is known (anyone from a
     * shared group): the handshake is then shorter, and fails unless the other side holds that key.
     */
    fun connectSync(peer: String?, maxFrame: UInt?): SyncSession = profile.connectSync(peer, maxFrame)

    suspend fun createGoal(goal: NewGoal): Goal = io { createGoal(goal) }

    /**
     * Creates a group that this profile owns.
     */
    suspend fun createGroup(group: NewGroup): Group = Group(io { createGroup(group) })

    /**
     * The crisis services for `region` ("KE", "KE-30"; `None`: international ones only) and `language`, best first,
     * from the directories this profile holds (imported, and published in its groups). `matched` says how close
     * they are; `NOTHING` when no directory lists one, and the app shows its own fallback (the local emergency
     * number). Entries of an example directory say `example`. A region that is not an ISO 3166 code is
     * `InvalidInput`.
     */
    suspend fun crisisResources(region: String?, language: String?): ResourceLookup = io { crisisResources(region, language) }

    /**
     * Deletes one of the person's check-ins for good.
     */
    suspend fun deleteCheckin(checkinId: String): Unit = io { deleteCheckin(checkinId) }

    /**
     * Deletes one of the person's results.
     */
    suspend fun deleteInstrumentResult(resultId: String): Unit = io { deleteInstrumentResult(resultId) }

    /**
     * Replaces what one of the person's check-ins says (its id stays, and its time unless `checkin.at` gives one).
     */
    suspend fun editCheckin(checkinId: String, checkin: NewCheckin): Checkin = io { editCheckin(checkinId, checkin) }

    /**
     * Replaces an item's text and contact (`None` removes the contact); it keeps its step and place.
     */
    suspend fun editSafetyPlanItem(itemId: String, text: String, contact: String?): SafetyPlanItem = io { editSafetyPlanItem(itemId, text, contact) }

    /**
     * Ends a group goal this profile proposed (`NotPermitted` for anyone else's).
     */
    suspend fun endGroupGoal(groupGoalId: String): GroupGoal = io { endGroupGoal(groupGoalId) }

    /**
     * The plan as plain text for printing: a title, today's date, every step under its heading; nothing else.
     */
    suspend fun exportSafetyPlanText(): String = io { exportSafetyPlanText() }

    suspend fun goal(goalId: String): Goal = io { goal(goalId) }

    /**
     * Who cheered a goal on, newest first.
     */
    suspend fun goalCheers(goalId: String): List<Cheer> = io { goalCheers(goalId) }

    suspend fun goalProgress(goalId: String, since: Long?, limit: UInt): List<ProgressEntry> = io { goalProgress(goalId, since, limit) }

    /**
     * A goal's habit strength (0-100: grows with each period met, fades with each missed; skipped days and pauses
     * count for nothing) and its recent periods.
     */
    suspend fun goalStrength(goalId: String): HabitStrength = io { goalStrength(goalId) }

    /**
     * Every goal this profile can see: its own (private and shared) and those others shared in its groups
     * ([Group.goals] for one group's). Archived ones only with `include_archived`.
     */
    suspend fun goals(includeArchived: Boolean): List<Goal> = io { goals(includeArchived) }

    /**
     * One of this profile's groups, by id or by exact name (`NotFound`; `Ambiguous` if two groups share the name).
     */
    suspend fun group(idOrName: String): Group = Group(io { group(idOrName) })

    /**
     * One group goal, with how many met their own target in each of the last four weeks.
     */
    suspend fun groupGoal(groupGoalId: String): GroupGoal = io { groupGoal(groupGoalId) }

    suspend fun groups(): List<GroupSummary> = io { groups() }

    /**
     * Imports a bundle file; importing twice or out of order is harmless.
     */
    suspend fun importBundle(bytes: ByteArray): BundleImport = io { importBundle(bytes) }

    /**
     * Imports a signed directory file (one the app ships, or a publisher's), checked whole first: a forged, damaged
     * or oversized file is `Rejected` and nothing is kept. A newer version replaces the publisher's older one.
     */
    suspend fun importResourceDirectory(file: ByteArray): DirectoryImport = io { importResourceDirectory(file) }

    /**
     * This profile's public identity.
     */
    fun info(): ProfileInfo = profile.info()

    /**
     * The results of instrument `id` taken in `since <= at < until`, oldest first.
     */
    suspend fun instrumentHistory(id: String, since: Long, until: Long): List<InstrumentResult> = io { instrumentHistory(id, since, until) }

    /**
     * The instruments this profile scores, each in `language` when there is a translation (else English).
     */
    suspend fun instruments(language: String?): List<Instrument> = io { instruments(language) }

    /**
     * Accepts an invitation; the group arrives at the first sync with one of its members.
     */
    suspend fun joinGroup(code: String): PendingJoin = io { joinGroup(code) }

    /**
     * Joins a group goal with one's own target (daily, chosen weekdays or weekly), kept private: returns that goal.
     */
    suspend fun joinGroupGoal(groupGoalId: String, cadence: Cadence): Goal = io { joinGroupGoal(groupGoalId, cadence) }

    suspend fun logProgress(goalId: String, amount: UInt, note: String?, at: Long?): ProgressEntry = io { logProgress(goalId, amount, note, at) }

    /**
     * Housekeeping that posts leave for later (folding stored changes into snapshots, checkpointing the database's
     * log): call it when the app is idle or goes to the background. Returns how many documents it compacted.
     */
    suspend fun maintain(): UInt = io { maintain() }

    /**
     * Moves an item within its step to `position` (0 is first) and returns the step as it now is.
     */
    suspend fun moveSafetyPlanItem(itemId: String, position: UInt): SafetyPlanSection = io { moveSafetyPlanItem(itemId, position) }

    suspend fun pendingJoins(): List<PendingJoin> = io { pendingJoins() }

    /**
     * Daily and weekly averages over the last `days` calendar days, today included.
     */
    suspend fun recentCheckinSummary(days: UInt): CheckinSummary = io { recentCheckinSummary(days) }

    suspend fun recentCheckins(days: UInt): List<Checkin> = io { recentCheckins(days) }

    suspend fun recordCheckin(checkin: NewCheckin): Checkin = io { recordCheckin(checkin) }

    /**
     * The person's region for crisis resources, if set.
     */
    suspend fun region(): String? = io { region() }

    /**
     * Removes a publisher's imported directory (`NotFound` when there is none).
     */
    suspend fun removeResourceDirectory(publisher: String): Unit = io { removeResourceDirectory(publisher) }

    /**
     * Removes an item and returns it (to offer an undo).
     */
    suspend fun removeSafetyPlanItem(itemId: String): SafetyPlanItem = io { removeSafetyPlanItem(itemId) }

    /**
     * Goes back to the shipped phrase lists; returns their languages.
     */
    suspend fun resetCrisisPhrases(): List<String> = io { resetCrisisPhrases() }

    /**
     * Every publisher's directory this profile uses (its newest file, imported or published in a group).
     */
    suspend fun resourceDirectories(): List<DirectorySummary> = io { resourceDirectories() }

    /**
     * The whole plan: every step in order, each with its items (possibly none).
     */
    suspend fun safetyPlan(): SafetyPlan = io { safetyPlan() }

    /**
     * Makes the person's emotion or activity list `labels`, in their order; returns it as stored.
     */
    suspend fun setCheckinChoices(kind: ChoiceKind, labels: List<String>): List<String> = io { setCheckinChoices(kind, labels) }

    /**
     * Adds an app's phrase list (the `Lexicon` text format: `language: en`, `[category]`, phrases) to this profile's
     * list of its language, or adds the language; with `replace`, puts it in place of that list. It lasts while the
     * profile is open: set it again after opening. Returns the languages checked now. A list that does not parse is
     * `InvalidInput` naming the line, and changes nothing.
     */
    suspend fun setCrisisPhrases(list: String, replace: Boolean): List<String> = io { setCrisisPhrases(list, replace) }

    suspend fun setDisplayName(name: String): Unit = io { setDisplayName(name) }

    suspend fun setGoalStatus(goalId: String, status: GoalStatus): Goal = io { setGoalStatus(goalId, status) }

    /**
     * Sets the person's region for crisis resources ("KE" or "KE-30", any case; `None` clears it) and returns it as
     * stored. It stays on this phone. `check_draft` and `check_received` look services up for it.
     */
    suspend fun setRegion(region: String?): String? = io { setRegion(region) }

    /**
     * Skips `day` (`YYYY-MM-DD`; today without one) of one's own goal, without penalty; returns the strength now.
     */
    suspend fun skipGoalDay(goalId: String, day: String?): HabitStrength = io { skipGoalDay(goalId, day) }

    /**
     * Scores complete answers (one per item, in order) and keeps the result on this phone (at `at`, or now). On a
     * crisis flag (PHQ-9 item 9 above 0) the outcome carries the safety plan and crisis services to show at once.
     * Incomplete or unknown answers are `InvalidInput`, never guessed.
     */
    suspend fun takeInstrument(id: String, answers: ByteArray, at: Long?): InstrumentOutcome = io { takeInstrument(id, answers, at) }

    /**
     * Trends over the last `days` days: mood by day, week and month, instrument scores and their change against
     * the baseline, and associations of mood with activities, emotions, tags and sleep (5 days a side at least).
     */
    suspend fun trends(days: UInt): Trends = io { trends(days) }

    private suspend inline fun <T> io(crossinline call: KindredProfile.() -> T): T =
        withContext(Dispatchers.IO) { profile.call() }

    /**
     * Runs [call] on the native profile on [Dispatchers.IO], as every call here does: the hook through which other
     * files of the layer (the relay mailbox, `Relay.kt`) add their calls as extensions.
     */
    internal suspend fun <T> onProfile(call: KindredProfile.() -> T): T = io(call)

    /**
     * Closes the profile: completes every [updates] flow, makes its [Group]s fail with
     * [KindredException.Closed] and releases the native object (the database closes once calls already running have
     * finished and every [SyncSession] is closed: a session goes on working after this). Calling it again does nothing.
     */
    override fun close() {
        if (!closed.compareAndSet(false, true)) return
        lifetime.cancel()
        // Group handles hold the native profile: close it for them too, not just this handle to it.
        profile.closeProfile()
        profile.close()
    }

    /** The same as [close]. */
    fun closeProfile() = close()
}

internal fun Int.toUIntArg(field: String): UInt =
    if (this >= 0) toUInt() else throw KindredException.InvalidInput(field, "$this is negative")

internal fun Int.toUByteArg(field: String): UByte =
    if (this in 0..255) toUByte() else throw KindredException.InvalidInput(field, "$this is out of range")
