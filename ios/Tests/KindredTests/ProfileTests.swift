import Foundation
import XCTest
import Kindred

final class ProfileTests: XCTestCase {
    func testVersionAndProfileExists() async throws {
        XCTAssertFalse(Kindred.version.isEmpty)
        XCTAssertEqual(Kindred.version.split(separator: ".").count, 3, "semantic version expected, got \(Kindred.version)")
        let dir = try makeTempDirectory(self)
        XCTAssertFalse(Kindred.profileExists(in: dir))
        let kindred = try await Kindred.create(in: dir, displayName: "Robin")
        defer { kindred.close() }
        XCTAssertTrue(Kindred.profileExists(in: dir))
    }

    func testCreateProfileAndReadInfo() async throws {
        let (kindred, _) = try await makeProfile(self, name: "  Robin  ")
        let info = try kindred.info
        XCTAssertEqual(info.displayName, "Robin", "names are trimmed")
        XCTAssertEqual(info.memberId.count, 64, "member id is a 32-byte public key in hex")
        XCTAssertTrue(info.memberId.allSatisfy(\.isHexDigit))
        XCTAssertFalse(info.actorId.isEmpty)
        let now = Date().timeIntervalSince1970 * 1000
        XCTAssertLessThan(abs(Double(info.createdAt) - now), 60_000, "createdAt is milliseconds since the epoch")
    }

    func testCreatingTwiceInOneDirectoryIsProfileExists() async throws {
        let (_, dir) = try await makeProfile(self)
        await assertKindredError(try await Kindred.create(in: dir, displayName: "Again"), "ProfileExists") {
            if case .ProfileExists(let path) = $0 { return path.hasSuffix(dir.lastPathComponent) }
            return false
        }
    }

    func testOpeningAnEmptyDirectoryIsNoProfile() async throws {
        let dir = try makeTempDirectory(self)
        await assertKindredError(try await Kindred.open(dir), "NoProfile") {
            if case .NoProfile = $0 { return true }
            return false
        }
        XCTAssertFalse(Kindred.profileExists(in: dir), "a failed open creates nothing")
    }

    func testCloseThenReopenKeepsEverything() async throws {
        let dir = try makeTempDirectory(self)
        let first = try await Kindred.create(in: dir, displayName: "Robin")
        let memberId = try first.info.memberId
        let group = try await first.createGroup(name: "Evening walkers")
        let message = try await group.post("Same time tomorrow?")
        let goal = try await first.createGoal("Walk", times: 3, per: .week)
        try await first.logProgress(goalId: goal.id)
        try await first.recordCheckin(NewCheckin(mood: 4))
        try await first.setDisplayName("Robin B.")
        first.close()

        // Closed: every call is the typed Closed error, and closing again is harmless.
        await assertKindredError(try await first.groups(), "Closed") { $0 == .Closed }
        XCTAssertThrowsError(try first.info) { XCTAssertEqual($0 as? KindredError, .Closed) }
        first.close()

        let second = try await Kindred.open(dir)
        defer { second.close() }
        XCTAssertEqual(try second.info.memberId, memberId)
        XCTAssertEqual(try second.info.displayName, "Robin B.")
        let groups = try await second.groups()
        XCTAssertEqual(groups.map(\.name), ["Evening walkers"])
        try await assertEqual(await second.group(group.id).messages().map(\.id), [message.id])
        let goals = try await second.goals()
        XCTAssertEqual(goals.map(\.id), [goal.id])
        XCTAssertEqual(goals.first?.totalLogged, 1)
        try await assertEqual(await second.recentCheckins(days: 1).map(\.mood), [4])
        try await second.checkIntegrity()
    }

    func testGroupFoundAgainAfterReopeningAndGroupOfAClosedProfileIsClosed() async throws {
        let dir = try makeTempDirectory(self)
        let first = try await Kindred.create(in: dir, displayName: "Robin")
        let group = try await first.createGroup(name: "Evening walkers")
        let hello = try await group.post("Same time tomorrow?")
        let reply = try await group.reply("Yes, at the bridge.", to: hello)
        let storedId = group.id
        first.close()

        // The group object outlives its profile's closing: every call is the typed Closed error.
        XCTAssertEqual(group.id, storedId, "the id stays readable")
        await assertKindredError(try await group.messages(), "Closed") { $0 == .Closed }
        await assertKindredError(try await group.post("after close"), "Closed") { $0 == .Closed }
        await assertKindredError(try await group.details(), "Closed") { $0 == .Closed }
        await assertKindredError(try await group.unreadCount(), "Closed") { $0 == .Closed }
        XCTAssertThrowsError(try group.updates()) { XCTAssertEqual($0 as? KindredError, .Closed) }
        await assertKindredError(try await first.group(storedId), "Closed") { $0 == .Closed }

        // Reopened, the stored id finds the same group with the same messages.
        let second = try await Kindred.open(dir)
        defer { second.close() }
        let again = try await second.group(storedId)
        XCTAssertEqual(again.id, storedId)
        try await assertEqual(await again.messages(), [hello, reply])
        try await assertEqual(await again.details().name, "Evening walkers")
        try await assertEqual(await again.message(id: reply.id).replyTo, hello.id)
        let more = try await again.post("See you there.")
        try await assertEqual(await second.group("Evening walkers").messages().map(\.id), [hello.id, reply.id, more.id])

        // The old object still belongs to the closed profile.
        await assertKindredError(try await group.messages(), "Closed") { $0 == .Closed }
    }
}
