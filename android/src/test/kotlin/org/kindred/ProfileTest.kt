package org.kindred

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
        val message = kindred.post(group.id, "First!")
        kindred.setDisplayName("Ada L.")
        kindred.close()
        kindred.close() // a second close does nothing

        assertFailsWith<IllegalStateException> { kindred.groups() }

        Kindred.open(dataDir).use { reopened ->
            assertEquals(memberId, reopened.info().memberId)
            assertEquals("Ada L.", reopened.info().displayName)
            val groups = reopened.groups()
            assertEquals(listOf(group.id), groups.map { it.id })
            assertEquals("We meet at eight", groups.single().description)
            assertEquals(listOf(message.id to "First!"), reopened.messages(group.id).map { it.id to it.text })
            reopened.checkIntegrity()
        }
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
