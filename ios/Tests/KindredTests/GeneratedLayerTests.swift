// Tests of what lies under the Swift surface: the generated module `KindredCore`, which apps cannot reach (it is not
// a product of the package, and `Kindred` re-exports only the types its API passes through), and the generated
// objects inside the layer (`Kindred.profile`, `Kindred.Group.generated`). The only test file that imports
// `KindredCore` (the test target depends on it for this) or touches those objects; the others use `import Kindred`
// as an app does (UpdatesTests `@testable`, for the internal count of subscribed streams only).
import Foundation
import XCTest
@testable import Kindred
import KindredCore

/// A listener implementing the generated protocol directly, as the layer's `UpdateRelay` does under every stream.
final class RecordingListener: UpdateListener, @unchecked Sendable {
    // `received` is guarded by `lock`.
    private let lock = NSLock()
    private var received: [Update] = []

    func onUpdate(update: Update) {
        lock.lock()
        received.append(update)
        lock.unlock()
    }

    var updates: [Update] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    /// Waits up to `seconds` for an update that `matches`.
    func waitFor(within seconds: Double = 10, _ matches: (Update) -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if updates.contains(where: matches) { return true }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        return updates.contains(where: matches)
    }
}

final class GeneratedLayerTests: XCTestCase {
    func testGeneratedListenerReceivesUpdates() async throws {
        let (kindred, _) = try await makeProfile(self)
        let listener = RecordingListener()
        let handle = try kindred.profile.subscribe(listener: listener)
        XCTAssertTrue(handle.isActive())

        let group = try await kindred.createGroup(name: "Circle")
        XCTAssertEqual(group.generated.id(), group.id, "the layer's Group is the generated group it wraps")
        let message = try await group.post("hello")
        let gotMessage = try await listener.waitFor { $0 == .messages(groupId: group.id, messageIds: [message.id]) }
        XCTAssertTrue(gotMessage, "got \(listener.updates)")
        XCTAssertTrue(listener.updates.contains(.group(groupId: group.id)), "got \(listener.updates)")
        try await kindred.recordCheckin(NewCheckin(mood: 3))
        let gotCheckin = try await listener.waitFor { $0 == .checkins }
        XCTAssertTrue(gotCheckin)

        handle.cancel()
        XCTAssertFalse(handle.isActive())
        handle.cancel()             // twice is fine
        let before = listener.updates.count
        try await group.post("after cancel")
        try await Task.sleep(nanoseconds: 200_000_000)
        XCTAssertEqual(listener.updates.count, before, "a cancelled handle delivers nothing")
    }

    func testTheGeneratedApiThrowsTheSameTypedErrors() async throws {
        // Straight through the generated KindredProfile, without the layer's typed throws.
        let (kindred, _) = try await makeProfile(self)
        do {
            _ = try kindred.profile.group(idOrName: unknownId)
            XCTFail("expected NotFound")
        } catch KindredError.NotFound(let kind, let id) {
            XCTAssertEqual(kind, "group")
            XCTAssertEqual(id, unknownId)
        }
        do {
            _ = try kindred.profile.recordCheckin(checkin: NewCheckin(mood: 0))
            XCTFail("expected InvalidInput")
        } catch let error as KindredError {
            XCTAssertEqual(error, .InvalidInput(field: "mood", reason: "0 is not on the 1 to 5 scale"))
        }
        // The generated free function behind `Kindred.diagnosticsForceInternalFailure()` throws the same error.
        XCTAssertThrowsError(try diagnosticsForceInternalFailure()) {
            guard case .Internal? = $0 as? KindredError else { return XCTFail("expected Internal, got \($0)") }
        }
    }
}
