// The vault of encrypted profiles: `Kindred.Profiles` (also `Profiles`), over the generated `KindredProfiles`, which
// stays hidden like `KindredProfile`. The generated `ProfileSecret` stays hidden too: the layer takes a passphrase
// (`String`) or a key (`Data`) by argument label, or its own `Kindred.Profiles.Secret` where both kinds meet
// (`changeSecret(from:to:)`), whose descriptions never show the secret.
import Foundation
public import KindredCore

extension Kindred {
    /// The encrypted profiles on this device: a vault folder in which every profile's database is encrypted with a
    /// random key of its own, kept only wrapped under the profile's secret: a passphrase the person types, or a
    /// 32-byte key the app keeps in the Keychain. This is how an app keeps profiles;
    /// ``Kindred/create(in:displayName:)`` and ``Kindred/open(_:)`` make unencrypted ones, for tests and tools.
    ///
    /// ```swift
    /// let profiles = try await Kindred.Profiles.open(in: applicationSupport.appendingPathComponent("Kindred"))
    /// let kindred = try await profiles.create(passphrase: typed, displayName: "Sam", label: "Sam")
    /// // ... the next launch:
    /// try await profiles.list()                              // what a sign-in screen may show (never hidden ones)
    /// let again = try await profiles.open(passphrase: typed)  // KindredError.WrongPassphrase if it opens nothing
    /// ```
    ///
    /// Every call is `async` and runs on a background thread. A passphrase is stretched with Argon2id on every call
    /// that takes one (under a second on a low-cost phone): show progress.
    ///
    /// ## A passphrase or a key?
    ///
    /// - **A key in the Keychain** suits most people: the profile opens without typing anything, and its files are
    ///   useless off this device. Make it once with ``newKey()`` and store it as a generic password that never leaves
    ///   the device and is readable once it has been unlocked after a restart (so that the app can open the
    ///   profile in the background):
    ///
    ///   ```swift
    ///   let key = Kindred.Profiles.newKey()
    ///   let item: [String: Any] = [
    ///       kSecClass as String: kSecClassGenericPassword,
    ///       kSecAttrService as String: "org.example.app.kindred",
    ///       kSecAttrAccount as String: "profile-key",
    ///       kSecAttrAccessible as String: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly,
    ///       kSecValueData as String: key,
    ///   ]
    ///   guard SecItemAdd(item as CFDictionary, nil) == errSecSuccess else { ... }
    ///   let kindred = try await profiles.create(key: key, displayName: "Sam", label: "Sam")
    ///
    ///   // Every later launch:
    ///   var found: CFTypeRef?
    ///   let query: [String: Any] = [
    ///       kSecClass as String: kSecClassGenericPassword,
    ///       kSecAttrService as String: "org.example.app.kindred",
    ///       kSecAttrAccount as String: "profile-key",
    ///       kSecReturnData as String: true,
    ///   ]
    ///   guard SecItemCopyMatching(query as CFDictionary, &found) == errSecSuccess, let key = found as? Data else { ... }
    ///   let kindred = try await profiles.open(key: key)
    ///   ```
    ///
    ///   `ThisDeviceOnly` keeps the key out of backups and iCloud Keychain, so a backup of the vault cannot be opened
    ///   elsewhere; exclude the vault folder from backups too (`URLResourceValues.isExcludedFromBackup`). Use
    ///   `kSecAttrAccessibleWhenUnlockedThisDeviceOnly`, or an access control with `.userPresence`, to ask for
    ///   Face ID or the passcode before each opening.
    /// - **A passphrase** when the person wants a profile only they can open (a shared or inspected phone, where a
    ///   key the app holds opens it for anyone holding the unlocked phone); for a **hidden** profile (created with
    ///   `label: nil`: it appears in no ``list()``, and its folder looks like every other, so only its passphrase
    ///   finds it); and for a **duress** passphrase (``setDuress(real:duress:)``), which opens an ordinary-looking,
    ///   empty decoy instead. A key the app keeps can never be hidden from whoever holds the unlocked phone.
    ///
    /// Errors: ``KindredError/WrongPassphrase`` when no profile opens with the passphrase or key (nothing was
    /// changed; ask again), ``KindredError/InvalidInput(field:reason:)`` for a passphrase under
    /// ``minimumPassphraseLength`` characters, a key that is not ``keySize`` bytes, a label too long, or a new secret
    /// that already opens a profile.
    ///
    /// `Profiles` is `Sendable`. The profiles opened from it are independent of it.
    public final class Profiles: Sendable {
        /// The generated vault object this wraps.
        let vault: KindredProfiles

        init(_ vault: KindredProfiles) {
            self.vault = vault
        }

        /// The size of a key, in bytes.
        public static let keySize = 32

        /// The shortest passphrase accepted, in characters.
        public static let minimumPassphraseLength = 6

        /// What opens a profile, for the calls that take either kind. Its descriptions never show the secret.
        public enum Secret: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
            /// A passphrase the person types (at least ``Kindred/Profiles/minimumPassphraseLength`` characters).
            case passphrase(String)
            /// ``Kindred/Profiles/keySize`` random bytes the app keeps in the Keychain.
            case key(Data)

            public var description: String {
                switch self {
                case .passphrase: "Secret.passphrase(<redacted>)"
                case .key: "Secret.key(<redacted>)"
                }
            }

            public var debugDescription: String { description }

            var generated: ProfileSecret {
                switch self {
                case .passphrase(let passphrase): .passphrase(passphrase: passphrase)
                case .key(let key): .key(key: key)
                }
            }
        }

        /// The vault in `directory` (nothing is written there until a profile is created). Keep it in the app's
        /// own storage (Application Support), excluded from backups.
        public static func open(in directory: URL) async throws -> Profiles {
            let path = directory.path
            return Profiles(try await bridgeAsync { try KindredProfiles(root: path) })
        }

        /// ``keySize`` random bytes from the system's secure generator, for ``create(key:displayName:label:)``:
        /// keep them in the Keychain.
        public static func newKey() -> Data {
            var generator = SystemRandomNumberGenerator()
            return Data((0..<keySize).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        }

        /// The profiles the app listed, in the order they were listed, with their labels; hidden ones never appear.
        public func list() async throws -> [ListedProfile] {
            try await bridgeAsync { [vault] in try vault.list() }
        }

        /// Creates a profile opened by `passphrase` and opens it: listed under `label`, or hidden when `label` is nil
        /// (it then appears in no ``list()``; only its passphrase finds it).
        /// - Throws: ``KindredError/InvalidInput(field:reason:)`` for a short passphrase, or one that already opens
        ///   a profile.
        public func create(passphrase: String, displayName: String, label: String? = nil) async throws -> Kindred {
            try await create(.passphrase(passphrase), displayName: displayName, label: label)
        }

        /// Creates a profile opened by `key` (``keySize`` random bytes, see ``newKey()``), listed under `label` or
        /// hidden (nil), and opens it.
        public func create(key: Data, displayName: String, label: String? = nil) async throws -> Kindred {
            try await create(.key(key), displayName: displayName, label: label)
        }

        /// Creates a profile opened by `secret`, listed under `label` or hidden (nil), and opens it.
        public func create(_ secret: Secret, displayName: String, label: String? = nil) async throws -> Kindred {
            let secret = secret.generated
            return Kindred(try await bridgeAsync { [vault] in
                try vault.create(secret: secret, displayName: displayName, label: label)
            })
        }

        /// Opens the profile `passphrase` opens (listed, hidden or a duress decoy alike).
        /// - Throws: ``KindredError/WrongPassphrase`` if none does; nothing is written either way.
        public func open(passphrase: String) async throws -> Kindred {
            try await open(.passphrase(passphrase))
        }

        /// Opens the profile `key` opens (``KindredError/WrongPassphrase`` if none).
        public func open(key: Data) async throws -> Kindred {
            try await open(.key(key))
        }

        /// Opens the profile `secret` opens (``KindredError/WrongPassphrase`` if none).
        public func open(_ secret: Secret) async throws -> Kindred {
            let secret = secret.generated
            return Kindred(try await bridgeAsync { [vault] in try vault.open(secret: secret) })
        }

        /// Lists the profile `passphrase` opens under `label`, or hides it (nil).
        public func setListed(passphrase: String, label: String?) async throws {
            try await setListed(.passphrase(passphrase), label: label)
        }

        /// Lists the profile `key` opens under `label`, or hides it (nil).
        public func setListed(key: Data, label: String?) async throws {
            try await setListed(.key(key), label: label)
        }

        /// Lists the profile `secret` opens under `label`, or hides it (nil).
        public func setListed(_ secret: Secret, label: String?) async throws {
            let secret = secret.generated
            try await bridgeAsync { [vault] in try vault.setListed(secret: secret, label: label) }
        }

        /// Changes the passphrase of the profile `old` opens to `new`; close the profile first. Its key is wrapped
        /// anew, the data is not rewritten, so this is quick whatever the profile holds.
        /// - Throws: ``KindredError/WrongPassphrase`` if `old` opens nothing,
        ///   ``KindredError/InvalidInput(field:reason:)`` if `new` is too short or already opens a profile.
        public func changePassphrase(from old: String, to new: String) async throws {
            try await changeSecret(from: .passphrase(old), to: .passphrase(new))
        }

        /// Changes the secret that opens a profile, e.g. from a passphrase to a key; close the profile first.
        public func changeSecret(from old: Secret, to new: Secret) async throws {
            let (old, new) = (old.generated, new.generated)
            try await bridgeAsync { [vault] in try vault.changeSecret(old: old, new: new) }
        }

        /// Sets up a duress passphrase for the profile `real` opens: typed instead of the real one (by someone made
        /// to open the app), `duress` opens a decoy, an ordinary-looking, empty, unlisted profile with the real
        /// one's display name. The real profile is untouched and nothing on disk links the two.
        public func setDuress(real: String, duress: String) async throws {
            try await setDuress(real: .passphrase(real), duress: .passphrase(duress))
        }

        /// ``setDuress(real:duress:)`` with any secrets.
        public func setDuress(real: Secret, duress: Secret) async throws {
            let (real, duress) = (real.generated, duress.generated)
            try await bridgeAsync { [vault] in try vault.setDuress(real: real, duress: duress) }
        }

        /// Panic wipe of the profile `passphrase` opens: its wrapped key is overwritten and removed first (the data
        /// is unreadable from then on), then its files. For a profile the app has open, use ``Kindred/wipe()``.
        /// - Throws: ``KindredError/WrongPassphrase`` if it opens nothing.
        public func wipe(passphrase: String) async throws {
            try await wipe(.passphrase(passphrase))
        }

        /// Panic wipe of the profile `key` opens.
        public func wipe(key: Data) async throws {
            try await wipe(.key(key))
        }

        /// Panic wipe of the profile `secret` opens.
        public func wipe(_ secret: Secret) async throws {
            let secret = secret.generated
            try await bridgeAsync { [vault] in try vault.wipe(secret: secret) }
        }

        /// Panic wipe of every profile in the vault, hidden ones and decoys included (each wrapped key first), and of
        /// the vault's own files: the folder is left empty. Wipe or close the profiles the app has open first
        /// (``Kindred/wipe()``). To make profiles in the folder again, open it anew with ``open(in:)`` (a new salt).
        public func wipeAll() async throws {
            try await bridgeAsync { [vault] in try vault.wipeAll() }
        }
    }
}

/// ``Kindred/Profiles``, by its short name too.
public typealias Profiles = Kindred.Profiles
