package org.kindred

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import org.kindred.core.KindredException
import org.kindred.core.KindredProfiles
import org.kindred.core.ProfileSecret
import org.kindred.core.model.ListedProfile
import java.security.SecureRandom

/**
 * The encrypted profiles on this phone: a vault folder in which every profile's database is encrypted with its own
 * random key, and that key is kept only wrapped under the profile's secret: a passphrase the person types, or a
 * 32-byte key the app keeps in Android Keystore. This is how an app keeps profiles; [Kindred.create] and
 * [Kindred.open] make unencrypted ones, for tests and tools.
 *
 * ```kotlin
 * val profiles = Profiles.open(File(context.noBackupFilesDir, "kindred").path)   // once per process
 * val kindred = profiles.create(passphrase = typed, displayName = "Ada", label = "Ada")
 * // ... the next launch:
 * profiles.list()                                        // what the sign-in screen may show (hidden ones never)
 * val again = profiles.open(passphrase = typed)          // KindredException.WrongPassphrase if it opens nothing
 * ```
 *
 * Every call runs on [Dispatchers.IO] and is main-safe. A passphrase is stretched with Argon2id (19 MiB, about
 * 0.1 s on a laptop core, under a second on a low-cost phone) on every call that takes one; show progress.
 *
 * ## A passphrase or a key?
 *
 * - **A key in Android Keystore** (the default for most people): the profile opens without typing anything, and its
 *   files are useless off this phone or without its Keystore. Android Keystore does not hand out raw key bytes, so
 *   keep the 32 random bytes ([newKey]) wrapped by a Keystore AES key, in app-private storage:
 *
 *   ```kotlin
 *   // Once: a Keystore AES key that never leaves the secure hardware (StrongBox where the phone has it).
 *   val keyStore = KeyStore.getInstance("AndroidKeyStore").apply { load(null) }
 *   if (!keyStore.containsAlias("kindred")) {
 *       KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, "AndroidKeyStore").apply {
 *           init(
 *               KeyGenParameterSpec.Builder("kindred", KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
 *                   .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
 *                   .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
 *                   .setKeySize(256)
 *                   .setUnlockedDeviceRequired(true)   // API 28+: unusable while the phone is locked
 *                   .build(),
 *           )
 *       }.generateKey()
 *   }
 *   val wrapping = keyStore.getKey("kindred", null) as SecretKey
 *   val file = File(context.noBackupFilesDir, "kindred-key")   // 12-byte IV, then the sealed key
 *
 *   // Creating the profile: 32 random bytes, stored only sealed by the Keystore key.
 *   val key = Profiles.newKey()
 *   val seal = Cipher.getInstance("AES/GCM/NoPadding").apply { init(Cipher.ENCRYPT_MODE, wrapping) }
 *   file.writeBytes(seal.iv + seal.doFinal(key))
 *   val kindred = profiles.create(key = key, displayName = "Ada", label = "Ada")
 *   key.fill(0)
 *
 *   // Every later launch: unseal and open.
 *   val stored = file.readBytes()
 *   val open = Cipher.getInstance("AES/GCM/NoPadding")
 *       .apply { init(Cipher.DECRYPT_MODE, wrapping, GCMParameterSpec(128, stored, 0, 12)) }
 *   val key = open.doFinal(stored, 12, stored.size - 12)
 *   val kindred = profiles.open(key = key).also { key.fill(0) }
 *   ```
 *
 *   Keep the vault and the sealed key out of backups (`noBackupFilesDir`, or the app's backup rules): without this
 *   phone's Keystore they cannot be opened anyway. Add `.setUserAuthenticationRequired(...)` to ask for the screen
 *   lock or a fingerprint before each opening.
 * - **A passphrase** when the person wants a profile that only they can open (a shared or inspected phone, where a
 *   key the app holds would open it for anyone holding the unlocked phone); for a **hidden** profile (created with
 *   `label = null`: it appears in no [list], and its folder looks like every other, so only its passphrase finds
 *   it); and for a **duress** passphrase ([setDuress]), which opens an ordinary-looking empty decoy instead. A key
 *   the app keeps can never be hidden from someone who has the phone unlocked.
 *
 * Changing from one to the other is [changeSecret] (e.g. `ProfileSecret.Passphrase(old)` to `ProfileSecret.Key(key)`).
 * The generated [ProfileSecret]'s `toString()` shows the passphrase: never log one.
 *
 * Failures: [KindredException.WrongPassphrase] when no profile opens with the passphrase or key (nothing is changed;
 * ask again), [KindredException.InvalidInput] for a passphrase under [MIN_PASSPHRASE_LENGTH] characters, a key that
 * is not [KEY_SIZE] bytes, a label too long, or a new secret that already opens a profile.
 *
 * [close] only frees this handle; the profiles opened from it stay open.
 */
class Profiles private constructor(
    private val vault: KindredProfiles,
) : AutoCloseable {

    companion object {
        /** The size of a key, in bytes. */
        const val KEY_SIZE = 32

        /** The shortest passphrase accepted, in characters. */
        const val MIN_PASSPHRASE_LENGTH = 6

        /**
         * The vault in the folder [root] (nothing is written there until a profile is created). Keep it in
         * app-private storage, e.g. `File(context.noBackupFilesDir, "kindred").path`.
         */
        suspend fun open(root: String): Profiles = withContext(Dispatchers.IO) { Profiles(KindredProfiles(root)) }

        /** [KEY_SIZE] random bytes from [SecureRandom], for [create] with a key: keep them in Android Keystore. */
        fun newKey(): ByteArray = ByteArray(KEY_SIZE).also { SecureRandom().nextBytes(it) }
    }

    /** The profiles the app listed, in the order they were listed, each with its label; hidden ones never appear. */
    suspend fun list(): List<ListedProfile> = io { list() }

    /**
     * Creates a profile opened by [passphrase] (at least [MIN_PASSPHRASE_LENGTH] characters) and opens it: listed
     * under [label], or hidden when [label] is `null` (it then appears in no [list]; only its passphrase finds it).
     *
     * @throws KindredException.InvalidInput for a short passphrase, or one that already opens a profile.
     */
    suspend fun create(passphrase: String, displayName: String, label: String? = null): Kindred =
        create(ProfileSecret.Passphrase(passphrase), displayName, label)

    /** Creates a profile opened by [key] ([KEY_SIZE] random bytes, see [newKey]), listed under [label] or hidden. */
    suspend fun create(key: ByteArray, displayName: String, label: String? = null): Kindred =
        create(ProfileSecret.Key(key), displayName, label)

    /** Creates a profile opened by [secret], listed under [label] or hidden (`null`), and opens it. */
    suspend fun create(secret: ProfileSecret, displayName: String, label: String? = null): Kindred =
        Kindred(io { create(secret, displayName, label) })

    /**
     * Opens the profile [passphrase] opens (listed, hidden or a duress decoy alike).
     *
     * @throws KindredException.WrongPassphrase if none does; nothing is written either way.
     */
    suspend fun open(passphrase: String): Kindred = open(ProfileSecret.Passphrase(passphrase))

    /** Opens the profile [key] opens ([KindredException.WrongPassphrase] if none). */
    suspend fun open(key: ByteArray): Kindred = open(ProfileSecret.Key(key))

    /** Opens the profile [secret] opens ([KindredException.WrongPassphrase] if none). */
    suspend fun open(secret: ProfileSecret): Kindred = Kindred(io { open(secret) })

    /** Lists the profile [passphrase] opens under [label], or hides it (`null`). */
    suspend fun setListed(passphrase: String, label: String?): Unit = setListed(ProfileSecret.Passphrase(passphrase), label)

    /** Lists the profile [key] opens under [label], or hides it (`null`). */
    suspend fun setListed(key: ByteArray, label: String?): Unit = setListed(ProfileSecret.Key(key), label)

    /** Lists the profile [secret] opens under [label], or hides it (`null`). */
    suspend fun setListed(secret: ProfileSecret, label: String?): Unit = io { setListed(secret, label) }

    /**
     * Changes the passphrase of the profile [old] opens to [new]; close the profile first. Its key is wrapped anew,
     * the data is not rewritten, so this is quick whatever the profile holds.
     *
     * @throws KindredException.WrongPassphrase if [old] opens nothing.
     * @throws KindredException.InvalidInput if [new] is too short or already opens a profile.
     */
    suspend fun changePassphrase(old: String, new: String): Unit =
        changeSecret(ProfileSecret.Passphrase(old), ProfileSecret.Passphrase(new))

    /** Changes the secret that opens a profile, e.g. from a passphrase to a key; close the profile first. */
    suspend fun changeSecret(old: ProfileSecret, new: ProfileSecret): Unit = io { changeSecret(old, new) }

    /**
     * Sets up a duress passphrase for the profile [real] opens: typed instead of the real one (by someone made to
     * open the app), [duress] opens a decoy, an ordinary-looking, empty, unlisted profile with the real one's display
     * name. The real profile is untouched and nothing on disk links the two.
     */
    suspend fun setDuress(real: String, duress: String): Unit =
        setDuress(ProfileSecret.Passphrase(real), ProfileSecret.Passphrase(duress))

    /** [setDuress] with any secrets. */
    suspend fun setDuress(real: ProfileSecret, duress: ProfileSecret): Unit = io { setDuress(real, duress) }

    /**
     * Panic wipe of the profile [passphrase] opens: its wrapped key is overwritten and removed first (the data is
     * unreadable from then on), then its files. For a profile the app has open, use [Kindred.wipe] instead.
     *
     * @throws KindredException.WrongPassphrase if it opens nothing.
     */
    suspend fun wipe(passphrase: String): Unit = wipe(ProfileSecret.Passphrase(passphrase))

    /** Panic wipe of the profile [key] opens. */
    suspend fun wipe(key: ByteArray): Unit = wipe(ProfileSecret.Key(key))

    /** Panic wipe of the profile [secret] opens. */
    suspend fun wipe(secret: ProfileSecret): Unit = io { wipe(secret) }

    /**
     * Panic wipe of every profile in the vault, hidden ones and decoys included (each wrapped key first), and of the
     * vault's own files; the folder is left empty. Wipe or close the profiles the app has open first
     * ([Kindred.wipe]). To make profiles in the folder again afterwards, open it anew with [Profiles.open] (which
     * makes a new salt).
     */
    suspend fun wipeAll(): Unit = io { wipeAll() }

    /** Frees the native handle; profiles opened from it stay open. */
    override fun close() = vault.close()

    private suspend inline fun <T> io(crossinline call: KindredProfiles.() -> T): T =
        withContext(Dispatchers.IO) { vault.call() }
}
