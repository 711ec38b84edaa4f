import Foundation
import XCTest
import Kindred

final class GroupsAndMessagesTests: XCTestCase {
    func testCreateGroupListResolveAndAddMember() async throws {
        let (kindred, _) = try await makeProfile(self)
        let me = try kindred.info
        let group = try await kindred.createGroup(name: "Newly diagnosed", description: "For the first months",
                                                  guidelines: "Listen first.")
        XCTAssertEqual(group.id.count, 32)
        let created = try await group.details()
        XCTAssertEqual(created.id, group.id)
        XCTAssertEqual(created.name, "Newly diagnosed")
        XCTAssertEqual(created.description, "For the first months")
        XCTAssertEqual(created.guidelines, "Listen first.")
        XCTAssertEqual(created.createdBy, me.memberId)
        XCTAssertEqual(created.members.map(\.role), [.owner])

        let summaries = try await kindred.groups()
        XCTAssertEqual(summaries.count, 1)
        XCTAssertEqual(summaries.first?.id, group.id)
        XCTAssertEqual(summaries.first?.myRole, .owner)
        XCTAssertEqual(summaries.first?.memberCount, 1)
        try await assertEqual(await kindred.group("Newly diagnosed").id, group.id)
        try await assertEqual(await kindred.group(group.id).id, group.id)
        try await assertEqual(await kindred.group(group.id).details(), created)

        // Someone else's member id, from a second profile.
        let (other, _) = try await makeProfile(self, name: "Kai")
        let kai = try other.info.memberId
        let details = try await group.addMember(kai, displayName: "Kai", role: .moderator)
        XCTAssertEqual(details.members.count, 2)
        XCTAssertEqual(details.members.first { $0.memberId == kai }?.role, .moderator)
        try await assertEqual(await group.details(), details)
        try await assertEqual(await kindred.groups().first?.memberCount, 2)
    }

    func testPostAndReadBackInOrder() async throws {
        let (kindred, _) = try await makeProfile(self, name: "Robin")
        let group = try await kindred.createGroup(name: "Circle")
        let texts = ["Hello", "How is everyone?", "Line one\nline two"]
        var posted: [Message] = []
        for text in texts { posted.append(try await group.post(text)) }
        let warned = try await group.post("Bad day today.", contentWarning: "low mood")

        let messages = try await group.messages()
        XCTAssertEqual(messages.map(\.text), texts + ["Bad day today."])
        XCTAssertEqual(messages.map(\.id), posted.map(\.id) + [warned.id])
        XCTAssertTrue(messages.allSatisfy { $0.isMine && $0.authorName == "Robin" && $0.groupId == group.id })
        XCTAssertEqual(messages.last?.contentWarning, "low mood")
        try await assertEqual(await group.message(id: warned.id), warned)
        XCTAssertLessThan(abs(warned.createdDate.timeIntervalSinceNow), 60)
        try await assertEqual(await group.unreadCount(), 0, "one's own messages are never unread")
    }

    func testReplyReactEditRemove() async throws {
        let (kindred, _) = try await makeProfile(self)
        let group = try await kindred.createGroup(name: "Circle")
        let question = try await group.post("Anyone tried journaling?")
        let reply = try await group.reply("Yes, it helps me at night.", to: question)
        XCTAssertEqual(reply.replyTo, question.id)

        var reacted = try await group.react("💛", to: question.id)
        XCTAssertEqual(reacted.reactions, [ReactionCount(emoji: "💛", count: 1, mine: true)])
        reacted = try await group.react("👍", to: question.id)
        XCTAssertEqual(reacted.reactions, [ReactionCount(emoji: "👍", count: 1, mine: true)], "one reaction per person")
        reacted = try await group.react(nil, to: question.id)
        XCTAssertEqual(reacted.reactions, [])

        let edited = try await group.edit(messageId: reply.id, text: "Yes, it helps me most nights.")
        XCTAssertEqual(edited.text, "Yes, it helps me most nights.")
        XCTAssertNotNil(edited.editedAt)
        XCTAssertNotNil(edited.editedDate)

        let removed = try await group.erase(messageId: question.id)
        XCTAssertTrue(removed.removed)
        XCTAssertFalse(removed.text.contains("journaling"), "a removed message's text is gone")

        let readBack = try await group.messages()
        XCTAssertEqual(readBack.map(\.id), [question.id, reply.id])
        XCTAssertEqual(readBack.first?.removed, true)
        XCTAssertEqual(readBack.last?.text, "Yes, it helps me most nights.")
        XCTAssertEqual(readBack.last?.replyTo, question.id)

        // A removed message can be neither edited nor reacted to.
        await assertKindredError(try await group.edit(messageId: question.id, text: "x"), "NotPermitted") {
            if case .NotPermitted = $0 { return true }
            return false
        }
        await assertKindredError(try await group.react("👍", to: question.id), "NotPermitted") {
            if case .NotPermitted = $0 { return true }
            return false
        }
    }

    func testPagingBackWithCursor() async throws {
        let (kindred, _) = try await makeProfile(self)
        let group = try await kindred.createGroup(name: "Circle")
        for i in 1...5 { try await group.post("message \(i)") }
        let newest = try await group.messages(limit: 2)
        XCTAssertEqual(newest.map(\.text), ["message 4", "message 5"])
        let older = try await group.messages(limit: 2, before: newest.first?.cursor)
        XCTAssertEqual(older.map(\.text), ["message 2", "message 3"])
        let oldest = try await group.messages(limit: 2, before: older.first?.cursor)
        XCTAssertEqual(oldest.map(\.text), ["message 1"])
    }

    func testSameNameIsAmbiguousAndOwnRoleIsNotPermitted() async throws {
        let (kindred, _) = try await makeProfile(self)
        let first = try await kindred.createGroup(name: "Walkers")
        _ = try await kindred.createGroup(name: "Walkers")
        await assertKindredError(try await kindred.group("Walkers"), "Ambiguous") {
            // An error never repeats a name someone wrote: `name` is empty for a name (it holds only an id prefix).
            if case .Ambiguous(let kind, let name, let count) = $0 { return kind == "group" && name.isEmpty && count == 2 }
            return false
        }
        let me = try kindred.info.memberId
        await assertKindredError(try await first.addMember(me, displayName: "Me", role: .member), "NotPermitted") {
            if case .NotPermitted(let reason) = $0 { return reason.contains("own role") }
            return false
        }
    }

    func testMembersInvitesAndBundle() async throws {
        let (kindred, _) = try await makeProfile(self, name: "Robin")
        let me = try kindred.info.memberId
        let group = try await kindred.createGroup(name: "Circle")
        let (other, _) = try await makeProfile(self, name: "Kai")
        let kai = try other.info.memberId
        let added = try await group.addMember(kai, displayName: "Kai")
        XCTAssertEqual(added.members.first { $0.memberId == kai }?.role, .member, "member is the default role")
        let hello = try await group.post("Welcome, Kai")

        // An invitation is text for a QR code that another profile accepts.
        let code = try await group.createInvite(validFor: 7 * 24 * 3600)
        XCTAssertFalse(code.isEmpty)
        let (sam, _) = try await makeProfile(self, name: "Sam")
        let pending = try await sam.joinGroup(code: code)
        XCTAssertEqual(pending.groupId, group.id)
        XCTAssertEqual(pending.groupName, "Circle")
        await assertKindredError(try await group.createInvite(validFor: 31 * 24 * 3600), "InvalidInput(validity)") {
            if case .InvalidInput(let field, _) = $0 { return field == "validity" }
            return false
        }

        // A bundle is signed bytes for a file; importing it where the group already is changes nothing. (A phone
        // that does not hold the group yet refuses it: the group arrives by sync.)
        let bundle = try await group.exportBundle()
        XCTAssertFalse(bundle.isEmpty)
        let imported = try await kindred.importBundle(bundle)
        XCTAssertEqual(imported.groupId, group.id)
        XCTAssertGreaterThan(imported.documents, 0)
        XCTAssertEqual(imported.report.applied, 0, "everything in it is already here")
        await assertKindredError(try await other.importBundle(bundle), "Rejected: not a member of that group") {
            if case .Rejected(kind: .notAMember, _) = $0 { return true } else { return false }
        }
        try await group.markRead()
        try await assertEqual(await group.unreadCount(), 0)
        try await assertEqual(await group.messages().map(\.id), [hello.id])

        // Removing a member; removing them again finds nobody.
        let after = try await group.removeMember(kai)
        XCTAssertEqual(after.members.map(\.memberId), [me])
        await assertKindredError(try await group.removeMember(kai), "NotFound(member)") {
            if case .NotFound(let kind, _) = $0 { return kind == "member" }
            return false
        }
    }
}
