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
        await expectInvalid(try await kindred.post("", to: group.id), field: "message text")
        await expectInvalid(try await kindred.post("hi", to: "not-an-id"), field: "group id")
        await expectInvalid(try await kindred.messages(in: group.id, limit: 0), field: "limit")
        await expectInvalid(try await kindred.recordCheckin(NewCheckin(mood: 9)), field: "mood")
        await expectInvalid(try await kindred.recordCheckin(NewCheckin(mood: 3, sleepHours: 30)), field: "sleep hours")
        await expectInvalid(try await kindred.createGoal("Walk", times: 0, per: .day), field: "cadence")
        await expectInvalid(try await Kindred.create(in: try makeTempDirectory(self), displayName: ""), field: "display name")
        try await assertEqual(await kindred.messages(in: group.id), [], "nothing was written")
    }

    func testUnknownIdsAreNotFound() async throws {
        let (kindred, _) = try await makeProfile(self)
        let group = try await kindred.createGroup(name: "Circle")
        let message = try await kindred.post("hello", to: group.id)

        func expectNotFound<T>(_ body: @autoclosure () async throws -> T, kind expected: String,
                               line: UInt = #line) async {
            await assertKindredError(try await body(), "NotFound(\(expected))", line: line) {
                if case .NotFound(let kind, let id) = $0 { return kind == expected && id == unknownId }
                return false
            }
        }
        await expectNotFound(try await kindred.group(id: unknownId), kind: "group")
        await expectNotFound(try await kindred.post("hi", to: unknownId), kind: "group")
        await expectNotFound(try await kindred.message(id: unknownId, in: group.id), kind: "message")
        await expectNotFound(try await kindred.edit(messageId: unknownId, in: group.id, text: "x"), kind: "message")
        await expectNotFound(try await kindred.post("re", to: group.id, replyTo: unknownId), kind: "message to reply to")
        await expectNotFound(try await kindred.goal(id: unknownId), kind: "goal")
        await expectNotFound(try await kindred.logProgress(goalId: unknownId), kind: "goal")
        try await assertEqual(await kindred.messages(in: group.id), [message])
    }

    func testTheGeneratedApiThrowsTheSameTypedErrors() async throws {
        // Straight through the generated KindredProfile, without the layer's typed throws.
        let (kindred, _) = try await makeProfile(self)
        do {
            _ = try await kindred.profile.group(groupId: unknownId)
            XCTFail("expected NotFound")
        } catch KindredError.NotFound(let kind, let id) {
            XCTAssertEqual(kind, "group")
            XCTAssertEqual(id, unknownId)
        }
        do {
            _ = try await kindred.profile.recordCheckin(checkin: NewCheckin(mood: 0))
            XCTFail("expected InvalidInput")
        } catch let error as KindredError {
            XCTAssertEqual(error, .InvalidInput(field: "mood", reason: "0 is not on the 1 to 5 scale"))
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
        // The generated free function behaves the same.
        XCTAssertThrowsError(try diagnosticsForceInternalFailure()) {
            guard case .Internal? = $0 as? KindredError else { return XCTFail("expected Internal, got \($0)") }
        }
        // Still usable: reads, writes, a fresh open of another profile, integrity.
        let message = try await kindred.post("still here", to: group.id)
        try await assertEqual(await kindred.messages(in: group.id).map(\.id), [message.id])
        XCTAssertFalse(Kindred.version.isEmpty)
        XCTAssertTrue(Kindred.profileExists(in: dir))
        let (other, _) = try await makeProfile(self)
        try await assertEqual(await other.groups(), [])
        try await kindred.checkIntegrity()
    }
}
