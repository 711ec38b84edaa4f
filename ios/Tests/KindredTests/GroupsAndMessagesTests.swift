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
        XCTAssertEqual(group.description, "For the first months")
        XCTAssertEqual(group.guidelines, "Listen first.")
        XCTAssertEqual(group.createdBy, me.memberId)
        XCTAssertEqual(group.members.map(\.role), [.owner])

        let summaries = try await kindred.groups()
        XCTAssertEqual(summaries.count, 1)
        XCTAssertEqual(summaries.first?.id, group.id)
        XCTAssertEqual(summaries.first?.myRole, .owner)
        XCTAssertEqual(summaries.first?.memberCount, 1)
        try await assertEqual(await kindred.resolveGroup("Newly diagnosed"), group.id)
        try await assertEqual(await kindred.resolveGroup(group.id), group.id)
        try await assertEqual(await kindred.group(id: group.id), group)

        // Someone else's member id, from a second profile.
        let (other, _) = try await makeProfile(self, name: "Kai")
        let kai = try other.info.memberId
        let details = try await kindred.addMember(kai, displayName: "Kai", role: .moderator, toGroup: group.id)
        XCTAssertEqual(details.members.count, 2)
        XCTAssertEqual(details.members.first { $0.memberId == kai }?.role, .moderator)
        try await assertEqual(await kindred.groups().first?.memberCount, 2)
    }

    func testPostAndReadBackInOrder() async throws {
        let (kindred, _) = try await makeProfile(self, name: "Robin")
        let group = try await kindred.createGroup(name: "Circle")
        let texts = ["Hello", "How is everyone?", "Line one\nline two"]
        var posted: [Message] = []
        for text in texts { posted.append(try await kindred.post(text, to: group.id)) }
        let warned = try await kindred.post("Bad day today.", to: group.id, contentWarning: "low mood")

        let messages = try await kindred.messages(in: group.id)
        XCTAssertEqual(messages.map(\.text), texts + ["Bad day today."])
        XCTAssertEqual(messages.map(\.id), posted.map(\.id) + [warned.id])
        XCTAssertTrue(messages.allSatisfy { $0.isMine && $0.authorName == "Robin" && $0.groupId == group.id })
        XCTAssertEqual(messages.last?.contentWarning, "low mood")
        try await assertEqual(await kindred.message(id: warned.id, in: group.id), warned)
        XCTAssertLessThan(abs(warned.createdDate.timeIntervalSinceNow), 60)
        try await assertEqual(await kindred.unreadCount(groupId: group.id), 0, "one's own messages are never unread")
    }

    func testReplyReactEditRemove() async throws {
        let (kindred, _) = try await makeProfile(self)
        let group = try await kindred.createGroup(name: "Circle")
        let question = try await kindred.post("Anyone tried journaling?", to: group.id)
        let reply = try await kindred.reply("Yes, it helps me at night.", to: question)
        XCTAssertEqual(reply.replyTo, question.id)

        var reacted = try await kindred.react("💛", to: question.id, in: group.id)
        XCTAssertEqual(reacted.reactions, [ReactionCount(emoji: "💛", count: 1, mine: true)])
        reacted = try await kindred.react("👍", to: question.id, in: group.id)
        XCTAssertEqual(reacted.reactions, [ReactionCount(emoji: "👍", count: 1, mine: true)], "one reaction per person")
        reacted = try await kindred.react(nil, to: question.id, in: group.id)
        XCTAssertEqual(reacted.reactions, [])

        let edited = try await kindred.edit(messageId: reply.id, in: group.id, text: "Yes, it helps me most nights.")
        XCTAssertEqual(edited.text, "Yes, it helps me most nights.")
        XCTAssertNotNil(edited.editedAt)
        XCTAssertNotNil(edited.editedDate)

        let removed = try await kindred.remove(messageId: question.id, in: group.id)
        XCTAssertTrue(removed.removed)
        XCTAssertFalse(removed.text.contains("journaling"), "a removed message's text is gone")

        let readBack = try await kindred.messages(in: group.id)
        XCTAssertEqual(readBack.map(\.id), [question.id, reply.id])
        XCTAssertEqual(readBack.first?.removed, true)
        XCTAssertEqual(readBack.last?.text, "Yes, it helps me most nights.")
        XCTAssertEqual(readBack.last?.replyTo, question.id)

        // A removed message can be neither edited nor reacted to.
        await assertKindredError(try await kindred.edit(messageId: question.id, in: group.id, text: "x"), "NotPermitted") {
            if case .NotPermitted = $0 { return true }
            return false
        }
        await assertKindredError(try await kindred.react("👍", to: question.id, in: group.id), "NotPermitted") {
            if case .NotPermitted = $0 { return true }
            return false
        }
    }

    func testPagingBackWithCursor() async throws {
        let (kindred, _) = try await makeProfile(self)
        let group = try await kindred.createGroup(name: "Circle")
        for i in 1...5 { try await kindred.post("message \(i)", to: group.id) }
        let newest = try await kindred.messages(in: group.id, limit: 2)
        XCTAssertEqual(newest.map(\.text), ["message 4", "message 5"])
        let older = try await kindred.messages(in: group.id, limit: 2, before: newest.first?.cursor)
        XCTAssertEqual(older.map(\.text), ["message 2", "message 3"])
        let oldest = try await kindred.messages(in: group.id, limit: 2, before: older.first?.cursor)
        XCTAssertEqual(oldest.map(\.text), ["message 1"])
    }

    func testSameNameIsAmbiguousAndOwnRoleIsNotPermitted() async throws {
        let (kindred, _) = try await makeProfile(self)
        let first = try await kindred.createGroup(name: "Walkers")
        _ = try await kindred.createGroup(name: "Walkers")
        await assertKindredError(try await kindred.resolveGroup("Walkers"), "Ambiguous") {
            if case .Ambiguous(let kind, let name, let count) = $0 { return kind == "group" && name == "Walkers" && count == 2 }
            return false
        }
        let me = try kindred.info.memberId
        await assertKindredError(try await kindred.addMember(me, displayName: "Me", role: .member, toGroup: first.id), "NotPermitted") {
            if case .NotPermitted(let reason) = $0 { return reason.contains("own role") }
            return false
        }
    }
}
