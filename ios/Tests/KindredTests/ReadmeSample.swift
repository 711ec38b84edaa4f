// The README's "Use from iOS" sample. ios/run-linux-tests.sh checks that README.md shows exactly the code between the
// markers, and ReadmeSampleTests runs it, so the README's code is known to compile and work.
// readme-sample:start
import Foundation
import Kindred

/// Opens (or creates) an encrypted profile, starts a group, posts, waits for the live update, and reads it back.
/// `key`: 32 random bytes (`Kindred.Profiles.newKey()`) the app keeps in the Keychain (see `Kindred.Profiles`).
func readmeSample(vaultDirectory: URL, key: Data) async throws -> [Message] {
    // Profiles live encrypted in a vault; the key (or a passphrase the person types) opens one.
    let profiles = try await Kindred.Profiles.open(in: vaultDirectory)
    let kindred: Kindred
    do {
        kindred = try await profiles.open(key: key)
    } catch KindredError.WrongPassphrase {
        kindred = try await profiles.create(key: key, displayName: "Sam", label: "Sam")
    }
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
