import Foundation
import XCTest
import Kindred

final class ReadmeSampleTests: XCTestCase {
    func testReadmeSampleRuns() async throws {
        let dir = try makeTempDirectory(self)
        let messages = try await withTimeout { try await readmeSample(dataDirectory: dir) }
        XCTAssertEqual(messages.map(\.text), ["Hi all, first time here."])
        XCTAssertTrue(Kindred.profileExists(in: dir))

        // Second run: opens the existing profile instead of creating one.
        let again = try await withTimeout { try await readmeSample(dataDirectory: dir) }
        XCTAssertEqual(again.count, 1)
        let kindred = try await Kindred.open(dir)
        defer { kindred.close() }
        try await assertEqual(await kindred.groups().count, 2)
        XCTAssertEqual(try kindred.info.displayName, "Sam")
    }
}
