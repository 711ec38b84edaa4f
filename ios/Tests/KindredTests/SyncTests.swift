import Foundation
import XCTest
import Kindred

/// How one side's ``SyncSession/run(send:receive:isolation:)`` ended.
typealias SideOutcome = Result<SyncReport, any Error>

/// Carries two sessions over an in-memory link (one `AsyncStream` per direction, frames whole and in order), each
/// side's `run` in its own task, as two phones would. When a side's `run` ends, returning or throwing, it closes its
/// direction of the link, as an app closes the connection. Fails (`TimedOut`) if either side takes longer than
/// `seconds`.
///
/// - Parameters:
///   - tamper: may change the dialler's frames on the way (its arguments: the frame's index from 0, the frame).
///   - watch: sees every frame that crosses, both ways.
///   - cutAfter: the link drops (both directions close) once the listener has sent this many frames.
func carry(
    _ dialling: SyncSession,
    _ listening: SyncSession,
    within seconds: Double = 30,
    cutAfter: Int? = nil,
    watch: @escaping @Sendable (Data) -> Void = { _ in },
    tamper: @escaping @Sendable (Int, Data) -> Data = { $1 }
) async throws -> (dialler: SideOutcome, listener: SideOutcome) {
    let (toListener, toListenerInput) = AsyncStream.makeStream(of: Data.self)
    let (toDialler, toDiallerInput) = AsyncStream.makeStream(of: Data.self)
    let dialler = Task { () -> SideOutcome in
        defer { toListenerInput.finish() }
        var incoming = toDialler.makeAsyncIterator()
        var index = 0
        do {
            return .success(try await dialling.run(
                send: { frame in
                    let frame = tamper(index, frame)
                    index += 1
                    watch(frame)
                    toListenerInput.yield(frame)
                },
                receive: { await incoming.next() }))
        } catch {
            return .failure(error)
        }
    }
    let listener = Task { () -> SideOutcome in
        defer { toDiallerInput.finish() }
        var incoming = toListener.makeAsyncIterator()
        var sent = 0
        do {
            return .success(try await listening.run(
                send: { frame in
                    if let cutAfter, sent >= cutAfter {
                        toDiallerInput.finish()
                        toListenerInput.finish()
                        return
                    }
                    sent += 1
                    watch(frame)
                    toDiallerInput.yield(frame)
                },
                receive: { await incoming.next() }))
        } catch {
            return .failure(error)
        }
    }
    let diallerOutcome = try await value(of: dialler, within: seconds)
    let listenerOutcome = try await value(of: listener, within: seconds)
    return (diallerOutcome, listenerOutcome)
}

/// The largest of the sizes it is shown, from any thread.
final class LargestFrame: @unchecked Sendable {
    // `largest` is guarded by `lock`.
    private let lock = NSLock()
    private var largest = 0

    func see(_ frame: Data) {
        lock.lock()
        largest = max(largest, frame.count)
        lock.unlock()
    }

    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return largest
    }
}

/// One sync between two profiles: `dialler` connects (expecting `peer`, if given), `listener` accepts. Returns both
/// reports; throws if either side failed.
@discardableResult
func sync(
    _ dialler: Kindred,
    with listener: Kindred,
    expecting peer: String? = nil
) async throws -> (dialler: SyncReport, listener: SyncReport) {
    let dialling = try dialler.connectSync(expecting: peer)
    let listening = try await listener.acceptSync()
    let (d, l) = try await carry(dialling, listening)
    return (try d.get(), try l.get())
}

/// Whether `update` says that `messageId` of `groupId` arrived or changed.
@Sendable func mentions(_ update: Update, message messageId: String, of groupId: String) -> Bool {
    if case .messages(let group, let ids) = update { return group == groupId && ids.contains(messageId) }
    return false
}

/// What an app's screen model looks like: main-actor state touched from `run`'s closures, which run in the caller's
/// isolation (this compiling under Swift 6 strict concurrency is half the point).
@MainActor
final class SyncScreenModel {
    private(set) var framesSent = 0
    private(set) var framesReceived = 0
    private(set) var lastReport: SyncReport?

    func sync(
        _ session: SyncSession,
        over link: (out: AsyncStream<Data>.Continuation, in: AsyncStream<Data>)
    ) async throws {
        defer { link.out.finish() }
        lastReport = try await session.run(
            send: { frame in
                self.framesSent += 1
                link.out.yield(frame)
            },
            receive: {
                // A new iterator each time (an `AsyncStream` allows that, one at a time): one kept in main-actor state
                // could not be awaited here without `next(isolation:)`, which needs iOS 18 / macOS 15.
                var incoming = link.in.makeAsyncIterator()
                let frame = await incoming.next()
                if frame != nil { self.framesReceived += 1 }
                return frame
            })
    }
}

final class SyncTests: XCTestCase {
    /// Alice creates "Circle"; every other name becomes a member by an invitation and a sync with Alice. Returns the
    /// profiles (Alice first) and each one's `Group`.
    func makeCircle(_ names: [String]) async throws -> [(kindred: Kindred, group: Kindred.Group)] {
        let (alice, _) = try await makeProfile(self, name: "Alice")
        let group = try await alice.createGroup(name: "Circle")
        var circle = [(kindred: alice, group: group)]
        for name in names {
            let (member, _) = try await makeProfile(self, name: name)
            try await member.joinGroup(code: try await group.createInvite(validFor: 3600))
            let (report, _) = try await sync(member, with: alice)
            XCTAssertEqual(report.joinedGroups, [group.id])
            circle.append((member, try await member.group(group.id)))
        }
        return circle
    }

    func testAModeratorHidesAMessageItsAuthorReadsWhyAndPersonalControlsStayOnOnePhone() async throws {
        let circle = try await makeCircle(["Bob", "Carol"])
        let (alice, group) = circle[0], (bob, bobsGroup) = circle[1], (carol, carolsGroup) = circle[2]
        let hostile = try await bobsGroup.post("you are all pathetic")
        _ = try await sync(bob, with: alice)
        try await assertEqual(await group.hideMessage(id: hostile.id, why: "hostile to the group").kind, .hide)
        _ = try await sync(carol, with: alice)
        _ = try await sync(bob, with: alice)
        let seenByCarol = try await carolsGroup.message(id: hostile.id)
        XCTAssertEqual(seenByCarol.text, "", "hidden from the group")
        XCTAssertNil(seenByCarol.moderation?.why)
        let seenByBob = try await bobsGroup.message(id: hostile.id)
        XCTAssertEqual(seenByBob.text, "you are all pathetic")
        XCTAssertEqual(seenByBob.moderation?.why, "hostile to the group")
        try await assertEqual(await bobsGroup.hiddenMessageHelp(id: hostile.id).explanation.contains("not a judgement"), true)
        await assertKindredError(try await carolsGroup.moderationLog(), "NotPermitted") {
            if case .NotPermitted = $0 { return true } else { return false }
        }
        try await assertEqual(await group.moderationLog().map(\.why), ["hostile to the group"])
        try await group.restoreMessage(id: hostile.id, why: "talked it through")
        try await assertEqual(await group.message(id: hostile.id).moderation == nil, true)
        let bobId = try bob.info.memberId
        let removal = try await group.removeMember(bobId, because: "a pause after repeated hostility")
        XCTAssertEqual(removal.kind, .remove)
        XCTAssertNil(removal.messageId)
        try await assertEqual(await group.readdMember(bobId, because: "back after a talk").kind, .readd)
        try await assertEqual(await group.moderationLog().count, 4)

        // Carol mutes Bob on her phone: his posts leave her timeline; nobody else is affected or told.
        let hello = try await bobsGroup.post("hello")
        _ = try await sync(bob, with: alice)
        _ = try await sync(carol, with: alice)
        let bobsId = try bob.info.memberId
        try await carol.setMemberControl(.muted, for: bobsId)
        try await assertEqual(await carolsGroup.messages().contains { $0.id == hello.id }, false)
        try await assertEqual(await group.messages().contains { $0.id == hello.id }, true)
        try await assertEqual(await carol.mutedMembers().map(\.control), [.muted])
        try await assertEqual(await carol.muteWord("Spoiler"), ["spoiler"])
        try await assertEqual(await carol.foldWarnings(), true)
        try await carol.setMemberControl(.none, for: bobsId)
        try await assertEqual(await carolsGroup.messages().contains { $0.id == hello.id }, true)
    }

    func testRulesAreAcceptedBeforePostingASuspensionHoldsUntilLiftedAndANewcomersPostWaits() async throws {
        let (alice, _) = try await makeProfile(self, name: "Alice")
        let group = try await alice.createGroup(name: "Circle", guidelines: "Be kind.")
        let (bob, _) = try await makeProfile(self, name: "Bob")
        try await bob.joinGroup(code: try await group.createInvite(validFor: 3600))
        _ = try await sync(bob, with: alice)
        let bobsGroup = try await bob.group(group.id)
        try await assertEqual(await bobsGroup.rules().accepted, false)
        await assertKindredError(try await bobsGroup.post("hello"), "NotPermitted") {
            if case .NotPermitted = $0 { return true } else { return false }
        }
        try await assertEqual(await bobsGroup.acceptRules().accepted, true)
        _ = try await bobsGroup.post("hello")
        _ = try await sync(bob, with: alice)

        let bobId = try bob.info.memberId
        let suspension = try await group.suspendMember(bobId, days: 2, because: "cool off")
        XCTAssertEqual(suspension.kind, .suspend)
        XCTAssertNotNil(suspension.until)
        _ = try await sync(bob, with: alice)
        try await assertEqual(await bobsGroup.postingStatus().suspended, true)
        await assertKindredError(try await bobsGroup.post("let me"), "NotPermitted") {
            if case .NotPermitted = $0 { return true } else { return false }
        }
        try await group.liftSuspension(bobId, because: "talked it through")
        _ = try await sync(bob, with: alice)
        _ = try await bobsGroup.post("sorry")
        _ = try await sync(bob, with: alice)
        try await assertEqual(await group.messages().map(\.text), ["hello", "sorry"])

        try await group.setPremoderation(.untilApproved(posts: 1))
        try await assertEqual(await group.premoderation(), .untilApproved(posts: 1))
        let (carol, _) = try await makeProfile(self, name: "Carol")
        try await carol.joinGroup(code: try await group.createInvite(validFor: 3600))
        _ = try await sync(carol, with: alice)
        let carolsGroup = try await carol.group(group.id)
        try await carolsGroup.acceptRules()
        try await assertEqual(await carolsGroup.postingStatus().premoderated, true)
        let waiting = try await carolsGroup.post("new here")
        XCTAssertTrue(waiting.awaitingApproval)
        _ = try await sync(carol, with: alice)
        _ = try await sync(bob, with: alice)
        try await assertEqual(await bobsGroup.messages().contains { $0.id == waiting.id }, false)
        try await group.approveMessage(id: waiting.id)
        _ = try await sync(bob, with: alice)
        try await assertEqual(await bobsGroup.messages().contains { $0.id == waiting.id }, true)
        try await assertEqual(
            await group.moderationLog().map(\.kind), [.approve, .policy, .lift, .suspend, .rules])
    }

    func testAReportIsSealedForTheModeratorsAndAWarningForItsMember() async throws {
        let circle = try await makeCircle(["Bob", "Carol"])
        let (alice, group) = circle[0], (bob, bobsGroup) = circle[1], (carol, carolsGroup) = circle[2]
        let hostile = try await bobsGroup.post("you are all pathetic")
        _ = try await sync(bob, with: alice)
        _ = try await sync(carol, with: alice)
        let reportId = try await carolsGroup.reportMessage(id: hostile.id, reason: .hostile, note: "aimed at me")
        XCTAssertEqual(reportId.count, 32)
        await assertKindredError(try await bobsGroup.reportMessage(id: hostile.id, reason: .spam), "InvalidInput") {
            if case .InvalidInput = $0 { return true } else { return false }
        }
        await assertKindredError(try await carolsGroup.reports(), "NotPermitted") {
            if case .NotPermitted = $0 { return true } else { return false }
        }
        // Sealed items leave at this phone's next slot (twice a day), so nothing has reached Alice yet.
        _ = try await sync(carol, with: alice)
        try await assertEqual(await group.reports().count, 0)
        let warning = try await group.warnMember(try bob.info.memberId, words: "Please keep it kind.")
        XCTAssertEqual(warning.kind, .warn)
        XCTAssertFalse(warning.why.contains("kind."))
        try await group.setReportThreshold(2)
        try await assertEqual(await bobsGroup.warnings().count, 0)
        try await group.muteReporter(try carol.info.memberId)
        await assertKindredError(try await group.dismissReport(id: String(repeating: "0", count: 32)), "NotFound") {
            if case .NotFound = $0 { return true } else { return false }
        }
    }

    func testAnErasedMessageLeavesEveryPhoneAndAMemberLeavesErasing() async throws {
        let circle = try await makeCircle(["Bob", "Carol"])
        let (alice, group) = circle[0], (bob, bobsGroup) = circle[1], (carol, carolsGroup) = circle[2]
        let mine = try await bobsGroup.post("my address is 12 Hill Road")
        let doxx = try await carolsGroup.post("bob lives at 12 Hill Road")
        _ = try await sync(bob, with: alice)
        _ = try await sync(carol, with: alice)
        try await assertEqual(await group.message(id: mine.id).text, "my address is 12 Hill Road")
        try await assertEqual(await bobsGroup.erase(messageId: mine.id).removed, true)
        let entry = try await group.eraseMessage(id: doxx.id, why: "someone's address")
        XCTAssertEqual(entry.kind, .erase)
        XCTAssertFalse(entry.why.contains("Hill"))
        await assertKindredError(try await carolsGroup.eraseMessage(id: mine.id, why: "no"), "NotPermitted") {
            if case .NotPermitted = $0 { return true } else { return false }
        }
        _ = try await sync(bob, with: alice)
        _ = try await sync(carol, with: alice)
        let seen = try await carolsGroup.message(id: mine.id)
        XCTAssertTrue(seen.removed && !seen.erasedByModerator && seen.text.isEmpty)
        let erased = try await carolsGroup.message(id: doxx.id)
        XCTAssertTrue(erased.removed && erased.erasedByModerator && erased.text.isEmpty)
        await assertKindredError(try await group.leave(), "NotPermitted") {
            if case .NotPermitted = $0 { return true } else { return false }
        }
        let kept = try await carolsGroup.post("one more thing")
        try await carolsGroup.leave(erase: true)
        _ = try await sync(carol, with: alice)
        let carolId = try carol.info.memberId
        try await assertEqual(await group.details().members.contains { $0.memberId == carolId }, false)
        try await assertEqual(await group.message(id: kept.id).removed, true)
    }

    func testARateLimitStopsAMemberAfterNPostsUntilSomeoneElseWrites() async throws {
        let circle = try await makeCircle(["Bob", "Carol"])
        let (alice, group) = circle[0], (bob, bobsGroup) = circle[1], (carol, carolsGroup) = circle[2]
        await assertKindredError(try await bobsGroup.setRateLimit(1), "NotPermitted") {
            if case .NotPermitted = $0 { return true } else { return false }
        }
        await assertKindredError(try await group.setRateLimit(101), "InvalidInput") {
            if case .InvalidInput = $0 { return true } else { return false }
        }
        try await group.setRateLimit(2)
        _ = try await sync(bob, with: alice)
        try await assertEqual(await bobsGroup.postingStatus().rateLimit, 2)
        _ = try await bobsGroup.post("one")
        _ = try await bobsGroup.post("two")
        try await assertEqual(await bobsGroup.postingStatus().rateLimited, true)
        await assertKindredError(try await bobsGroup.post("three"), "NotPermitted") {
            if case .NotPermitted = $0 { return true } else { return false }
        }
        _ = try await carolsGroup.post("hello Bob")
        _ = try await sync(carol, with: alice)
        _ = try await sync(bob, with: alice)
        try await assertEqual(await bobsGroup.postingStatus().rateLimited, false)
        _ = try await bobsGroup.post("three")
        _ = try await sync(bob, with: alice)
        try await assertEqual(await group.messages().map(\.text).sorted(), ["hello Bob", "one", "three", "two"])
    }

    func testCheersAndAGroupGoalReachTheGroupButNotWhoFellShort() async throws {
        let circle = try await makeCircle(["Bob", "Carol"])
        let (alice, group) = circle[0], (bob, bobsGroup) = circle[1], (carol, carolsGroup) = circle[2]
        let walk = try await alice.createGoal("Walk", times: 3, per: .week, sharedWith: group.id)
        let together = try await group.createGroupGoal("Move a little more")
        _ = try await sync(bob, with: alice)
        _ = try await sync(carol, with: alice)

        // Bob cheers Alice's walk; Alice cannot cheer her own.
        try await assertEqual(await bob.cheerGoal(goalId: walk.id).map(\.name), ["Bob"])
        await assertKindredError(try await alice.cheerGoal(goalId: walk.id), "NotPermitted") {
            if case .NotPermitted = $0 { return true } else { return false }
        }

        // Bob meets his own target this week; Carol joins and does not. The group sees one, never who.
        let bobs = try await bob.joinGroupGoal(id: together.id, cadence: Cadence(times: 1, period: .week))
        XCTAssertEqual(bobs.groupGoal, together.id)
        XCTAssertNil(bobs.groupId, "one's own target is private")
        try await bob.logProgress(goalId: bobs.id)
        _ = try await carol.joinGroupGoal(id: together.id, cadence: Cadence(times: 5, period: .week))
        _ = try await sync(bob, with: alice)
        _ = try await sync(carol, with: alice)
        try await assertEqual(await alice.goalCheers(goalId: walk.id).map(\.name), ["Bob"])
        for handle in [group, bobsGroup, carolsGroup] {
            let goals = try await handle.groupGoals()
            XCTAssertEqual(goals.map(\.id), [together.id])
            XCTAssertEqual(goals.first?.weeks.last?.met, 1)
        }
        try await assertEqual(await alice.goals().map(\.id), [walk.id], "no one else's own target reaches Alice")
        try await assertEqual(await alice.endGroupGoal(id: together.id).endedAt != nil, true)
    }

    func testADirectoryTheOwnerPublishesReachesAMemberBySyncAndTheOwnersMarkDecides() async throws {
        let circle = try await makeCircle(["Bob"])
        let (alice, group) = circle[0], (bob, bobsGroup) = circle[1]
        let file = try exampleDirectoryFile()
        let publisher = try await alice.importResourceDirectory(file).publisher
        try await alice.removeResourceDirectory(publisher: publisher)

        await assertKindredError(try await group.publishResourceDirectory(file), "NotPermitted: not trusted") {
            if case .NotPermitted = $0 { return true } else { return false }
        }
        try await assertEqual(await group.trustPublisher(publisher).trustedPublishers, [publisher])
        try await assertEqual(await group.publishResourceDirectory(file).installed, true)
        await assertKindredError(try await bobsGroup.publishResourceDirectory(file), "NotPermitted: a plain member") {
            if case .NotPermitted = $0 { return true } else { return false }
        }

        try await sync(bob, with: alice)
        let held = try await bob.resourceDirectories()
        XCTAssertEqual(held.map(\.groups), [[group.id]])
        XCTAssertEqual(held.map(\.imported), [false])
        let found = try await bob.crisisResources(region: "KE-30", language: "sw")
        XCTAssertEqual(found.matched, .subdivision)
        XCTAssertEqual(found.entries.first?.entry.name, "EXAMPLE Nairobi walk-in centre")

        try await assertEqual(await group.trustPublisher(publisher, trusted: false).trustedPublishers, [])
        try await sync(bob, with: alice)
        try await assertEqual(await bob.resourceDirectories(), [])
        try await assertEqual(await bob.crisisResources(region: "KE-30", language: "sw").matched, .nothing)
    }

    func testJoinByInvitationBringsTheGroupAndItsHistory() async throws {
        let (alice, _) = try await makeProfile(self, name: "Alice")
        let (bob, _) = try await makeProfile(self, name: "Bob")
        let aliceId = try alice.info.memberId, bobId = try bob.info.memberId
        let group = try await alice.createGroup(name: "Tuesday circle", description: "Weekly, online",
                                                guidelines: "Listen first.")
        let welcome = try await group.post("Welcome, everyone")
        let second = try await group.reply("Introduce yourselves when you like", to: welcome)
        let code = try await group.createInvite(validFor: 24 * 3600)

        try await assertEqual(await bob.pendingJoins(), [])
        let pending = try await bob.joinGroup(code: code)
        XCTAssertEqual(pending.groupId, group.id)
        XCTAssertEqual(pending.groupName, "Tuesday circle")
        XCTAssertEqual(pending.inviter, aliceId)
        try await assertEqual(await bob.pendingJoins(), [pending])
        try await assertEqual(await bob.groups(), [], "the group arrives at the first sync")
        let bobsUpdates = try bob.updates()

        let (bobReport, aliceReport) = try await sync(bob, with: alice)
        XCTAssertEqual(bobReport.joinedGroups, [group.id])
        XCTAssertEqual(bobReport.peer, aliceId)
        XCTAssertEqual(aliceReport.peer, bobId)
        XCTAssertEqual(aliceReport.joinedGroups, [])
        XCTAssertEqual(aliceReport.admittedMembers, [bobId])
        XCTAssertEqual(bobReport.joinRefusals, [])
        XCTAssertGreaterThan(bobReport.largestFrame, 0)
        XCTAssertEqual(bobReport.duplicates, 0)
        XCTAssertFalse(bobReport.nothingNew)
        XCTAssertGreaterThan(bobReport.changesApplied, 0)
        XCTAssertEqual(bobReport.changesApplied, aliceReport.changesSent)
        XCTAssertEqual(bobReport.quarantined, 0)
        XCTAssertEqual(bobReport.bytesSent, aliceReport.bytesReceived)
        XCTAssertEqual(bobReport.bytesReceived, aliceReport.bytesSent)
        XCTAssertEqual(bobReport.framesSent, aliceReport.framesReceived)
        XCTAssertEqual(bobReport.framesReceived, aliceReport.framesSent)
        print("join sync: Bob sent \(bobReport.bytesSent) B in \(bobReport.framesSent) frames, received "
              + "\(bobReport.bytesReceived) B in \(bobReport.framesReceived) frames")

        try await assertEqual(await bob.pendingJoins(), [])
        try await assertEqual(await bob.groups().map(\.id), [group.id])
        let bobsGroup = try await bob.group("Tuesday circle")
        XCTAssertEqual(bobsGroup.id, group.id)
        let details = try await bobsGroup.details()
        XCTAssertEqual(details.name, "Tuesday circle")
        XCTAssertEqual(details.description, "Weekly, online")
        XCTAssertEqual(details.guidelines, "Listen first.")
        XCTAssertEqual(details.members.first { $0.memberId == aliceId }?.role, .owner)
        XCTAssertEqual(details.members.first { $0.memberId == bobId }?.role, .member)
        XCTAssertEqual(details.members.first { $0.memberId == bobId }?.displayName, "Bob")
        let messages = try await bobsGroup.messages()
        XCTAssertEqual(messages.map(\.id), [welcome.id, second.id])
        XCTAssertEqual(messages.map(\.text), ["Welcome, everyone", "Introduce yourselves when you like"])
        XCTAssertEqual(messages.last?.replyTo, welcome.id)
        XCTAssertTrue(messages.allSatisfy { !$0.isMine && $0.author == aliceId && $0.authorName == "Alice" })
        let joinedUpdate = await firstUpdate(bobsUpdates) { $0 == .group(groupId: group.id) }
        XCTAssertNotNil(joinedUpdate, "Bob's profile stream announces the group that arrived")

        // Alice admitted Bob; his first post reaches her at the next sync (she dials this time).
        try await assertEqual(await group.details().members.map(\.memberId).sorted(), [aliceId, bobId].sorted())
        // The group has guidelines: Bob accepts them before his first post (a signed change the group sees).
        try await assertEqual(await bobsGroup.rules().text, "Listen first.")
        try await bobsGroup.acceptRules()
        let thanks = try await bobsGroup.post("Thanks for having me")
        let (aliceSecond, bobSecond) = try await sync(alice, with: bob)
        XCTAssertEqual(aliceSecond.changesApplied, bobSecond.changesSent)
        XCTAssertGreaterThan(aliceSecond.changesApplied, 0)
        XCTAssertEqual(bobSecond.joinedGroups, [])
        let received = try await group.message(id: thanks.id)
        XCTAssertEqual(received.text, "Thanks for having me")
        XCTAssertEqual(received.authorName, "Bob")
        XCTAssertFalse(received.isMine)
        try await assertEqual(await group.unreadCount(), 1)

        // The code is single-use: Carol, trying it too, is told why at her sync and keeps it pending.
        let (carol, _) = try await makeProfile(self, name: "Carol")
        _ = try await carol.joinGroup(code: code)
        let (carolReport, _) = try await sync(carol, with: alice)
        XCTAssertEqual(carolReport.joinedGroups, [])
        XCTAssertEqual(carolReport.joinRefusals.map(\.groupId), [group.id])
        XCTAssertFalse(carolReport.joinRefusals.first?.reason.isEmpty ?? true)
        try await assertEqual(await carol.pendingJoins().map(\.groupId), [group.id])
    }

    func testUpdatesFireForChangesThatArriveBySync() async throws {
        let circle = try await makeCircle(["Bob"])
        let (alice, group) = circle[0]
        let (bob, bobsGroup) = circle[1]
        let groupUpdates = try bobsGroup.updates()
        let allUpdates = try bob.updates()

        let message = try await group.post("Is everyone coming on Tuesday?")
        let (report, _) = try await sync(bob, with: alice)
        XCTAssertGreaterThan(report.changesApplied, 0)

        let groupId = group.id, messageId = message.id
        let fromGroup = await firstUpdate(groupUpdates) { mentions($0, message: messageId, of: groupId) }
        XCTAssertNotNil(fromGroup, "the group's stream yields the message that arrived by sync")
        let fromAll = await firstUpdate(allUpdates) { mentions($0, message: messageId, of: groupId) }
        XCTAssertNotNil(fromAll, "the profile's stream too")
        try await assertEqual(await bobsGroup.message(id: message.id).text, "Is everyone coming on Tuesday?")
        try await assertEqual(await bobsGroup.unreadCount(), 1)

        // The other way: Bob's reaction reaches Alice's stream when she dials him.
        let aliceUpdates = try group.updates()
        try await bobsGroup.react("💛", to: message.id)
        try await sync(alice, with: bob)
        let reaction = await firstUpdate(aliceUpdates) { mentions($0, message: messageId, of: groupId) }
        XCTAssertNotNil(reaction)
        try await assertEqual(await group.message(id: message.id).reactions.map(\.emoji), ["💛"])
    }

    func testReconnectWithNothingNewIsCheap() async throws {
        let circle = try await makeCircle(["Bob"])
        let (alice, group) = circle[0]
        let (bob, _) = circle[1]
        let aliceId = try alice.info.memberId
        for i in 1...20 { try await group.post("Message \(i)") }
        try await sync(bob, with: alice)

        for (label, expected) in [("unknown peer", nil), ("expected peer", aliceId)] as [(String, String?)] {
            let (d, l) = try await sync(bob, with: alice, expecting: expected)
            XCTAssertTrue(d.nothingNew, label)
            XCTAssertTrue(l.nothingNew, label)
            XCTAssertEqual([d.changesApplied, d.changesSent, l.changesApplied, l.changesSent], [0, 0, 0, 0], label)
            XCTAssertEqual(d.bytesSent, l.bytesReceived, label)
            XCTAssertEqual(l.bytesSent, d.bytesReceived, label)
            XCTAssertLessThan(d.bytesSent, 1_000, label)
            XCTAssertLessThan(l.bytesSent, 1_000, label)
            print("no-news reconnect (\(label)): dialler sent \(d.bytesSent) B in \(d.framesSent) frames, listener "
                  + "sent \(l.bytesSent) B in \(l.framesSent) frames")
        }
    }

    func testGarbageIsRejectedAndLaterSessionsStillWork() async throws {
        let circle = try await makeCircle(["Bob"])
        let (alice, group) = circle[0]
        let (bob, bobsGroup) = circle[1]

        // Garbage straight into a listening session: refused as Rejected, and the session stays refused.
        let listening = try await alice.acceptSync()
        let garbage = Data((0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
        await assertKindredError(try await listening.receive(frame: garbage), "Rejected as malformed") {
            if case .Rejected(kind: .malformed, _) = $0 { return true } else { return false }
        }
        await assertKindredError(try await listening.receive(frame: garbage), "Rejected again, the same way") {
            if case .Rejected(kind: .malformed, _) = $0 { return true } else { return false }
        }
        XCTAssertFalse(listening.isFinished())
        XCTAssertNil(listening.peer())

        // Garbage through `run`, as a link would deliver it.
        let other = try await alice.acceptSync()
        do {
            let report = try await other.run(send: { _ in }, receive: { garbage })
            XCTFail("expected Rejected, got \(report)")
        } catch KindredError.Rejected(let kind, let reason) {
            XCTAssertEqual(kind, .malformed, reason)
        }

        // A frame damaged in the middle of a real session (Bob's first frame after the handshake): Alice refuses it,
        // closes the link, and Bob's session sees the link close.
        let early = try await group.post("Before the damaged session")
        let (d, l) = try await carry(try bob.connectSync(), try await alice.acceptSync(), tamper: { index, frame in
            index == 1 ? Data(frame.map { $0 ^ 0xA5 }) : frame
        })
        guard case .failure(KindredError.Rejected(kind: .forged, _)) = l else {
            return XCTFail("expected Alice's Rejected (forged), got \(l)")
        }
        guard case .failure(let closed as SyncLinkClosed) = d else {
            return XCTFail("expected SyncLinkClosed, got \(d)")
        }
        XCTAssertEqual(closed.report.changesApplied, 0)

        // Fresh sessions work both ways.
        let (bobReport, _) = try await sync(bob, with: alice)
        XCTAssertGreaterThan(bobReport.changesApplied, 0)
        try await assertEqual(await bobsGroup.message(id: early.id).text, "Before the damaged session")
        let answer = try await bobsGroup.post("Got it")
        let (aliceReport, _) = try await sync(alice, with: bob)
        XCTAssertGreaterThan(aliceReport.changesApplied, 0)
        try await assertEqual(await group.message(id: answer.id).text, "Got it")
        let (again, _) = try await sync(bob, with: alice)
        XCTAssertTrue(again.nothingNew)
    }

    func testBundleCarriesMessagesToAnOfflineMember() async throws {
        let circle = try await makeCircle(["Bob", "Carol"])
        let (bob, bobsGroup) = circle[1]
        let (carol, carolsGroup) = circle[2]
        let bobId = try bob.info.memberId
        try await assertEqual(await carolsGroup.details().members.count, 3)

        // Carol is offline; Bob posts and sends her a bundle file.
        let message = try await bobsGroup.post("Posted while Carol was away")
        let bundle = try await bobsGroup.exportBundle()
        XCTAssertFalse(bundle.isEmpty)
        let updates = try carolsGroup.updates()

        let first = try await carol.importBundle(bundle)
        XCTAssertEqual(first.groupId, carolsGroup.id)
        XCTAssertGreaterThan(first.documents, 0)
        XCTAssertGreaterThan(first.report.applied, 0)
        XCTAssertEqual(first.report.quarantined, 0)
        let received = try await carolsGroup.message(id: message.id)
        XCTAssertEqual(received.text, "Posted while Carol was away")
        XCTAssertEqual(received.author, bobId)
        XCTAssertEqual(received.authorName, "Bob")
        let groupId = carolsGroup.id, messageId = message.id
        let update = await firstUpdate(updates) { mentions($0, message: messageId, of: groupId) }
        XCTAssertNotNil(update, "an imported bundle updates the group's stream")
        let count = try await carolsGroup.messages().count

        let second = try await carol.importBundle(bundle)
        XCTAssertEqual(second.report.applied, 0, "nothing is applied twice")
        XCTAssertGreaterThan(second.report.duplicates, 0)
        XCTAssertEqual(second.report.quarantined, 0)
        XCTAssertEqual(second.documents, first.documents)
        try await assertEqual(await carolsGroup.messages().count, count)

        // Not a bundle at all.
        await assertKindredError(try await carol.importBundle(Data("not a bundle".utf8)), "Rejected as malformed") {
            if case .Rejected(kind: .malformed, _) = $0 { return true } else { return false }
        }
    }

    func testConnectExpectingAMemberChecksWhoAnswers() async throws {
        let circle = try await makeCircle(["Bob", "Carol"])
        let (alice, group) = circle[0]
        let (bob, _) = circle[1]
        let (carol, _) = circle[2]
        let bobId = try bob.info.memberId
        let message = try await group.post("For everyone")

        let (toBob, fromAlice) = try await sync(alice, with: bob, expecting: bobId)
        XCTAssertEqual(toBob.peer, bobId)
        XCTAssertEqual(fromAlice.peer, try alice.info.memberId)
        XCTAssertGreaterThan(fromAlice.changesApplied, 0)

        // Alice expects Bob, but Carol answers: Alice refuses her.
        let (d, l) = try await carry(try alice.connectSync(expecting: bobId), try await carol.acceptSync())
        guard case .failure(KindredError.Rejected(kind: .forged, let reason)) = d else {
            return XCTFail("expected Rejected (forged) for Alice, got \(d)")
        }
        print("dialling Bob, Alice met Carol: \(reason); Carol's side: \(l)")
        guard case .failure = l else { return XCTFail("Carol's session cannot finish, got \(l)") }
        await assertKindredError(try await carol.group(group.id).message(id: message.id), "NotFound") {
            if case .NotFound = $0 { return true } else { return false }
        }

        // Without expecting anyone, Carol is fine.
        let (toCarol, _) = try await sync(alice, with: carol)
        XCTAssertEqual(toCarol.peer, try carol.info.memberId)
        try await assertEqual(await carol.group(group.id).message(id: message.id).text, "For everyone")

        // Not a member id at all, and frame sizes out of range (256 to 65,535 bytes).
        await assertKindredError(try alice.connectSync(expecting: "not an id"), "InvalidInput") {
            if case .InvalidInput = $0 { return true } else { return false }
        }
        await assertKindredError(try alice.connectSync(maxFrame: 100), "InvalidInput max_frame") {
            if case .InvalidInput(let field, _) = $0 { return field == "max_frame" } else { return false }
        }
        await assertKindredError(try await carol.acceptSync(maxFrame: 70_000), "InvalidInput max_frame") {
            if case .InvalidInput(let field, _) = $0 { return field == "max_frame" } else { return false }
        }
    }

    func testSmallFramesAndADroppedLinkResume() async throws {
        let (alice, _) = try await makeProfile(self, name: "Alice")
        let (bob, _) = try await makeProfile(self, name: "Bob")
        let group = try await alice.createGroup(name: "Circle")
        var posted: [String] = []
        for i in 1...40 {
            let text = "\(i): " + (1...10).map { _ in UUID().uuidString }.joined(separator: " ")  // hardly compressible
            posted.append(try await group.post(text).id)
        }
        try await bob.joinGroup(code: try await group.createInvite(validFor: 3600))

        // A Bluetooth-sized link (256-byte frames) that drops after the listener's 15th frame.
        let largest = LargestFrame()
        let (cutD, cutL) = try await carry(try bob.connectSync(maxFrame: 256),
                                           try await alice.acceptSync(maxFrame: 256),
                                           cutAfter: 15, watch: largest.see)
        guard case .failure(let closed as SyncLinkClosed) = cutD else {
            return XCTFail("expected SyncLinkClosed for Bob, got \(cutD)")
        }
        guard case .failure(is SyncLinkClosed) = cutL else {
            return XCTFail("expected SyncLinkClosed for Alice, got \(cutL)")
        }
        print("dropped link: Bob received \(closed.report.bytesReceived) B in \(closed.report.framesReceived) frames, "
              + "applied \(closed.report.changesApplied) changes")

        // The next link finishes the job.
        let (d, l) = try await carry(try bob.connectSync(maxFrame: 256), try await alice.acceptSync(maxFrame: 256),
                                     watch: largest.see)
        let report = try d.get()
        _ = try l.get()
        XCTAssertLessThanOrEqual(largest.value, 256)
        XCTAssertGreaterThan(report.framesReceived, 20)
        try await assertEqual(await bob.pendingJoins(), [])
        try await assertEqual(await bob.group(group.id).messages(limit: 100).map(\.id), posted)
        print("resumed link: Bob received \(report.bytesReceived) B in \(report.framesReceived) frames "
              + "(largest frame either way, both links: \(largest.value) B)")
        let (again, _) = try await sync(bob, with: alice)
        XCTAssertTrue(again.nothingNew)
    }

    func testCancellingARunThrowsCancellationError() async throws {
        let circle = try await makeCircle(["Bob"])
        let (alice, group) = circle[0]
        let (bob, bobsGroup) = circle[1]

        // A peer that never answers: Bob's run waits until its task is cancelled.
        let dialling = try bob.connectSync()
        let (silence, silenceInput) = AsyncStream.makeStream(of: Data.self)
        let (sent, sentInput) = AsyncStream.makeStream(of: Data.self)
        defer { silenceInput.finish() }
        let task = Task { () -> SideOutcome in
            defer { sentInput.finish() }
            var incoming = silence.makeAsyncIterator()
            do {
                return .success(try await dialling.run(send: { sentInput.yield($0) },
                                                       receive: { await incoming.next() }))
            } catch {
                return .failure(error)
            }
        }
        let first = try await withTimeout { await sent.first { _ in true } }
        XCTAssertNotNil(first, "the dialler's first frame goes out at once")
        task.cancel()
        let outcome = try await value(of: task)
        guard case .failure(is CancellationError) = outcome else {
            return XCTFail("expected CancellationError, got \(outcome)")
        }
        XCTAssertFalse(dialling.isFinished())

        // Nothing is broken: a new session works.
        let message = try await group.post("Still here")
        try await sync(bob, with: alice)
        try await assertEqual(await bobsGroup.message(id: message.id).text, "Still here")
    }

    func testRunFromTheMainActor() async throws {
        let circle = try await makeCircle(["Bob"])
        let (alice, group) = circle[0]
        let (bob, bobsGroup) = circle[1]
        let message = try await group.post("Posted before Bob's app syncs")

        let (toAlice, toAliceInput) = AsyncStream.makeStream(of: Data.self)
        let (toBob, toBobInput) = AsyncStream.makeStream(of: Data.self)
        let listening = try await alice.acceptSync()
        let aliceSide = Task { () -> SideOutcome in
            defer { toBobInput.finish() }
            var incoming = toAlice.makeAsyncIterator()
            do {
                return .success(try await listening.run(send: { toBobInput.yield($0) },
                                                        receive: { await incoming.next() }))
            } catch {
                return .failure(error)
            }
        }
        let dialling = try bob.connectSync()
        let model = SyncScreenModel()
        let bobSide = Task { @MainActor in
            try await model.sync(dialling, over: (out: toAliceInput, in: toBob))
        }
        try await value(of: bobSide, within: 30)
        _ = try await value(of: aliceSide, within: 30).get()

        let (last, sent, received) = await (model.lastReport, model.framesSent, model.framesReceived)
        let report = try XCTUnwrap(last)
        XCTAssertEqual(UInt64(sent), report.framesSent)
        XCTAssertEqual(UInt64(received), report.framesReceived)
        XCTAssertGreaterThan(report.changesApplied, 0)
        try await assertEqual(await bobsGroup.message(id: message.id).text, "Posted before Bob's app syncs")
    }
}
