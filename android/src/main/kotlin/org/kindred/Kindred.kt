package org.kindred

import kotlinx.coroutines.Job
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.launch
import org.kindred.core.KindredException
import org.kindred.core.KindredGroup
import org.kindred.core.KindredProfile
import org.kindred.core.KindredProfileInterface
import org.kindred.core.MessageCursor
import org.kindred.core.NewGoal
import org.kindred.core.NewMessage
import org.kindred.core.SyncSession
import org.kindred.core.UpdateListener
import org.kindred.core.kindredVersion
import org.kindred.core.model.Cadence
import org.kindred.core.model.CadencePeriod
import org.kindred.core.model.Checkin
import org.kindred.core.model.DraftCheck
import org.kindred.core.model.InstrumentOutcome
import org.kindred.core.model.Goal
import org.kindred.core.model.Message
import org.kindred.core.model.NewCheckin
import org.kindred.core.model.NewGroup
import org.kindred.core.model.ProgressEntry
import org.kindred.core.model.ReaderGuidance
import org.kindred.core.model.SafetyPlanItem
import org.kindred.core.model.Trends
import org.kindred.core.model.SafetyPlanSection
import org.kindred.core.model.SafetyPlanStep
import org.kindred.core.model.Update
import org.kindred.core.profileExists
import java.util.concurrent.atomic.AtomicBoolean

/**
 * An opened Kindred profile: the one object an app keeps while a person is signed in.
 *
 * Every operation of the generated [KindredProfile] is available unchanged (this class delegates
 * [KindredProfileInterface] to it): disk work is `suspend` and runs on Kindred's own worker threads, so it is safe to
 * call from the main thread. On top of that this class adds what makes it pleasant from Kotlin:
 *
 * - [create], [open] and [openOrCreate] in the companion object;
 * - [updates], a [Flow] of live changes (all of them, or one group's);
 * - overloads taking plain `Int`s and named arguments instead of the generated records and unsigned types
 *   ([createGroup], [createGoal], [logProgress], [recordCheckin], [addSafetyPlanItem] and [editSafetyPlanItem]
 *   without a contact, [moveSafetyPlanItem], [checkDraft] and [checkReceived] without a language, [takeInstrument]
 *   with a list of answers; [KindredGroup.post] and [KindredGroup.messages] for a group), and
 *   [connectSync] and [acceptSync] with the default frame size;
 * - [runOver] (on the generated [SyncSession]), which carries a sync session over the app's link;
 * - [AutoCloseable]: [close] closes the profile and completes every [updates] flow.
 *
 * What belongs to one group (messages, members, invitations, shared goals, bundle) is on a [KindredGroup], from
 * [createGroup] or [group] (by id or exact name; store [KindredGroup.id] to find it again). A group handle is cheap:
 * get one whenever needed and keep it as long as convenient; closing it (it is [AutoCloseable]) only frees the handle.
 *
 * Failures arrive as [KindredException] subclasses ([KindredException.InvalidInput], [KindredException.NotFound],
 * ...). After [close], calls on this object throw [IllegalStateException], and calls on its [KindredGroup]s throw
 * [KindredException.Closed]; open the profile again to continue.
 */
class Kindred private constructor(
    private val profile: KindredProfile,
) : KindredProfileInterface by profile, AutoCloseable {

    /** Completed by [close]; every [updates] flow watches it. */
    private val lifetime = Job()
    private val closed = AtomicBoolean(false)

    companion object {
        /**
         * Creates a new profile (member key, install identity, database) in [dataDir] and opens it.
         *
         * @throws KindredException.ProfileExists if [dataDir] already holds one.
         * @throws KindredException.InvalidInput if [displayName] is empty or too long.
         */
        suspend fun create(dataDir: String, displayName: String): Kindred =
            Kindred(KindredProfile.create(dataDir, displayName))

        /**
         * Opens the profile in [dataDir].
         *
         * @throws KindredException.NoProfile if there is none yet.
         * @throws KindredException.CorruptDatabase if its database is damaged (it is left untouched).
         */
        suspend fun open(dataDir: String): Kindred = Kindred(KindredProfile.open(dataDir))

        /** Opens the profile in [dataDir], creating it with [displayName] first if there is none. */
        suspend fun openOrCreate(dataDir: String, displayName: String): Kindred =
            if (exists(dataDir)) open(dataDir) else create(dataDir, displayName)

        /** Whether [dataDir] holds a profile (it may still fail to open if damaged). */
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
    fun updates(group: KindredGroup? = null): Flow<Update> = callbackFlow {
        val listener = object : UpdateListener {
            // Called on a Kindred worker thread; the channel is unlimited, so this never blocks or fails while open.
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

    /** Creates a group that this profile owns, and returns its handle. */
    suspend fun createGroup(name: String, description: String = "", guidelines: String = ""): KindredGroup =
        profile.createGroup(NewGroup(name = name, description = description, guidelines = guidelines))

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
    ): Goal = profile.createGoal(NewGoal(title, cadence(times, period, weekdays), shareWith))

    /** Joins the group goal [groupGoalId] with one's own target, [times] per [period] (on [weekdays], if given). */
    suspend fun joinGroupGoal(
        groupGoalId: String,
        times: Int,
        period: CadencePeriod,
        weekdays: List<Int> = emptyList(),
    ): Goal = profile.joinGroupGoal(groupGoalId, cadence(times, period, weekdays))

    private fun cadence(times: Int, period: CadencePeriod, weekdays: List<Int>): Cadence =
        Cadence(times.toUIntArg("cadence"), period, weekdays.map { it.toUByteArg("weekday") }.ifEmpty { null })

    /** Creates a goal of [times] per [period], shared with [shareWith]. */
    suspend fun createGoal(title: String, times: Int, period: CadencePeriod, shareWith: KindredGroup): Goal =
        createGoal(title, times, period, shareWith.id())

    /** Logs [amount] steps on one's own goal, at [at] (milliseconds since the epoch) or now. */
    suspend fun logProgress(goalId: String, amount: Int = 1, note: String? = null, at: Long? = null): ProgressEntry =
        profile.logProgress(goalId, amount.toUIntArg("amount"), note, at)

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
    ): Checkin = profile.recordCheckin(
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
    ): Checkin = profile.editCheckin(
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
        profile.addSafetyPlanItem(step, text, null)

    /** Replaces a safety plan item's text and removes its contact; it keeps its step and place. */
    suspend fun editSafetyPlanItem(itemId: String, text: String): SafetyPlanItem =
        profile.editSafetyPlanItem(itemId, text, null)

    /** Moves a safety plan item within its step to [position] (0 is first); returns the step as it now is. */
    suspend fun moveSafetyPlanItem(itemId: String, position: Int): SafetyPlanSection =
        profile.moveSafetyPlanItem(itemId, position.toUIntArg("position"))

    /**
     * Scores complete answers to instrument [id] ("phq9", "who5", ...; [instruments] lists them with their items and
     * answer values), one per item in order, and keeps the result on this phone. On a crisis flag (PHQ-9 item 9 above
     * 0) the outcome carries the person's safety plan and crisis services: show them at once.
     *
     * @throws KindredException.InvalidInput for incomplete or unknown answers (never guessed).
     */
    suspend fun takeInstrument(id: String, answers: List<Int>, at: Long? = null): InstrumentOutcome =
        profile.takeInstrument(id, ByteArray(answers.size) { answers[it].toUByteArg("answers").toByte() }, at)

    /**
     * Trends over the last [days] days (90 by default): mood by day, week and month, each instrument's scores and
     * change against the person's baseline, and what goes with their mood (at least 5 days each way). Computed on
     * this phone.
     */
    suspend fun trends(days: Int = 90): Trends = profile.trends(days.toUIntArg("days"))

    /**
     * Checks a draft before it is posted against every phrase list (the two-argument form takes a language, "en" or
     * "es-MX", to check that language's list): whether it shows a sign of risk to self, what matched (phrases of the
     * lists, never the draft's words) and, on a sign of risk when the person's safety plan has an item, the plan to
     * offer, with the crisis resources for the person's region ([setRegion]) from the directories the profile holds
     * (`resources`, example entries marked; imported with [importResourceDirectory] or published in a group with
     * [KindredGroup.publishResourceDirectory]). It never blocks the post, and the draft is not stored, logged or sent.
     *
     * @throws KindredException.InvalidInput for a draft longer than a message can be (never quoting it).
     */
    suspend fun checkDraft(text: String): DraftCheck = profile.checkDraft(text, null)

    /**
     * Checks a received message for its reader against every phrase list: what matched and, on a sign of risk,
     * guidance on answering supportively and the crisis services the reader can share (`resources`, for the reader's
     * region). For the reader's screen only; the author is never flagged.
     */
    suspend fun checkReceived(text: String): ReaderGuidance = profile.checkReceived(text, null)

    /**
     * Starts a sync session as the side that dialled, with frames of up to 32 KiB (pass `maxFrame` to the two-argument
     * form for a smaller link, e.g. 512 on Bluetooth LE). With [peer], the member id of the person dialled (anyone from
     * a shared group, or an invitation's inviter), the handshake is shorter and fails with
     * [KindredException.Rejected] unless that member answers. Carry the session with [runOver].
     */
    fun connectSync(peer: String? = null): SyncSession = profile.connectSync(peer, null)

    /** Starts a sync session as the side that was dialled, with frames of up to 32 KiB. Carry it with [runOver]. */
    suspend fun acceptSync(): SyncSession = profile.acceptSync(null)

    /**
     * Closes the profile: completes every [updates] flow, makes its [KindredGroup]s fail with
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
    override fun closeProfile() = close()
}

/** Posts [text] to this group, optionally as a reply to the message [replyTo] and behind a [contentWarning]. */
suspend fun KindredGroup.post(text: String, replyTo: String? = null, contentWarning: String? = null): Message =
    post(NewMessage(text = text, replyTo = replyTo, contentWarning = contentWarning))

/**
 * Up to [limit] messages of this group, oldest first: the newest ones, or those just older than [before] (pass the
 * first message of the page already shown to page back).
 */
suspend fun KindredGroup.messages(limit: Int = 50, before: Message? = null): List<Message> =
    messages(limit.toUIntArg("limit"), before?.let { MessageCursor(it.createdAt, it.id) })

private fun Int.toUIntArg(field: String): UInt =
    if (this >= 0) toUInt() else throw KindredException.InvalidInput(field, "$this is negative")

private fun Int.toUByteArg(field: String): UByte =
    if (this in 0..255) toUByte() else throw KindredException.InvalidInput(field, "$this is out of range")
