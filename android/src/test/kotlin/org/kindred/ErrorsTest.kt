package org.kindred

import org.kindred.core.KindredException
import org.kindred.core.diagnosticsForceInternalFailure
import org.kindred.core.model.CadencePeriod
import org.kindred.core.model.NewGroup
import org.kindred.core.model.Role
import java.io.File
import kotlin.test.Test
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue

class ErrorsTest {
    @Test
    fun `bad input is InvalidInput naming the field`() = withKindred { kindred ->
        val blankName = assertFailsWith<KindredException.InvalidInput> { kindred.createGroup(NewGroup(name = "  ")) }
        assertTrue("name" in blankName.field, blankName.field)

        val group = kindred.createGroup("Circle")
        val emptyPost = assertFailsWith<KindredException.InvalidInput> { group.post("") }
        assertTrue("text" in emptyPost.field, emptyPost.field)

        val mood = assertFailsWith<KindredException.InvalidInput> { kindred.recordCheckin(mood = 9) }
        assertEquals("mood", mood.field)
        assertTrue("1 to 5" in mood.reason, mood.reason)

        val cadence = assertFailsWith<KindredException.InvalidInput> {
            kindred.createGoal("Never", times = 0, period = org.kindred.core.model.CadencePeriod.DAY)
        }
        assertEquals("cadence", cadence.field)

        // Checked on the Kotlin side before anything reaches Rust, with the same exception type.
        assertEquals("limit", assertFailsWith<KindredException.InvalidInput> { group.messages(limit = -1) }.field)
        assertEquals("mood", assertFailsWith<KindredException.InvalidInput> { kindred.recordCheckin(mood = 300) }.field)
        assertTrue(kindred.groups().size == 1, "nothing was written by the failed calls")
    }

    @Test
    fun `a malformed id is InvalidInput`() = withKindred { kindred ->
        val err = assertFailsWith<KindredException.InvalidInput> {
            kindred.createGoal("Stretch", times = 1, period = CadencePeriod.DAY, shareWith = "not-an-id")
        }
        assertEquals("group id", err.field)
        val group = kindred.createGroup("Circle")
        val badMessage = assertFailsWith<KindredException.InvalidInput> { group.editMessage("zz", "text") }
        assertEquals("message id", badMessage.field)
        // What is not a group id is taken as a group name, and no group has this one.
        assertFailsWith<KindredException.NotFound> { kindred.group("nope") }
    }

    @Test
    fun `an unknown id is NotFound naming the kind and id`() = withKindred { kindred ->
        val group = assertFailsWith<KindredException.NotFound> { kindred.group(UNKNOWN_ID) }
        assertEquals("group", group.kind)
        assertEquals(UNKNOWN_ID, group.id)
        val sharedWith = assertFailsWith<KindredException.NotFound> {
            kindred.createGoal("Stretch", times = 1, period = CadencePeriod.DAY, shareWith = UNKNOWN_ID)
        }
        assertEquals("group", sharedWith.kind)

        val real = kindred.createGroup("Circle")
        assertEquals("message", assertFailsWith<KindredException.NotFound> { real.message(UNKNOWN_ID) }.kind)
        assertEquals("goal", assertFailsWith<KindredException.NotFound> { kindred.goal(UNKNOWN_ID) }.kind)
        assertFailsWith<KindredException.NotFound> { kindred.group("No such group") }
    }

    @Test
    fun `a name shared by two groups is Ambiguous`() = withKindred { kindred ->
        kindred.createGroup("Twins")
        kindred.createGroup("Twins")
        val err = assertFailsWith<KindredException.Ambiguous> { kindred.group("Twins") }
        assertEquals("group", err.kind)
        assertEquals("", err.name, "an error never repeats a name someone wrote")
        assertFalse("Twins" in err.toString())
        assertEquals(2u, err.count)
    }

    @Test
    fun `what the profile may not do is NotPermitted`() = withKindred { kindred ->
        val group = kindred.createGroup("Circle")
        val message = group.post("Soon gone")
        group.eraseMessage(message.id)
        assertFailsWith<KindredException.NotPermitted> { group.editMessage(message.id, "Back") }
        assertFailsWith<KindredException.NotPermitted> { group.react(message.id, "👍") }
        val self = assertFailsWith<KindredException.NotPermitted> {
            group.addMember(kindred.info().memberId, "Me again", Role.MEMBER)
        }
        assertTrue("own role" in self.reason, self.reason)
    }

    @Test
    fun `a missing or existing profile is NoProfile or ProfileExists`() = withTempDir { dir ->
        val dataDir = dir.toString()
        assertEquals(dataDir, assertFailsWith<KindredException.NoProfile> { Kindred.open(dataDir) }.path)
        Kindred.create(dataDir, "Ada").close()
        assertFailsWith<KindredException.ProfileExists> { Kindred.create(dataDir, "Ada again") }
        assertFailsWith<KindredException.InvalidInput> { Kindred.create(dir.resolve("other").toString(), "") }
    }

    @Test
    fun `a damaged database is CorruptDatabase and is left untouched`() = withTempDir { dir ->
        val file = File(dir.toFile(), "kindred.sqlite3")
        val garbage = "this is not a database at all, just text".toByteArray()
        file.writeBytes(garbage)
        assertTrue(Kindred.exists(dir.toString()))
        assertFailsWith<KindredException.CorruptDatabase> { Kindred.open(dir.toString()) }
        assertContentEquals(garbage, file.readBytes())
    }

    @Test
    fun `a forced internal failure is Internal and the library keeps working`() = withKindred { kindred ->
        val group = kindred.createGroup("Still here")
        repeat(3) {
            val err = assertFailsWith<KindredException.Internal> { diagnosticsForceInternalFailure() }
            assertTrue("forced internal failure" in err.detail, err.detail)
        }
        val after = group.post("Still working")
        assertEquals(listOf(after.id), group.messages().map { it.id })
        kindred.checkIntegrity()
    }
}
