import Foundation
import XCTest
// @testable for `Kindred.activeUpdateStreams`, the count of subscribed streams (internal), to prove they unsubscribe.
@testable import Kindred

final class UpdatesTests: XCTestCase {
    func testUpdateStreamDeliversMessagesGoalsAndReadMarker() async throws {
        let (kindred, _) = try await makeProfile(self)
        let group = try await kindred.createGroup(name: "Circle")
        let stream = try kindred.updates()     // everything
        let message = try await group.post("hello")
        try await group.markRead()
        _ = try await kindred.createGoal("Walk", times: 1, per: .day)

        let wanted: [Update] = [.messages(groupId: group.id, messageIds: [message.id]),
                                .readMarker(groupId: group.id), .goals(groupId: nil)]
        let seen = try await withTimeout {
            var seen: [Update] = []
            for await update in stream {
                seen.append(update)
                if wanted.allSatisfy(seen.contains) { break }
            }
            return seen
        }
        XCTAssertEqual(seen.filter(wanted.contains), wanted, "in the order they happened")
    }

    func testGroupStreamOnlyCarriesThatGroup() async throws {
        let (kindred, _) = try await makeProfile(self)
        let watched = try await kindred.createGroup(name: "Watched")
        let other = try await kindred.createGroup(name: "Other")
        let stream = try watched.updates()
        try await other.post("elsewhere")
        try await kindred.recordCheckin(NewCheckin(mood: 3))
        let here = try await watched.post("here")
        let first = await firstUpdate(stream) { _ in true }
        XCTAssertEqual(first, .messages(groupId: watched.id, messageIds: [here.id]),
                       "the other group's message and the check-in were filtered out")
        _ = try await kindred.createGoal("Private", times: 1, per: .day)
        _ = try await kindred.createGoal("Shared", times: 1, per: .day, sharedWith: watched.id)
        let goals = await firstUpdate(stream) { if case .goals = $0 { return true } else { return false } }
        XCTAssertEqual(goals, .goals(groupId: watched.id), "the private goal's update was filtered out")
    }

    func testLeavingTheLoopOrCancellingUnsubscribes() async throws {
        let (kindred, _) = try await makeProfile(self)
        let group = try await kindred.createGroup(name: "Circle")

        // Leaving a `for await` over a stream nobody else holds releases it, which unsubscribes.
        let consumer = Task { () throws -> Update? in
            for await update in try group.updates() { return update }
            return nil
        }
        try await waitUntil { kindred.activeUpdateStreams == 1 }
        let message = try await group.post("one")
        let got = try await value(of: consumer)
        XCTAssertEqual(got, .messages(groupId: group.id, messageIds: [message.id]))
        try await waitUntil { kindred.activeUpdateStreams == 0 }

        // Cancelling the consuming task ends the loop and unsubscribes, even while the stream is still referenced.
        let stream = try kindred.updates()
        let waiting = Task { for await _ in stream {}; return "ended" }
        XCTAssertEqual(kindred.activeUpdateStreams, 1)
        waiting.cancel()
        let ended = try await value(of: waiting)
        XCTAssertEqual(ended, "ended")
        try await waitUntil { kindred.activeUpdateStreams == 0 }

        // Dropping a stream that was never iterated unsubscribes as well.
        do { _ = try kindred.updates() }
        try await waitUntil { kindred.activeUpdateStreams == 0 }

        // An unknown group is refused up front, as a typed error, before any stream exists.
        await assertKindredError(try await kindred.group("nope").updates(), "NotFound(group)") {
            if case .NotFound(let kind, let id) = $0 { return kind == "group" && !id.contains("nope") }
            return false
        }
        XCTAssertEqual(kindred.activeUpdateStreams, 0)
    }

    func testClosingTheProfileEndsItsStreams() async throws {
        let dir = try makeTempDirectory(self)
        let kindred = try await Kindred.create(in: dir, displayName: "Robin")
        let group = try await kindred.createGroup(name: "Circle")
        let stream = try group.updates()
        let everything = try kindred.updates()
        let consumer = Task {
            var count = 0
            for await _ in stream { count += 1 }
            return count        // reached only when the stream finishes
        }
        let everythingConsumer = Task {
            var count = 0
            for await _ in everything { count += 1 }
            return count
        }
        try await group.post("before close")
        try await waitUntil { kindred.activeUpdateStreams == 2 }
        kindred.close()
        let count = try await value(of: consumer)
        XCTAssertEqual(count, 1)
        let everythingCount = try await value(of: everythingConsumer)
        XCTAssertGreaterThanOrEqual(everythingCount, 1)
        XCTAssertEqual(kindred.activeUpdateStreams, 0)
        XCTAssertThrowsError(try kindred.updates()) { XCTAssertEqual($0 as? KindredError, .Closed) }
        XCTAssertThrowsError(try group.updates()) { XCTAssertEqual($0 as? KindredError, .Closed) }
    }

    func testConcurrentAsyncCallsFromManyTasks() async throws {
        let (kindred, _) = try await makeProfile(self)
        let group = try await kindred.createGroup(name: "Busy")
        let ids = try await withThrowingTaskGroup(of: String.self) { tasks in
            for i in 0..<12 {
                tasks.addTask { try await group.post("message \(i)").id }
            }
            var ids: [String] = []
            for try await id in tasks { ids.append(id) }
            return ids
        }
        XCTAssertEqual(Set(ids).count, 12)
        async let messages = group.messages()
        async let groups = kindred.groups()
        async let goals = kindred.goals()
        let (m, g, o) = try await (messages, groups, goals)
        XCTAssertEqual(Set(m.map(\.id)), Set(ids))
        XCTAssertEqual(g.first?.lastMessageAt, m.last?.createdAt)
        XCTAssertEqual(o, [])
    }
}

/// Polls `condition` until it holds or `seconds` pass.
func waitUntil(_ seconds: Double = 10, file: StaticString = #filePath, line: UInt = #line,
               _ condition: () -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() {
        guard Date() < deadline else { return XCTFail("condition not met within \(seconds) s", file: file, line: line) }
        try await Task.sleep(nanoseconds: 10_000_000)
    }
}
