import Foundation
import XCTest
import Kindred

final class ReadmeSampleTests: XCTestCase {
    func testReadmeSampleRuns() async throws {
        let dir = try makeTempDirectory(self)
        let key = Kindred.Profiles.newKey()
        let messages = try await withTimeout { try await readmeSample(vaultDirectory: dir, key: key) }
        XCTAssertEqual(messages.map(\.text), ["Hi all, first time here."])

        // Second run: opens the existing profile instead of creating one.
        let again = try await withTimeout { try await readmeSample(vaultDirectory: dir, key: key) }
        XCTAssertEqual(again.count, 1)
        let kindred = try await Kindred.Profiles.open(in: dir).open(key: key)
        defer { kindred.close() }
        try await assertEqual(await kindred.groups().count, 2)
        XCTAssertEqual(try kindred.info.displayName, "Sam")
    }
}
