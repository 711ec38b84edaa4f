import Foundation
import XCTest
import Kindred

/// A fresh, empty directory under the system temp dir, removed at the end of the test.
func makeTempDirectory(_ test: XCTestCase) throws -> URL {
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("kindred-swift-tests", isDirectory: true)
        .appendingPathComponent(UUID().uuidString, isDirectory: true)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return dir
}

/// A new profile in a fresh directory, closed at the end of the test.
func makeProfile(_ test: XCTestCase, name: String = "Robin") async throws -> (Kindred, URL) {
    let dir = try makeTempDirectory(test)
    let kindred = try await Kindred.create(in: dir, displayName: name)
    test.addTeardownBlock { kindred.close() }
    return (kindred, dir)
}

struct TimedOut: Error, CustomStringConvertible {
    let seconds: Double
    var description: String { "timed out after \(seconds) s" }
}

/// Runs `body`, cancelling it and throwing `TimedOut` if it takes longer than `seconds`, so a missing update fails a
/// test instead of hanging the suite.
func withTimeout<T: Sendable>(_ seconds: Double = 10, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TimedOut(seconds: seconds) }
        return value
    }
}

/// The first update of `stream` that `matches`, or nil if none arrives within `seconds` (or the stream ends).
func firstUpdate(
    _ stream: AsyncStream<Update>,
    within seconds: Double = 10,
    where matches: @escaping @Sendable (Update) -> Bool
) async -> Update? {
    try? await withTimeout(seconds) {
        for await update in stream where matches(update) { return update }
        throw CancellationError()       // the stream ended
    }
}

/// Asserts that `body` throws a `KindredError` for which `check` returns true.
func assertKindredError<T>(
    _ body: @autoclosure () async throws -> T,
    _ description: String,
    file: StaticString = #filePath,
    line: UInt = #line,
    _ check: (KindredError) -> Bool
) async {
    do {
        let value = try await body()
        XCTFail("expected \(description), got \(value)", file: file, line: line)
    } catch let error as KindredError {
        XCTAssertTrue(check(error), "expected \(description), got \(error)", file: file, line: line)
    } catch {
        XCTFail("expected \(description), got a non-Kindred error \(error)", file: file, line: line)
    }
}

/// A syntactically valid id that names nothing (32 hex characters, like group, message and goal ids).
let unknownId = String(repeating: "ab", count: 16)

/// `XCTAssertEqual` for an async expression (XCTest's autoclosures cannot await).
func assertEqual<T: Equatable>(
    _ expression: @autoclosure () async throws -> T,
    _ expected: T,
    _ message: String = "",
    file: StaticString = #filePath,
    line: UInt = #line
) async throws {
    let value = try await expression()
    XCTAssertEqual(value, expected, message, file: file, line: line)
}

/// `task`'s value, cancelling the task (and throwing `TimedOut`) if it takes longer than `seconds`; awaiting
/// `task.value` alone would not react to the timeout.
func value<T: Sendable>(of task: Task<T, Never>, within seconds: Double = 10) async throws -> T {
    try await withTimeout(seconds) {
        await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
    }
}

/// ``value(of:within:)`` for a throwing task.
func value<T: Sendable>(of task: Task<T, any Error>, within seconds: Double = 10) async throws -> T {
    try await withTimeout(seconds) {
        try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
    }
}

/// Kindred's example crisis resource directory (a signed file whose every entry says EXAMPLE), read from the
/// repository this file is in.
func exampleDirectoryFile() throws -> Data {
    let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return try Data(contentsOf: root.appendingPathComponent("core/src/crisis/example-directory.bin"))
}
