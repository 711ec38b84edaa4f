import Foundation
public import KindredCore

extension Kindred {
    /// One group of an opened profile: the object a conversation screen holds. Its messages, members, invitations,
    /// shared goals, live updates and bundle are methods here, so the group is passed once instead of its id to every
    /// call.
    ///
    /// Get one from ``Kindred/createGroup(name:description:guidelines:)`` or ``Kindred/group(_:)``; store its ``id``
    /// to find it again after the app restarts. A thin layer over the generated group object, with the same
    /// conventions as ``Kindred``: every error is a ``KindredError``, disk work runs on a background thread, and
    /// once the profile is closed every call throws ``KindredError/Closed``.
    ///
    /// `Group` is `Sendable`: share it between tasks and actors.
    public final class Group: Identifiable, Sendable {
        /// The group's id (hex), stable across devices.
        public let id: String
        /// The generated object this wraps.
        let generated: KindredGroup
        /// The profile this group belongs to (kept alive as long as the group is).
        public let kindred: Kindred

        init(_ generated: KindredGroup, of kindred: Kindred) {
            self.generated = generated
            self.kindred = kindred
            self.id = generated.id()
        }

        /// Name, description, guidelines, members and roles, as this phone knows them now.
        public func details() async throws -> GroupDetails {
            try await bridgeAsync { [self] in try generated.details() }
        }

        // MARK: Messages

        /// Posts a message, optionally as a reply and behind a content warning.
        @discardableResult
        public func post(_ text: String, replyTo messageId: String? = nil, contentWarning: String? = nil) async throws -> Message {
            let message = NewMessage(text: text, replyTo: messageId, contentWarning: contentWarning)
            return try await bridgeAsync { [self] in try generated.post(message: message) }
        }

        /// Replies to `message`, one of this group's.
        @discardableResult
        public func reply(_ text: String, to message: Message, contentWarning: String? = nil) async throws -> Message {
            try await post(text, replyTo: message.id, contentWarning: contentWarning)
        }

        /// Replaces the text of one's own message.
        @discardableResult
        public func edit(messageId: String, text: String) async throws -> Message {
            try await bridgeAsync { [self] in try generated.editMessage(messageId: messageId, text: text) }
        }

        /// Erases one of this profile's own messages: its words (every version) leave this phone now and every phone
        /// running Kindred that receives the erasure; a placeholder stays (`Message.removed`). A modified app may
        /// have kept a copy: say "erased from phones running Kindred", never "deleted everywhere".
        @discardableResult
        public func erase(messageId: String) async throws -> Message {
            try await bridgeAsync { [self] in try generated.eraseMessage(messageId: messageId) }
        }

        /// The same as `erase(messageId:)` (its name before erasure reached every phone).
        @available(*, deprecated, renamed: "erase(messageId:)")
        @discardableResult
        public func remove(messageId: String) async throws -> Message {
            try await erase(messageId: messageId)
        }

        /// Leaves the group (anyone but its owner). With `erase`, everything this profile wrote in it is erased
        /// first. Sync afterwards, so the others hear of it.
        @discardableResult
        public func leave(erase: Bool = false) async throws -> GroupDetails {
            try await bridgeAsync { [self] in try generated.leave(erase: erase) }
        }

        /// Sets this profile's reaction to a message, replacing an earlier one; `nil` takes it back.
        @discardableResult
        public func react(_ emoji: String?, to messageId: String) async throws -> Message {
            try await bridgeAsync { [self] in try generated.react(messageId: messageId, emoji: emoji) }
        }

        /// One message.
        public func message(id messageId: String) async throws -> Message {
            try await bridgeAsync { [self] in try generated.message(messageId: messageId) }
        }

        /// Up to `limit` messages, oldest first: the newest ones, or those just older than `before`
        /// (pass the first shown message's ``Message/cursor`` to page back).
        public func messages(limit: UInt32 = 50, before: MessageCursor? = nil) async throws -> [Message] {
            try await bridgeAsync { [self] in try generated.messages(limit: limit, before: before) }
        }

        /// Marks everything in the group as read on this phone.
        public func markRead() async throws {
            try await bridgeAsync { [self] in try generated.markRead() }
        }

        /// Messages by others that arrived since the group was last marked read.
        public func unreadCount() async throws -> UInt64 {
            try await bridgeAsync { [self] in try generated.unreadCount() }
        }

        // MARK: Goals

        /// Goals shared with this group, this profile's and other members'. Archived ones only with `includeArchived`.
        public func goals(includeArchived: Bool = false) async throws -> [Goal] {
            try await bridgeAsync { [self] in try generated.goals(includeArchived: includeArchived) }
        }

        /// Proposes a group goal: members join it with their own private targets (``Kindred/joinGroupGoal(id:cadence:)``).
        @discardableResult
        public func createGroupGoal(_ title: String) async throws -> GroupGoal {
            try await bridgeAsync { [self] in try generated.createGroupGoal(title: title) }
        }

        /// This group's goals, each with how many members met their own target in each of the last four weeks.
        public func groupGoals() async throws -> [GroupGoal] {
            try await bridgeAsync { [self] in try generated.groupGoals() }
        }

        // MARK: Moderation

        /// Hides a message from the group (owners and moderators; a moderator only a plain member's), with a reason
        /// its author reads; the entry joins the group's moderation log and reaches every member with the next sync.
        @discardableResult
        public func hideMessage(id messageId: String, why: String) async throws -> ModerationEntry {
            try await bridgeAsync { [self] in try generated.moderate(action: .hide(messageId: messageId, why: why)) }
        }

        /// Erases a member's message from every phone running Kindred (self-harm instructions, someone's address),
        /// with a reason kept in the moderation log (never the words); the rights of `hideMessage`.
        @discardableResult
        public func eraseMessage(id messageId: String, why: String) async throws -> ModerationEntry {
            try await bridgeAsync { [self] in try generated.moderate(action: .erase(messageId: messageId, why: why)) }
        }

        /// Shows a hidden message to the group again, with a reason.
        @discardableResult
        public func restoreMessage(id messageId: String, why: String) async throws -> ModerationEntry {
            try await bridgeAsync { [self] in try generated.moderate(action: .restore(messageId: messageId, why: why)) }
        }

        /// Removes a member and records it, with a reason, in the moderation log (the rights of `removeMember`).
        @discardableResult
        public func removeMember(_ memberId: String, because why: String) async throws -> ModerationEntry {
            try await bridgeAsync { [self] in try generated.moderate(action: .remove(memberId: memberId, why: why)) }
        }

        /// Takes a removed member back as a plain member and records it, with a reason, in the moderation log.
        @discardableResult
        public func readdMember(_ memberId: String, because why: String) async throws -> ModerationEntry {
            try await bridgeAsync { [self] in try generated.moderate(action: .readd(memberId: memberId, why: why)) }
        }

        /// Suspends a member's posting until lifted or, with `days`, until a moderator's phone sees the period
        /// pass. What they post meanwhile shows nowhere, even afterwards.
        @discardableResult
        public func suspendMember(_ memberId: String, days: UInt32? = nil, because why: String) async throws
            -> ModerationEntry
        {
            try await bridgeAsync { [self] in try generated.moderate(action: .suspend(memberId: memberId, days: days, why: why)) }
        }

        /// Lifts a member's suspension.
        @discardableResult
        public func liftSuspension(_ memberId: String, because why: String) async throws -> ModerationEntry {
            try await bridgeAsync { [self] in try generated.moderate(action: .lift(memberId: memberId, why: why)) }
        }

        /// Approves a message waiting for approval (premoderation): the group sees it.
        @discardableResult
        public func approveMessage(id messageId: String) async throws -> ModerationEntry {
            try await bridgeAsync { [self] in try generated.moderate(action: .approve(messageId: messageId)) }
        }

        /// Sets whose posts wait for a moderator's approval: members who join from now on.
        @discardableResult
        public func setPremoderation(_ premoderation: Premoderation) async throws -> ModerationEntry {
            try await bridgeAsync { [self] in try generated.moderate(action: .premoderate(premoderation: premoderation)) }
        }

        /// Warns a member: the words are sealed to them alone; the moderation log keeps who warned whom and when.
        @discardableResult
        public func warnMember(_ memberId: String, words: String) async throws -> ModerationEntry {
            try await bridgeAsync { [self] in try generated.moderate(action: .warn(memberId: memberId, words: words)) }
        }

        /// Sets the group's causal rate limit: at most `posts` posts by a plain member between two messages by
        /// others (1-100), counted on every phone from signed data, never by clock; `nil` turns it off.
        @discardableResult
        public func setRateLimit(_ posts: UInt32?) async throws -> ModerationEntry {
            try await bridgeAsync { [self] in try generated.moderate(action: .rateLimit(posts: posts ?? 0)) }
        }

        /// Sets how many distinct members' reports of one message hide it pending review (1-50).
        @discardableResult
        public func setReportThreshold(_ members: UInt32) async throws -> ModerationEntry {
            try await bridgeAsync { [self] in try generated.moderate(action: .reportThreshold(members: members)) }
        }

        /// Reports a message to the group's moderators, with a reason and an optional note: sealed to them, it
        /// leaves with this phone's next sync, and only they learn who reported.
        @discardableResult
        public func reportMessage(id messageId: String, reason: ReportReason, note: String = "") async throws -> String {
            try await bridgeAsync { [self] in
                try generated.report(messageId: messageId, memberId: nil, reason: reason, note: note)
            }
        }

        /// Reports a member to the group's moderators (as `reportMessage`).
        @discardableResult
        public func reportMember(_ memberId: String, reason: ReportReason, note: String = "") async throws -> String {
            try await bridgeAsync { [self] in
                try generated.report(messageId: nil, memberId: memberId, reason: reason, note: note)
            }
        }

        /// The reports this phone opened, newest first (owners and moderators only).
        public func reports() async throws -> [Report] {
            try await bridgeAsync { [self] in try generated.reports() }
        }

        /// Dismisses a report on this moderator's phone: it counts against its reporter.
        public func dismissReport(id reportId: String) async throws {
            try await bridgeAsync { [self] in try generated.handleReport(handling: .dismiss(reportId: reportId)) }
        }

        /// Mutes (or counts again) a member's reports on this moderator's phone.
        public func muteReporter(_ memberId: String, muted: Bool = true) async throws {
            try await bridgeAsync { [self] in
                try generated.handleReport(handling: .muteReporter(memberId: memberId, muted: muted))
            }
        }

        /// The warnings moderators sent this profile in the group.
        public func warnings() async throws -> [Warning] {
            try await bridgeAsync { [self] in try generated.warnings() }
        }

        /// The premoderation setting in effect.
        public func premoderation() async throws -> Premoderation {
            try await bridgeAsync { [self] in try generated.premoderation() }
        }

        /// The group's rules in effect and whether this profile accepted them.
        public func rules() async throws -> GroupRules {
            try await bridgeAsync { [self] in try generated.rules() }
        }

        /// Sets new rules (owners and moderators), which members accept before posting again; "" clears them.
        @discardableResult
        public func setRules(_ rules: String) async throws -> GroupRules {
            try await bridgeAsync { [self] in try generated.setRules(rules: rules) }
        }

        /// Accepts the group's rules in effect: a signed change every phone checks, which posting needs.
        @discardableResult
        public func acceptRules() async throws -> GroupRules {
            try await bridgeAsync { [self] in try generated.acceptRules() }
        }

        /// Whether this profile may post now, and if not why; whether its posts wait for approval.
        public func postingStatus() async throws -> PostingStatus {
            try await bridgeAsync { [self] in try generated.postingStatus() }
        }

        /// The moderation log, newest first, at most `limit` entries (owners and moderators only).
        public func moderationLog(limit: UInt32 = 100) async throws -> [ModerationEntry] {
            try await bridgeAsync { [self] in try generated.moderationLog(limit: limit) }
        }

        /// For the author of a hidden message (or a moderator): a kind explanation, the reason and crisis services.
        public func hiddenMessageHelp(id messageId: String) async throws -> HiddenMessageHelp {
            try await bridgeAsync { [self] in try generated.hiddenMessageHelp(messageId: messageId) }
        }

        // MARK: Membership

        /// Adds someone whose member id is already known (owners and moderators only), or changes their role.
        @discardableResult
        public func addMember(_ memberId: String, displayName: String, role: Role = .member) async throws -> GroupDetails {
            try await bridgeAsync { [self] in
                try generated.addMember(memberId: memberId, displayName: displayName, role: role)
            }
        }

        /// Removes a member (owners and moderators only). Their later posts are kept but never shown.
        @discardableResult
        public func removeMember(_ memberId: String) async throws -> GroupDetails {
            try await bridgeAsync { [self] in try generated.removeMember(memberId: memberId) }
        }

        /// Creates a single-use invitation valid for `duration` (at most 30 days): text for a QR code.
        /// - Throws: ``KindredError/InvalidInput(field:reason:)`` (field `validity`) for a duration out of range,
        ///   ``KindredError/NotPermitted(reason:)`` unless this profile is an owner or moderator.
        public func createInvite(validFor duration: TimeInterval) async throws -> String {
            let millis = kindredMillis(interval: duration)
            return try await bridgeAsync { [self] in try generated.createInvite(validForMs: millis) }
        }

        // MARK: Sharing by choice (the check-in or result itself stays on this phone)

        /// Posts one of the person's check-ins to the group as just its face (`.emoji`) or a short summary, with its
        /// note only when `withNote` (tags never).
        @discardableResult
        public func shareCheckin(id checkinId: String, as shareAs: ShareAs, withNote: Bool = false) async throws -> Message {
            try await bridgeAsync { [self] in try generated.shareCheckin(checkinId: checkinId, shareAs: shareAs, withNote: withNote) }
        }

        /// Posts an instrument result to the group: its title, score and band, never its answers or flags.
        @discardableResult
        public func shareInstrumentResult(id resultId: String) async throws -> Message {
            try await bridgeAsync { [self] in try generated.shareInstrumentResult(resultId: resultId) }
        }

        // MARK: Crisis resource directories

        /// Publishes a signed crisis resource directory file into the group (owners and moderators): it reaches every
        /// member with the next sync or bundle. Its publisher must be the owner or trusted by the owner
        /// (``trustPublisher(_:trusted:)``); at most 48 KiB. `installed` says whether it is now the publisher's
        /// directory in the group.
        @discardableResult
        public func publishResourceDirectory(_ file: Data) async throws -> DirectoryImport {
            try await bridgeAsync { [self] in try generated.publishResourceDirectory(file: file) }
        }

        /// Marks a publisher's key trusted to publish directories into the group, or no longer (owner only): its
        /// directories stop being used on every phone that learns of it. Returns the group (`trustedPublishers`).
        @discardableResult
        public func trustPublisher(_ publisher: String, trusted: Bool = true) async throws -> GroupDetails {
            try await bridgeAsync { [self] in try generated.trustPublisher(publisher: publisher, trusted: trusted) }
        }

        /// A signed bundle of everything this profile holds of the group, to carry to another phone as a file.
        public func exportBundle() async throws -> Data {
            try await bridgeAsync { [self] in try generated.exportBundle() }
        }
    }
}
