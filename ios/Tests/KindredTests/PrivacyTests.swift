import Foundation
import XCTest
import Kindred

/// Encryption at rest through the Swift layer: the vault of encrypted profiles (`Kindred.Profiles`), passphrases and
/// keys, hidden profiles, duress decoys, passphrase changes, export of one's own data and the panic wipes. Every
/// check of "nothing readable on disk" scans every byte of every file under the vault.
final class PrivacyTests: XCTestCase {
    let message = "swift-marker-message-9e4c1a"
    let note = "swift-marker-note-3f8b2d"

    /// A vault in a fresh temporary folder (removed after the test).
    func makeVault() async throws -> (Profiles, URL) {
        let root = try makeTempDirectory(self).appendingPathComponent("vault", isDirectory: true)
        return (try await Profiles.open(in: root), root)
    }

    func testAnEncryptedProfileKeepsItsMessageAndNoteOffTheDiskInTheClear() async throws {
        let (profiles, root) = try await makeVault()
        let kindred = try await profiles.create(passphrase: "correct horse", displayName: "Sam", label: "Sam")
        let memberId = try kindred.info.memberId
        let group = try await kindred.createGroup(name: "Evening circle")
        try await group.post(message)
        try await kindred.recordCheckin(NewCheckin(mood: 4, note: note))
        XCTAssertEqual(try filesHolding(root, [message, note]), [], "readable while open")
        kindred.close()

        XCTAssertTrue(try allFiles(root).contains { ((try? $0.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0) > 4096 },
                      "the database is somewhere under the vault")
        XCTAssertEqual(try filesHolding(root, [message, note]), [])
        try await assertEqual(try await profiles.list().map(\.label), ["Sam"])

        let again = try await profiles.open(passphrase: "correct horse")
        defer { again.close() }
        XCTAssertEqual(try again.info.memberId, memberId)
        try await assertEqual(try await again.group(group.id).messages().map(\.text), [message])
        try await assertEqual(try await again.recentCheckins(days: 1).map(\.note), [note])
        XCTAssertEqual(try filesHolding(root, [message, note]), [])
    }

    func testAWrongPassphraseOrKeyOpensNothingAndShortSecretsAreRefused() async throws {
        let (profiles, _) = try await makeVault()
        try await profiles.create(passphrase: "correct horse", displayName: "Sam").close()
        await assertKindredError(try await profiles.open(passphrase: "wrong horse"), "WrongPassphrase", isWrongPassphrase)
        await assertKindredError(try await profiles.open(key: Profiles.newKey()), "WrongPassphrase", isWrongPassphrase)
        await assertKindredError(try await profiles.wipe(passphrase: "wrong horse"), "WrongPassphrase", isWrongPassphrase)
        await assertKindredError(try await profiles.changePassphrase(from: "wrong horse", to: "other horse"),
                                 "WrongPassphrase", isWrongPassphrase)
        await assertKindredError(try await profiles.create(passphrase: "12345", displayName: "Bo"), "InvalidInput") {
            if case .InvalidInput(let field, _) = $0 { return field == "passphrase" }
            return false
        }
        await assertKindredError(try await profiles.open(key: Data(count: 16)), "InvalidInput") {
            if case .InvalidInput(let field, _) = $0 { return field == "key" }
            return false
        }
        // A secret that already opens a profile cannot make a second one.
        await assertKindredError(try await profiles.create(passphrase: "correct horse", displayName: "Bo"), "InvalidInput") {
            if case .InvalidInput = $0 { return true }
            return false
        }
        let again = try await profiles.open(passphrase: "correct horse")
        defer { again.close() }
        XCTAssertEqual(try again.info.displayName, "Sam")
        // The layer's own secret never shows itself.
        XCTAssertFalse("\(Profiles.Secret.passphrase("correct horse"))".contains("horse"))
        XCTAssertFalse(String(reflecting: Kindred.Profiles.Secret.passphrase("correct horse")).contains("horse"))
    }

    func testAHiddenProfileIsNeverListedButOpensWithItsPassphrase() async throws {
        let (profiles, _) = try await makeVault()
        try await profiles.create(passphrase: "listed one", displayName: "Sam", label: "Work").close()
        let hidden = try await profiles.create(passphrase: "hidden one", displayName: "Sam B")
        let hiddenId = try hidden.info.memberId
        hidden.close()
        try await assertEqual(try await profiles.list().map(\.label), ["Work"])

        let opened = try await profiles.open(passphrase: "hidden one")
        XCTAssertEqual(try opened.info.memberId, hiddenId)
        opened.close()
        try await profiles.setListed(passphrase: "hidden one", label: "Home")
        try await assertEqual(try await profiles.list().map(\.label), ["Work", "Home"])
        try await profiles.setListed(passphrase: "hidden one", label: nil)
        let listed = try await profiles.list()
        XCTAssertEqual(listed.map(\.label), ["Work"])
        XCTAssertEqual(listed.first?.id.count, 32)
        XCTAssertTrue(listed.first?.id.allSatisfy(\.isHexDigit) == true)
    }

    func testADuressPassphraseOpensAnEmptyDecoyWithTheSameNameAndAnotherMemberId() async throws {
        let (profiles, root) = try await makeVault()
        let real = try await profiles.create(passphrase: "real passphrase", displayName: "Sam", label: "Sam")
        let realId = try real.info.memberId
        try await real.createGroup(name: "Evening circle").post(message)
        real.close()

        try await profiles.setDuress(real: "real passphrase", duress: "duress passphrase")
        try await assertEqual(try await profiles.list().map(\.label), ["Sam"], "the decoy is not listed")
        let decoy = try await profiles.open(passphrase: "duress passphrase")
        XCTAssertEqual(try decoy.info.displayName, "Sam")
        XCTAssertNotEqual(try decoy.info.memberId, realId)
        try await assertEqual(try await decoy.groups().count, 0)
        decoy.close()

        let again = try await profiles.open(passphrase: "real passphrase")
        XCTAssertEqual(try again.info.memberId, realId)
        try await assertEqual(try await again.groups().count, 1)
        again.close()
        XCTAssertEqual(try filesHolding(root, [message]), [])
    }

    func testChangingThePassphraseKeepsTheProfileAndRetiresTheOldOne() async throws {
        let (profiles, root) = try await makeVault()
        let kindred = try await profiles.create(passphrase: "first passphrase", displayName: "Sam", label: "Sam")
        let memberId = try kindred.info.memberId
        try await kindred.recordCheckin(NewCheckin(mood: 3, note: note))
        kindred.close()

        try await profiles.changePassphrase(from: "first passphrase", to: "second passphrase")
        await assertKindredError(try await profiles.open(passphrase: "first passphrase"), "WrongPassphrase", isWrongPassphrase)
        let again = try await profiles.open(passphrase: "second passphrase")
        XCTAssertEqual(try again.info.memberId, memberId)
        try await assertEqual(try await again.recentCheckins(days: 1).map(\.note), [note])
        again.close()
        try await assertEqual(try await profiles.list().map(\.label), ["Sam"], "the listing follows the profile")

        // From a passphrase to a key the app keeps.
        let key = Profiles.newKey()
        try await profiles.changeSecret(from: .passphrase("second passphrase"), to: .key(key))
        await assertKindredError(try await profiles.open(passphrase: "second passphrase"), "WrongPassphrase", isWrongPassphrase)
        let byKey = try await profiles.open(key: key)
        XCTAssertEqual(try byKey.info.memberId, memberId)
        byKey.close()
        XCTAssertEqual(try filesHolding(root, [note]), [])
    }

    func testAProfileOpenedByA32ByteKeyKeepsItsDataEncryptedToo() async throws {
        let (profiles, root) = try await makeVault()
        let key = Profiles.newKey()
        XCTAssertEqual(key.count, Profiles.keySize)
        XCTAssertNotEqual(key, Profiles.newKey())
        let kindred = try await profiles.create(key: key, displayName: "Bo", label: "Bo")
        let memberId = try kindred.info.memberId
        try await kindred.createGroup(name: "Morning walkers").post(message)
        kindred.close()

        XCTAssertEqual(try filesHolding(root, [message]), [])
        XCTAssertEqual(try filesHolding(root, bytes: [key]), [], "the key itself is not stored")
        var other = key
        other[other.startIndex] &+= 1
        await assertKindredError(try await profiles.open(key: other), "WrongPassphrase", isWrongPassphrase)
        let again = try await profiles.open(key: key)
        defer { again.close() }
        XCTAssertEqual(try again.info.memberId, memberId)
        try await assertEqual(try await again.group("Morning walkers").messages().map(\.text), [message])
    }

    func testExportMineWritesThePersonsOwnDataAsJSONAndCSV() async throws {
        let (profiles, root) = try await makeVault()
        let out = try makeTempDirectory(self).appendingPathComponent("export", isDirectory: true)
        let kindred = try await profiles.create(passphrase: "correct horse", displayName: "Sam")
        defer { kindred.close() }
        try await kindred.createGroup(name: "Evening circle").post(message)
        try await kindred.recordCheckin(NewCheckin(mood: 4, note: note))

        let summary: ExportSummary = try await kindred.exportMine(to: out)
        XCTAssertTrue(summary.files.contains("kindred-export.json"), "files: \(summary.files)")
        XCTAssertTrue(summary.files.contains { $0.hasSuffix(".csv") })
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted(), summary.files.sorted())
        let counts = Dictionary(uniqueKeysWithValues: summary.counts.map { ($0.kind, $0.count) })
        XCTAssertEqual(counts["messages"], 1, "counts: \(counts)")
        XCTAssertEqual(counts["checkins"], 1, "counts: \(counts)")
        let json = try String(contentsOf: out.appendingPathComponent("kindred-export.json"), encoding: .utf8)
        XCTAssertTrue(json.contains(message) && json.contains(note))
        XCTAssertTrue(try String(contentsOf: out.appendingPathComponent("messages.csv"), encoding: .utf8).contains(message))
        XCTAssertTrue(try String(contentsOf: out.appendingPathComponent("checkins.csv"), encoding: .utf8).contains(note))
        // A folder with files already is refused, never written over.
        await assertKindredError(try await kindred.exportMine(to: out), "InvalidInput") {
            if case .InvalidInput = $0 { return true }
            return false
        }
        XCTAssertEqual(try filesHolding(root, [message, note]), [])
    }

    func testAWipedProfileLeavesNothingThatOpensAndTheOthersKeepWorking() async throws {
        let (profiles, root) = try await makeVault()
        let kindred = try await profiles.create(passphrase: "wipe me now", displayName: "Sam", label: "Sam")
        let group = try await kindred.createGroup(name: "Evening circle")
        try await group.post(message)
        let folders = try subfolders(root)
        let keep = try await profiles.create(passphrase: "keep me please", displayName: "Bo", label: "Bo")
        try await keep.createGroup(name: "Morning walkers").post("still here")
        keep.close()
        let keptId = try await profiles.list().first { $0.label == "Bo" }?.id

        let updates = try kindred.updates()
        try await kindred.wipe()
        // Its streams finish, and it and its groups are closed.
        let finished = try await withTimeout { for await _ in updates {}; return true }
        XCTAssertTrue(finished)
        await assertKindredError(try await kindred.groups(), "Closed", isClosed)
        await assertKindredError(try await kindred.wipe(), "Closed", isClosed)
        await assertKindredError(try await group.messages(), "Closed", isClosed)
        await assertKindredError(try await profiles.open(passphrase: "wipe me now"), "WrongPassphrase", isWrongPassphrase)
        try await assertEqual(try await profiles.list().map(\.label), ["Bo"])
        XCTAssertTrue(folders.allSatisfy { !FileManager.default.fileExists(atPath: $0.path) }, "its folder is gone")
        XCTAssertEqual(try subfolders(root).map(\.lastPathComponent), [keptId].compactMap { $0 })
        XCTAssertEqual(try filesHolding(root, [message]), [])

        // The vault's own wipe, by passphrase, of a closed profile.
        try await profiles.wipe(passphrase: "keep me please")
        await assertKindredError(try await profiles.open(passphrase: "keep me please"), "WrongPassphrase", isWrongPassphrase)
        try await assertEqual(try await profiles.list().count, 0)
        XCTAssertEqual(try subfolders(root), [])
    }

    func testWipeAllEmptiesTheVaultFolderHiddenProfilesAndDecoysIncluded() async throws {
        let (profiles, root) = try await makeVault()
        try await profiles.create(passphrase: "listed one", displayName: "Sam", label: "Sam").close()
        try await profiles.create(passphrase: "hidden one", displayName: "Sam").close()
        try await profiles.setDuress(real: "listed one", duress: "duress one")
        let key = Profiles.newKey()
        try await profiles.create(key: key, displayName: "Bo", label: "Bo").close()
        XCTAssertEqual(try subfolders(root).count, 4)

        try await profiles.wipeAll()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path), [], "nothing is left in the vault folder")
        try await assertEqual(try await profiles.list().count, 0)
        for passphrase in ["listed one", "hidden one", "duress one"] {
            await assertKindredError(try await profiles.open(passphrase: passphrase), "an error") { _ in true }
        }
        await assertKindredError(try await profiles.open(key: key), "WrongPassphrase", isWrongPassphrase)

        // The folder can hold a new vault afterwards.
        let fresh = try await Profiles.open(in: root)
        try await fresh.create(passphrase: "a new start", displayName: "Cy").close()
        await assertKindredError(try await fresh.open(passphrase: "listed one"), "WrongPassphrase", isWrongPassphrase)
    }

    // MARK: Helpers

    func isWrongPassphrase(_ error: KindredError) -> Bool {
        if case .WrongPassphrase = error { return true }
        return false
    }

    func isClosed(_ error: KindredError) -> Bool {
        if case .Closed = error { return true }
        return false
    }

    /// Every regular file under `root`.
    func allFiles(_ root: URL) throws -> [URL] {
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            return []
        }
        return try walker.compactMap { $0 as? URL }.filter { try $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true }
    }

    /// The folders directly in `root` (one per profile).
    func subfolders(_ root: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: root, includingPropertiesForKeys: [.isDirectoryKey])
            .filter { try $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory == true }
    }

    /// The files under `root` whose bytes contain any of `markers` (UTF-8), by path relative to `root`.
    func filesHolding(_ root: URL, _ markers: [String]) throws -> [String] {
        try filesHolding(root, bytes: markers.map { Data($0.utf8) })
    }

    func filesHolding(_ root: URL, bytes needles: [Data]) throws -> [String] {
        try allFiles(root).filter { file in
            let data = try Data(contentsOf: file)
            return needles.contains { data.range(of: $0) != nil }
        }.map { String($0.path.dropFirst(root.path.count)) }
    }
}
