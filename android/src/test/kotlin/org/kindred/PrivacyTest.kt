package org.kindred

import kotlinx.coroutines.CoroutineScope
import org.kindred.core.KindredException
import org.kindred.core.ProfileSecret
import java.io.File
import java.nio.file.Path
import kotlin.test.Test
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotEquals
import kotlin.test.assertTrue

/**
 * Encryption at rest through the Kotlin layer: the vault of encrypted profiles ([Profiles]), passphrases and keys,
 * hidden profiles, duress decoys, passphrase changes, export of one's own data and the panic wipes. Every check of
 * "nothing readable on disk" scans every byte of every file under the vault.
 */
class PrivacyTest {
    private val message = "kotlin-marker-message-4b1d9e"
    private val note = "kotlin-marker-note-7c2a5f"

    @Test
    fun `an encrypted profile keeps its message and check-in note off the disk in the clear`() = withVault { root, profiles ->
        val kindred = profiles.create(passphrase = "correct horse", displayName = "Ada", label = "Ada")
        val memberId = kindred.info().memberId
        val group = kindred.createGroup("Evening circle")
        group.post(message)
        kindred.recordCheckin(mood = 4, note = note)
        assertTrue(filesHolding(root, message, note).isEmpty(), "markers readable while open: ${filesHolding(root, message, note)}")
        kindred.close()

        assertTrue(root.toFile().walk().any { it.isFile && it.length() > 4096 }, "the database is somewhere under the vault")
        assertEquals(emptyList(), filesHolding(root, message, note))
        assertEquals(listOf("Ada"), profiles.list().map { it.label })

        // The right passphrase brings everything back.
        profiles.open(passphrase = "correct horse").use { again ->
            assertEquals(memberId, again.info().memberId)
            assertEquals(listOf(message), again.group(group.id()).messages().map { it.text })
            assertEquals(listOf(note), again.recentCheckins(1u).map { it.note })
        }
        assertEquals(emptyList(), filesHolding(root, message, note))
    }

    @Test
    fun `a wrong passphrase or key opens nothing and short secrets are refused`() = withVault { _, profiles ->
        profiles.create(passphrase = "correct horse", displayName = "Ada").close()
        assertFailsWith<KindredException.WrongPassphrase> { profiles.open(passphrase = "wrong horse") }
        assertFailsWith<KindredException.WrongPassphrase> { profiles.open(key = Profiles.newKey()) }
        assertFailsWith<KindredException.WrongPassphrase> { profiles.wipe(passphrase = "wrong horse") }
        assertFailsWith<KindredException.WrongPassphrase> { profiles.changePassphrase("wrong horse", "other horse") }
        val short = assertFailsWith<KindredException.InvalidInput> { profiles.create(passphrase = "12345", displayName = "Bo") }
        assertEquals("passphrase", short.field)
        val badKey = assertFailsWith<KindredException.InvalidInput> { profiles.open(key = ByteArray(16)) }
        assertEquals("key", badKey.field)
        // A secret that already opens a profile cannot make a second one.
        assertFailsWith<KindredException.InvalidInput> { profiles.create(passphrase = "correct horse", displayName = "Bo") }
        // Still there, unharmed.
        profiles.open(passphrase = "correct horse").use { assertEquals("Ada", it.info().displayName) }
    }

    @Test
    fun `a hidden profile is never listed but opens with its passphrase, and can be listed and hidden again`() =
        withVault { _, profiles ->
            profiles.create(passphrase = "listed one", displayName = "Ada", label = "Work").close()
            val hiddenId = profiles.create(passphrase = "hidden one", displayName = "Ada B").use { it.info().memberId }
            assertEquals(listOf("Work"), profiles.list().map { it.label })

            profiles.open(passphrase = "hidden one").use { assertEquals(hiddenId, it.info().memberId) }
            profiles.setListed(passphrase = "hidden one", label = "Home")
            assertEquals(listOf("Work", "Home"), profiles.list().map { it.label })
            profiles.setListed(passphrase = "hidden one", label = null)
            assertEquals(listOf("Work"), profiles.list().map { it.label })
            assertTrue(profiles.list().single().id.matches(Regex("[0-9a-f]{32}")))
        }

    @Test
    fun `a duress passphrase opens an empty decoy with the same display name and another member id`() =
        withVault { root, profiles ->
            val real = profiles.create(passphrase = "real passphrase", displayName = "Ada", label = "Ada")
            val realId = real.info().memberId
            real.createGroup("Evening circle").post(message)
            real.close()

            profiles.setDuress(real = "real passphrase", duress = "duress passphrase")
            assertEquals(listOf("Ada"), profiles.list().map { it.label }, "the decoy is not listed")
            profiles.open(passphrase = "duress passphrase").use { decoy ->
                assertEquals("Ada", decoy.info().displayName)
                assertNotEquals(realId, decoy.info().memberId)
                assertEquals(emptyList(), decoy.groups())
            }
            profiles.open(passphrase = "real passphrase").use { again ->
                assertEquals(realId, again.info().memberId)
                assertEquals(1, again.groups().size)
            }
            assertEquals(emptyList(), filesHolding(root, message))
        }

    @Test
    fun `changing the passphrase keeps the profile and retires the old passphrase`() = withVault { root, profiles ->
        val kindred = profiles.create(passphrase = "first passphrase", displayName = "Ada", label = "Ada")
        val memberId = kindred.info().memberId
        kindred.recordCheckin(mood = 3, note = note)
        kindred.close()

        profiles.changePassphrase("first passphrase", "second passphrase")
        assertFailsWith<KindredException.WrongPassphrase> { profiles.open(passphrase = "first passphrase") }
        profiles.open(passphrase = "second passphrase").use { again ->
            assertEquals(memberId, again.info().memberId)
            assertEquals(listOf(note), again.recentCheckins(1u).map { it.note })
        }
        assertEquals(listOf("Ada"), profiles.list().map { it.label }, "the listing follows the profile")

        // From a passphrase to a key the app keeps, and back.
        val key = Profiles.newKey()
        profiles.changeSecret(ProfileSecret.Passphrase("second passphrase"), ProfileSecret.Key(key))
        assertFailsWith<KindredException.WrongPassphrase> { profiles.open(passphrase = "second passphrase") }
        profiles.open(key = key).use { assertEquals(memberId, it.info().memberId) }
        assertEquals(emptyList(), filesHolding(root, note))
    }

    @Test
    fun `a profile opened by a 32-byte key keeps its data encrypted too`() = withVault { root, profiles ->
        val key = Profiles.newKey()
        assertEquals(Profiles.KEY_SIZE, key.size)
        val kindred = profiles.create(key = key.copyOf(), displayName = "Bo", label = "Bo")
        val memberId = kindred.info().memberId
        kindred.createGroup("Morning walkers").post(message)
        kindred.close()

        assertEquals(emptyList(), filesHolding(root, message))
        assertEquals(emptyList(), filesHoldingBytes(root, key), "the key itself is not stored")
        val other = key.copyOf().also { it[0] = (it[0] + 1).toByte() }
        assertFailsWith<KindredException.WrongPassphrase> { profiles.open(key = other) }
        profiles.open(key = key).use { again ->
            assertEquals(memberId, again.info().memberId)
            assertEquals(listOf(message), again.group("Morning walkers").messages().map { it.text })
        }
    }

    @Test
    fun `exportMine writes the person's own data, markers included, as JSON and CSV`() = withVault { root, profiles ->
        profiles.create(passphrase = "correct horse", displayName = "Ada").use { kindred ->
            kindred.createGroup("Evening circle").post(message)
            kindred.recordCheckin(mood = 4, note = note)
            val out = root.resolveSibling("${root.fileName}-export").toFile()
            try {
                val summary = kindred.exportMine(out.path)
                assertTrue("kindred-export.json" in summary.files, "files: ${summary.files}")
                assertTrue(summary.files.any { it.endsWith(".csv") })
                assertEquals(summary.files.sorted(), out.list()!!.sorted())
                val counts = summary.counts.associate { it.kind to it.count }
                assertEquals(1u, counts["messages"], "counts: $counts")
                assertEquals(1u, counts["checkins"], "counts: $counts")
                val json = File(out, "kindred-export.json").readText()
                assertTrue(message in json && note in json)
                assertTrue(message in File(out, "messages.csv").readText())
                assertTrue(note in File(out, "checkins.csv").readText())
                // A folder with files already is refused, never written over.
                assertFailsWith<KindredException.InvalidInput> { kindred.exportMine(out.path) }
            } finally {
                out.deleteRecursively()
            }
        }
        assertEquals(emptyList(), filesHolding(root, message, note))
    }

    @Test
    fun `a wiped profile leaves nothing that opens and the others keep working`() = withVault { root, profiles ->
        val kindred = profiles.create(passphrase = "wipe me now", displayName = "Ada", label = "Ada")
        val group = kindred.createGroup("Evening circle")
        group.post(message)
        val folders = root.toFile().listFiles()!!.filter { it.isDirectory }
        val keep = profiles.create(passphrase = "keep me please", displayName = "Bo", label = "Bo")
        keep.createGroup("Morning walkers").post("still here")
        keep.close()
        val keptId = profiles.list().single { it.label == "Bo" }.id

        kindred.wipe()
        assertFailsWith<IllegalStateException> { kindred.groups() }
        assertFailsWith<IllegalStateException> { kindred.wipe() }
        assertFailsWith<KindredException.Closed> { group.messages() }
        assertFailsWith<KindredException.WrongPassphrase> { profiles.open(passphrase = "wipe me now") }
        assertEquals(listOf("Bo"), profiles.list().map { it.label })
        assertTrue(folders.none { it.exists() }, "the wiped profile's folder is gone")
        assertEquals(listOf(keptId), root.toFile().listFiles()!!.filter { it.isDirectory }.map { it.name })
        assertEquals(emptyList(), filesHolding(root, message))

        // The vault's own wipe, by passphrase, of a closed profile.
        profiles.wipe(passphrase = "keep me please")
        assertFailsWith<KindredException.WrongPassphrase> { profiles.open(passphrase = "keep me please") }
        assertEquals(emptyList(), profiles.list())
        assertEquals(emptyList(), root.toFile().listFiles()!!.filter { it.isDirectory })
    }

    @Test
    fun `wipeAll empties the vault folder, hidden profiles and decoys included`() = withVault { root, profiles ->
        profiles.create(passphrase = "listed one", displayName = "Ada", label = "Ada").close()
        profiles.create(passphrase = "hidden one", displayName = "Ada").close()
        profiles.setDuress(real = "listed one", duress = "duress one")
        val key = Profiles.newKey()
        profiles.create(key = key, displayName = "Bo", label = "Bo").close()
        assertTrue(root.toFile().listFiles()!!.count { it.isDirectory } == 4)

        profiles.wipeAll()
        assertContentEquals(emptyArray(), root.toFile().list(), "nothing is left in the vault folder")
        assertEquals(emptyList(), profiles.list())
        for (passphrase in listOf("listed one", "hidden one", "duress one")) {
            assertFailsWith<KindredException> { profiles.open(passphrase = passphrase) }
        }
        assertFailsWith<KindredException.WrongPassphrase> { profiles.open(key = key) }

        // The folder can hold a new vault afterwards.
        Profiles.open(root.toString()).use { fresh ->
            fresh.create(passphrase = "a new start", displayName = "Cy").close()
            assertFailsWith<KindredException.WrongPassphrase> { fresh.open(passphrase = "listed one") }
        }
    }

    /** Runs [block] with a vault in a new temporary folder (removed afterwards). */
    private fun withVault(block: suspend CoroutineScope.(Path, Profiles) -> Unit) = withTempDir { dir ->
        val root = dir.resolve("vault")
        Profiles.open(root.toString()).use { block(root, it) }
    }

    /** The files under [root] whose bytes contain any of [markers] (UTF-8), as paths relative to [root]. */
    private fun filesHolding(root: Path, vararg markers: String): List<String> =
        filesHoldingBytes(root, *markers.map { it.toByteArray(Charsets.UTF_8) }.toTypedArray())

    private fun filesHoldingBytes(root: Path, vararg needles: ByteArray): List<String> {
        return root.toFile().walk().filter { it.isFile }.filter { file ->
            val bytes = file.readBytes()
            needles.any { bytes.indexOf(it) >= 0 }
        }.map { it.relativeTo(root.toFile()).path }.toList()
    }

    private fun ByteArray.indexOf(needle: ByteArray): Int {
        outer@ for (i in 0..size - needle.size) {
            for (j in needle.indices) if (this[i + j] != needle[j]) continue@outer
            return i
        }
        return -1
    }
}
