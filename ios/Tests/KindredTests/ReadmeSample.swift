// The README's "Use from iOS" sample. ios/run-linux-tests.sh checks that README.md shows exactly the code between the
// markers, and ReadmeSampleTests runs it, so the README's code is known to compile and work.
// readme-sample:start
import Foundation
import Kindred

/// Opens (or creates) a profile, starts a group, posts, waits for the live update, and reads the group back.
func readmeSample(dataDirectory: URL) async throws -> [Message] {
    let kindred = try await Kindred.openOrCreate(in: dataDirectory, displayName: "Sam")
    defer { kindred.close() }

    // A group is an object a conversation screen keeps; store `group.id` to find it again with `kindred.group(_:)`.
    let group = try await kindred.createGroup(name: "Tuesday circle", guidelines: "Be kind. What is said here stays here.")

    // Subscribe first, then act: the stream already holds the update when the loop starts.
    let updates = try group.updates()
    let hello = try await group.post("Hi all, first time here.")
    for await update in updates {
        if case .messages(_, let ids) = update, ids.contains(hello.id) { break }
    }

    do {
        try await group.post("   ")
    } catch KindredError.InvalidInput(let field, let reason) {
        print("Kindred rejected the \(field): \(reason)")   // "message text": "must not be empty"
    }
    let again = try await kindred.group(group.id)          // by id or exact name, e.g. after a restart
    return try await again.messages(limit: 20)
}
// readme-sample:end
