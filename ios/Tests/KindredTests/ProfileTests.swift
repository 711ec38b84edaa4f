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
        let message = try await first.post("Same time tomorrow?", to: group.id)
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
        try await assertEqual(await second.messages(in: group.id).map(\.id), [message.id])
        let goals = try await second.goals()
        XCTAssertEqual(goals.map(\.id), [goal.id])
        XCTAssertEqual(goals.first?.totalLogged, 1)
        try await assertEqual(await second.recentCheckins(days: 1).map(\.mood), [4])
        try await second.checkIntegrity()
    }
}
