package org.kindred

import kotlinx.coroutines.flow.first
import org.kindred.core.KindredException
import kotlin.io.path.createTempDirectory
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotEquals
import kotlin.test.assertTrue

class ProfileTest {
    @Test
    fun `creating a profile reports its identity and makes it exist on disk`() = withTempDir { dir ->
        val dataDir = dir.resolve("profile").toString()
        assertFalse(Kindred.exists(dataDir))
        Kindred.create(dataDir, "Ada").use { kindred ->
            val info = kindred.info()
            assertEquals("Ada", info.displayName)
            assertTrue(info.memberId.matches(Regex("[0-9a-f]{64}")), "member id is 32 bytes of hex: ${info.memberId}")
            assertTrue(info.createdAt > 0)
        }
        assertTrue(Kindred.exists(dataDir))
        assertTrue(Kindred.version.matches(Regex("""\d+\.\d+\.\d+.*""")), "version: ${Kindred.version}")
    }

    @Test
    fun `closing and reopening keeps everything and the closed object refuses calls`() = withTempDir { dir ->
        val dataDir = dir.toString()
        val kindred = Kindred.create(dataDir, "Ada")
        val memberId = kindred.info().memberId
        val group = kindred.createGroup("Evening circle", description = "We meet at eight")
        val message = group.post("First!")
        kindred.setDisplayName("Ada L.")
        kindred.close()
        kindred.close() // a second close does nothing

        assertFailsWith<IllegalStateException> { kindred.groups() }

        Kindred.open(dataDir).use { reopened ->
            assertEquals(memberId, reopened.info().memberId)
            assertEquals("Ada L.", reopened.info().displayName)
            val groups = reopened.groups()
            assertEquals(listOf(group.id()), groups.map { it.id })
            assertEquals("We meet at eight", groups.single().description)
            assertEquals(listOf(message.id to "First!"), reopened.group(group.id()).messages().map { it.id to it.text })
            reopened.checkIntegrity()
        }
    }

    @Test
    fun `a group found again after reopening sees the same messages and an old handle fails with Closed`() =
        withTempDir { dir ->
            val dataDir = dir.toString()
            val kindred = Kindred.create(dataDir, "Ada")
            val group = kindred.createGroup("Evening circle")
            val id = group.id()
            val posted = listOf(group.post("First"), group.post("Second", contentWarning = "long"))
            kindred.close()

            // The handle outlives its profile, but every call that needs the profile is refused with a typed error.
            assertEquals(id, group.id())
            assertFailsWith<KindredException.Closed> { group.messages() }
            assertFailsWith<KindredException.Closed> { group.post("Too late") }
            assertFailsWith<KindredException.Closed> { group.details() }
            assertFailsWith<KindredException.Closed> { group.subscribe(Recorder()) }
            assertFailsWith<KindredException.Closed> { soon { kindred.updates(group).first() } }

            Kindred.open(dataDir).use { reopened ->
                reopened.group(id).use { again ->
                    assertEquals(id, again.id())
                    assertEquals("Evening circle", again.details().name)
                    assertEquals(
                        posted.map { Triple(it.id, it.text, it.contentWarning) },
                        again.messages().map { Triple(it.id, it.text, it.contentWarning) },
                    )
                    val third = again.post("Third")
                    val byName = reopened.group("Evening circle")
                    assertEquals(posted.map { it.id } + third.id, byName.messages().map { it.id })
                }
                // Reopening the profile does not revive handles of the closed one.
                assertFailsWith<KindredException.Closed> { group.messages() }
            }
            group.close()
        }

    @Test
    fun `openOrCreate creates once and then opens the same profile`() = withTempDir { dir ->
        val dataDir = dir.toString()
        val first = Kindred.openOrCreate(dataDir, "Ada").use { it.info() }
        val second = Kindred.openOrCreate(dataDir, "Somebody else").use { it.info() }
        assertEquals(first.memberId, second.memberId)
        assertEquals("Ada", second.displayName)

        val otherDir = createTempDirectory("kindred-test-other")
        try {
            val other = Kindred.openOrCreate(otherDir.toString(), "Bo").use { it.info() }
            assertNotEquals(first.memberId, other.memberId)
        } finally {
            otherDir.toFile().deleteRecursively()
        }
    }
}
