package org.kindred

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import org.kindred.core.KindredGroup
import org.kindred.core.MessageCursor
import org.kindred.core.ModerationAction
import org.kindred.core.ReportHandling
import org.kindred.core.NewMessage
import org.kindred.core.SubscriptionHandle
import org.kindred.core.UpdateListener
import org.kindred.core.model.*

/**
 * One group of an opened [Kindred] profile: its messages, members, invitations, shared goals, group goals and bundle.
 *
 * Every operation is a `suspend` function that runs on [Dispatchers.IO] (the native calls block while they do their
 * disk work), so all of them are safe to call from the main thread. Get one from [Kindred.createGroup] or
 * [Kindred.group]; it is cheap, and closing it ([AutoCloseable]) only frees the handle. Once its profile is closed,
 * calls fail with `KindredException.Closed`.
 */
class Group internal constructor(private val group: KindredGroup) : AutoCloseable {
    /** Posts [text] to this group, optionally as a reply to the message [replyTo] and behind a [contentWarning]. */
    suspend fun post(text: String, replyTo: String? = null, contentWarning: String? = null): Message =
        post(NewMessage(text = text, replyTo = replyTo, contentWarning = contentWarning))

    /**
     * Up to [limit] messages of this group, oldest first: the newest ones, or those just older than [before] (pass the
     * first message of the page already shown to page back).
     */
    suspend fun messages(limit: Int = 50, before: Message? = null): List<Message> =
        messages(limit.toUIntArg("limit"), before?.let { MessageCursor(it.createdAt, it.id) })

    /**
     * Hides a message from the group (owners and moderators; a moderator only a plain member's), with a reason its
     * author reads; the entry joins the group's moderation log and reaches every member with the next sync.
     */
    suspend fun hideMessage(messageId: String, why: String): ModerationEntry = io { moderate(ModerationAction.Hide(messageId, why)) }

    /**
     * Erases a member's message from every phone running Kindred (self-harm instructions, someone's address), with a
     * reason kept in the moderation log (never the words); the rights of [hideMessage].
     */
    suspend fun eraseMessageFor(messageId: String, why: String): ModerationEntry =
        io { moderate(ModerationAction.Erase(messageId, why)) }

    /** Shows a hidden message to the group again, with a reason. */
    suspend fun restoreMessage(messageId: String, why: String): ModerationEntry = io { moderate(ModerationAction.Restore(messageId, why)) }

    /** Removes a member and records it, with a reason, in the moderation log (the rights of `removeMember`). */
    suspend fun removeMemberFor(memberId: String, why: String): ModerationEntry = io { moderate(ModerationAction.Remove(memberId, why)) }

    /** Takes a removed member back as a plain member and records it, with a reason, in the moderation log. */
    suspend fun readdMember(memberId: String, why: String): ModerationEntry = io { moderate(ModerationAction.Readd(memberId, why)) }

    /**
     * Suspends a member's posting until lifted or, with [days], until a moderator's phone sees the period pass.
     * What they post meanwhile shows nowhere, even afterwards.
     */
    suspend fun suspendMember(memberId: String, days: Int? = null, why: String): ModerationEntry =
        io { moderate(ModerationAction.Suspend(memberId, days?.toUIntArg("days"), why)) }

    /** Lifts a member's suspension. */
    suspend fun liftSuspension(memberId: String, why: String): ModerationEntry = io { moderate(ModerationAction.Lift(memberId, why)) }

    /** Approves a message waiting for approval (premoderation): the group sees it. */
    suspend fun approveMessage(messageId: String): ModerationEntry = io { moderate(ModerationAction.Approve(messageId)) }

    /** Sets whose posts wait for a moderator's approval: members who join from now on. */
    suspend fun setPremoderation(premoderation: Premoderation): ModerationEntry =
        io { moderate(ModerationAction.Premoderate(premoderation)) }

    /** Warns a member: the words are sealed to them alone; the moderation log keeps who warned whom and when. */
    suspend fun warnMember(memberId: String, words: String): ModerationEntry =
        io { moderate(ModerationAction.Warn(memberId, words)) }

    /**
     * Sets the group's causal rate limit: at most [posts] posts by a plain member between two messages by others
     * (1-100), counted on every phone from signed data, never by clock; `null` turns it off.
     */
    suspend fun setRateLimit(posts: Int?): ModerationEntry =
        io { moderate(ModerationAction.RateLimit((posts ?: 0).toUIntArg("posts"))) }

    /** Sets how many distinct members' reports of one message hide it pending review (1-50). */
    suspend fun setReportThreshold(members: Int): ModerationEntry =
        io { moderate(ModerationAction.ReportThreshold(members.toUIntArg("members"))) }

    /**
     * Reports a message to the group's moderators, with a reason and an optional note: sealed to them, it leaves with
     * this phone's next sync, and only they learn who reported.
     */
    suspend fun reportMessage(messageId: String, reason: ReportReason, note: String = ""): String =
        io { report(messageId, null, reason, note) }

    /** Reports a member to the group's moderators (as [reportMessage]). */
    suspend fun reportMember(memberId: String, reason: ReportReason, note: String = ""): String =
        io { report(null, memberId, reason, note) }

    /** The reports this phone opened, newest first (owners and moderators only). */
    suspend fun reports(): List<Report> = io { reports() }

    /** Dismisses a report on this moderator's phone: it counts against its reporter. */
    suspend fun dismissReport(reportId: String): Unit = io { handleReport(ReportHandling.Dismiss(reportId)) }

    /** Mutes (or, with [muted] false, counts again) a member's reports on this moderator's phone. */
    suspend fun muteReporter(memberId: String, muted: Boolean = true): Unit =
        io { handleReport(ReportHandling.MuteReporter(memberId, muted)) }

    /** The warnings moderators sent this profile in the group. */
    suspend fun warnings(): List<Warning> = io { warnings() }

    /** The premoderation setting in effect. */
    suspend fun premoderation(): Premoderation = io { premoderation() }

    /** The group's rules in effect and whether this profile accepted them. */
    suspend fun rules(): GroupRules = io { rules() }

    /** Sets new rules (owners and moderators), which members accept before posting again; "" clears them. */
    suspend fun setRules(rules: String): GroupRules = io { setRules(rules) }

    /** Accepts the group's rules in effect: a signed change every phone checks, which posting needs. */
    suspend fun acceptRules(): GroupRules = io { acceptRules() }

    /** Whether this profile may post now, and if not why; whether its posts wait for approval. */
    suspend fun postingStatus(): PostingStatus = io { postingStatus() }

    /** The moderation log, newest first, at most [limit] entries (owners and moderators only). */
    suspend fun moderationLog(limit: Int = 100): List<ModerationEntry> =
        io { moderationLog(limit.toUIntArg("limit")) }

    /** For the author of a hidden message (or a moderator): a kind explanation, the reason and crisis services. */
    suspend fun hiddenMessageHelp(messageId: String): HiddenMessageHelp = io { hiddenMessageHelp(messageId) }

    /** Registers [listener] for this group's changes (prefer [Kindred.updates]); close the handle to unregister. */
    fun subscribe(listener: UpdateListener): SubscriptionHandle = group.subscribe(listener)

    /**
     * Adds a member directly by key (owners and moderators), for someone whose member id is already known.
     */
    suspend fun addMember(memberId: String, displayName: String, role: Role): GroupDetails = io { addMember(memberId, displayName, role) }

    /**
     * Proposes a group goal: members join it with their own private targets (`KindredProfile.join_group_goal`).
     */
    suspend fun createGroupGoal(title: String): GroupGoal = io { createGroupGoal(title) }

    /**
     * Creates a single-use invitation, valid for `valid_for_ms` (at most 30 days): text for a QR code.
     */
    suspend fun createInvite(validForMs: Long): String = io { createInvite(validForMs) }

    /**
     * Name, description, guidelines, members and roles, as this phone knows them now.
     */
    suspend fun details(): GroupDetails = io { details() }

    /**
     * Changes the text of one of this profile's own messages.
     */
    suspend fun editMessage(messageId: String, text: String): Message = io { editMessage(messageId, text) }

    /**
     * A signed bundle of everything this profile holds of the group, to carry as a file.
     */
    suspend fun exportBundle(): ByteArray = io { exportBundle() }

    /**
     * Goals shared with this group (this profile's and other members'). Archived ones only with `include_archived`.
     */
    suspend fun goals(includeArchived: Boolean): List<Goal> = io { goals(includeArchived) }

    /**
     * This group's goals, running ones first, each with how many met their own target in each of the last four
     * weeks (never who).
     */
    suspend fun groupGoals(): List<GroupGoal> = io { groupGoals() }

    /**
     * The group's id (hex), stable across devices: store it to find the group again with `KindredProfile.group`.
     */
    fun id(): GroupId = group.id()

    /**
     * Marks everything in the group as read on this phone.
     */
    suspend fun markRead(): Unit = io { markRead() }

    suspend fun message(messageId: String): Message = io { message(messageId) }

    /**
     * Up to `limit` messages, oldest first: the newest, or those just older than `before`.
     */
    suspend fun messages(limit: UInt, before: MessageCursor?): List<Message> = io { messages(limit, before) }

    suspend fun post(message: NewMessage): Message = io { post(message) }

    /**
     * Publishes a signed crisis resource directory file into the group (owners and moderators): it reaches every
     * member with the next sync or bundle. Its publisher must be the owner or trusted by the owner; at most 48 KiB.
     * `installed` says whether it is now the publisher's directory in the group.
     */
    suspend fun publishResourceDirectory(file: ByteArray): DirectoryImport = io { publishResourceDirectory(file) }

    /**
     * Sets this profile's reaction; `None` takes it back.
     */
    suspend fun react(messageId: String, emoji: String?): Message = io { react(messageId, emoji) }

    /**
     * Removes a member (owners and moderators). Their later posts are kept for causality and never shown.
     */
    suspend fun removeMember(memberId: String): GroupDetails = io { removeMember(memberId) }

    /**
     * Erases one of this profile's own messages: its words (every version) leave this phone now and every phone
     * running Kindred that receives the erasure; a placeholder stays (`Message.removed`). A modified app may have kept
     * a copy: say "erased from phones running Kindred", never "deleted everywhere".
     */
    suspend fun eraseMessage(messageId: String): Message = io { eraseMessage(messageId) }

    /** The same as [eraseMessage] (its name before erasure reached every phone). */
    @Deprecated("Erasure reaches every phone running Kindred", ReplaceWith("eraseMessage(messageId)"))
    suspend fun removeMessage(messageId: String): Message = eraseMessage(messageId)

    /**
     * Leaves the group (anyone but its owner). With [erase], everything this profile wrote in it is erased first.
     * Sync afterwards, so the others hear of it.
     */
    suspend fun leave(erase: Boolean = false): GroupDetails = io { leave(erase) }

    /**
     * Posts check-in `checkin_id` to the group as just its face or a short summary, with its note only when
     * `with_note` (tags never).
     */
    suspend fun shareCheckin(checkinId: String, shareAs: ShareAs, withNote: Boolean): Message = io { shareCheckin(checkinId, shareAs, withNote) }

    /**
     * Posts an instrument result to the group: its title, score and band, never its answers or flags.
     */
    suspend fun shareInstrumentResult(resultId: String): Message = io { shareInstrumentResult(resultId) }

    /**
     * Marks a publisher's key trusted to publish directories into the group, or no longer (owner only); its
     * directories stop being used on every phone that learns of it. Returns the group, with `trusted_publishers`.
     */
    suspend fun trustPublisher(publisher: String, trusted: Boolean): GroupDetails = io { trustPublisher(publisher, trusted) }

    suspend fun unreadCount(): ULong = io { unreadCount() }

    /** Frees this handle (the group and its profile stay open). */
    override fun close() = group.close()

    override fun equals(other: Any?): Boolean = other is Group && other.group.id() == group.id()

    override fun hashCode(): Int = group.id().hashCode()

    override fun toString(): String = "Group(${group.id()})"

    private suspend inline fun <T> io(crossinline call: KindredGroup.() -> T): T =
        withContext(Dispatchers.IO) { group.call() }
}
