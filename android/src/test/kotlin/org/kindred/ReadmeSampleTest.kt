package org.kindred

import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

class ReadmeSampleTest {
    @Test
    fun `the README sample runs and reopens its profile the second time`() = withTempDir { dir ->
        val first = readmeSample(dir.toString())
        assertEquals("posted: Hello, everyone!", first[0])
        assertEquals("update: true", first[1])
        assertTrue(first[2].startsWith("rejected: "), first[2])
        assertEquals(listOf("Ada: Hello, everyone!"), first.drop(3))

        // A second run opens the same profile (no ProfileExists) and works in a new group of the same name.
        assertEquals(first, readmeSample(dir.toString()))
        assertEquals(2, Kindred.open(dir.toString()).use { it.groups().size })
    }
}
