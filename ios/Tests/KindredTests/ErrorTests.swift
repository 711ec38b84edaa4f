import Foundation
import XCTest
import Kindred

final class ErrorTests: XCTestCase {
    func testBadInputIsInvalidInputNamingTheField() async throws {
        let (kindred, _) = try await makeProfile(self)
        let group = try await kindred.createGroup(name: "Circle")

        func expectInvalid<T>(_ body: @autoclosure () async throws -> T, field expected: String,
                              line: UInt = #line) async {
            await assertKindredError(try await body(), "InvalidInput(\(expected))", line: line) {
                if case .InvalidInput(let field, let reason) = $0 { return field == expected && !reason.isEmpty }
                return false
            }
        }
        await expectInvalid(try await kindred.createGroup(name: "   "), field: "group name")
        await expectInvalid(try await group.post(""), field: "message text")
        await expectInvalid(try await kindred.createGoal("Walk", times: 1, per: .day, sharedWith: "not-an-id"), field: "group id")
        await expectInvalid(try await group.messages(limit: 0), field: "limit")
        await expectInvalid(try await group.createInvite(validFor: 0), field: "validity")
        await expectInvalid(try await group.createInvite(validFor: .nan), field: "validity")
        await expectInvalid(try await kindred.recordCheckin(NewCheckin(mood: 9)), field: "mood")
        await expectInvalid(try await kindred.recordCheckin(NewCheckin(mood: 3, sleepHours: 30)), field: "sleep hours")
        await expectInvalid(try await kindred.createGoal("Walk", times: 0, per: .day), field: "cadence")
        // A date no Int64 of milliseconds can hold is clamped on the way in (never a trap), then refused.
        let walk = try await kindred.createGoal("Walk", times: 1, per: .day)
        await expectInvalid(try await kindred.logProgress(goalId: walk.id, at: Date(timeIntervalSince1970: 1e300)), field: "time")
        _ = try await kindred.setGoalStatus(goalId: walk.id, to: .archived)
        await expectInvalid(try await Kindred.create(in: try makeTempDirectory(self), displayName: ""), field: "display name")
        try await assertEqual(await group.messages(), [], "nothing was written")
        try await assertEqual(await kindred.goals(), [], "nothing was written")
    }

    func testUnknownIdsAreNotFound() async throws {
        let (kindred, _) = try await makeProfile(self)
        let group = try await kindred.createGroup(name: "Circle")
        let message = try await group.post("hello")

        func expectNotFound<T>(_ body: @autoclosure () async throws -> T, kind expected: String,
                               line: UInt = #line) async {
            await assertKindredError(try await body(), "NotFound(\(expected))", line: line) {
                if case .NotFound(let kind, let id) = $0 { return kind == expected && id == unknownId }
                return false
            }
        }
        await expectNotFound(try await kindred.group(unknownId), kind: "group")
        await expectNotFound(try await kindred.createGoal("Walk", times: 1, per: .day, sharedWith: unknownId), kind: "group")
        await expectNotFound(try await group.message(id: unknownId), kind: "message")
        await expectNotFound(try await group.edit(messageId: unknownId, text: "x"), kind: "message")
        await expectNotFound(try await group.post("re", replyTo: unknownId), kind: "message to reply to")
        await expectNotFound(try await kindred.goal(id: unknownId), kind: "goal")
        await expectNotFound(try await kindred.logProgress(goalId: unknownId), kind: "goal")
        try await assertEqual(await group.messages(), [message])

        // By name: an unknown one is NotFound, which never repeats the name someone typed.
        await assertKindredError(try await kindred.group("Nobody's circle"), "NotFound(group)") {
            if case .NotFound(let kind, let id) = $0 { return kind == "group" && !id.contains("Nobody") }
            return false
        }
    }

    func testForcedInternalFailureIsInternalAndLibraryStaysUsable() async throws {
        let (kindred, dir) = try await makeProfile(self)
        let group = try await kindred.createGroup(name: "Circle")
        for _ in 0..<3 {
            XCTAssertThrowsError(try Kindred.diagnosticsForceInternalFailure()) { error in
                guard case .Internal(let detail)? = error as? KindredError else {
                    return XCTFail("expected KindredError.Internal, got \(error)")
                }
                XCTAssertTrue(detail.contains("forced internal failure"), detail)
            }
        }
        // Still usable: reads, writes, a fresh open of another profile, integrity.
        let message = try await group.post("still here")
        try await assertEqual(await group.messages().map(\.id), [message.id])
        XCTAssertFalse(Kindred.version.isEmpty)
        XCTAssertTrue(Kindred.profileExists(in: dir))
        let (other, _) = try await makeProfile(self)
        try await assertEqual(await other.groups(), [])
        try await kindred.checkIntegrity()
    }
}
