package org.kindred

import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

class ReadmeSampleTest {
    @Test
    fun `the README sample runs and reopens its encrypted profile the second time`() = withTempDir { dir ->
        val key = Profiles.newKey()
        val first = readmeSample(dir.toString(), key)
        assertEquals("posted: Hello, everyone!", first[0])
        assertEquals("update: true", first[1])
        assertTrue(first[2].startsWith("rejected: "), first[2])
        assertEquals(listOf("Ada: Hello, everyone!"), first.drop(3))

        // A second run opens the same profile (no ProfileExists) and works in a new group of the same name.
        assertEquals(first, readmeSample(dir.toString(), key))
        assertEquals(2, Profiles.open(dir.toString()).use { it.open(key = key).use { k -> k.groups().size } })
    }
}
