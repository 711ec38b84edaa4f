package org.kindred

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import org.kindred.core.KindredException
import org.kindred.core.model.SafetyPlanStep
import org.kindred.core.model.Update
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNull
import kotlin.test.assertTrue

class SafetyPlanTest {
    @Test
    fun `a safety plan is written step by step and read back in the plan's order`() = withKindred { kindred ->
        val empty = kindred.safetyPlan()
        assertEquals(SafetyPlanStep.entries.toList(), empty.sections.map { it.step })
        assertTrue(empty.sections.all { it.items.isEmpty() })
        assertEquals("People I can ask for help", empty.sections.single { it.step == SafetyPlanStep.PEOPLE }.heading)

        kindred.addSafetyPlanItem(SafetyPlanStep.REASONS, "My daughter")
        kindred.addSafetyPlanItem(SafetyPlanStep.WARNING_SIGNS, "Not sleeping")
        kindred.addSafetyPlanItem(SafetyPlanStep.WARNING_SIGNS, "Staying in my room")
        val ana = kindred.addSafetyPlanItem(SafetyPlanStep.PEOPLE, "My sister Ana", contact = "555 0101")
        assertEquals(SafetyPlanStep.PEOPLE, ana.step)
        assertEquals("555 0101", ana.contact)

        val plan = kindred.safetyPlan()
        val signs = plan.sections.single { it.step == SafetyPlanStep.WARNING_SIGNS }
        assertEquals(listOf("Not sleeping", "Staying in my room"), signs.items.map { it.text })
        assertFalse(signs.takesContact)
        val people = plan.sections.single { it.step == SafetyPlanStep.PEOPLE }
        assertTrue(people.takesContact)
        assertEquals(listOf(ana), people.items)
    }

    @Test
    fun `items are edited, moved and removed in place`() = withKindred { kindred ->
        val ids = listOf("Ana", "Bo", "Chidi").map { kindred.addSafetyPlanItem(SafetyPlanStep.PEOPLE, it).id }
        val edited = kindred.editSafetyPlanItem(ids[1], "Bo, my neighbour", contact = "555 0102")
        assertEquals("555 0102", edited.contact)
        assertNull(kindred.editSafetyPlanItem(ids[1], "Bo, my neighbour").contact, "the short form removes the contact")

        val moved = kindred.moveSafetyPlanItem(ids[2], position = 0)
        assertEquals(listOf("Chidi", "Ana", "Bo, my neighbour"), moved.items.map { it.text })
        assertEquals("Ana", kindred.removeSafetyPlanItem(ids[0]).text)
        val people = kindred.safetyPlan().sections.single { it.step == SafetyPlanStep.PEOPLE }
        assertEquals(listOf(ids[2], ids[1]), people.items.map { it.id })

        assertEquals(2u, kindred.clearSafetyPlan())
        assertTrue(kindred.safetyPlan().sections.all { it.items.isEmpty() })
    }

    @Test
    fun `refusals are typed and never quote the plan`() = withKindred { kindred ->
        val contact = assertFailsWith<KindredException.InvalidInput> {
            kindred.addSafetyPlanItem(SafetyPlanStep.COPING, "The pills are in the blue box", contact = "555 0199")
        }
        assertEquals("contact", contact.field)
        assertFalse("blue box" in contact.reason || "555" in contact.reason, contact.reason)
        val blank = assertFailsWith<KindredException.InvalidInput> {
            kindred.addSafetyPlanItem(SafetyPlanStep.COPING, "   ")
        }
        assertEquals("safety plan item", blank.field)
        assertFailsWith<KindredException.InvalidInput> { kindred.moveSafetyPlanItem(UNKNOWN_ID, position = -1) }
        val malformed = assertFailsWith<KindredException.InvalidInput> { kindred.removeSafetyPlanItem("not-an-id") }
        assertEquals("safety plan item id", malformed.field)
        val missing = assertFailsWith<KindredException.NotFound> { kindred.removeSafetyPlanItem(UNKNOWN_ID) }
        assertEquals("safety plan item", missing.kind)
        val item = kindred.addSafetyPlanItem(SafetyPlanStep.COPING, "Walk")
        assertFailsWith<KindredException.InvalidInput> { kindred.moveSafetyPlanItem(item.id, position = 1) }
    }

    @Test
    fun `the plan exports as plain text for printing and survives a restart`() = withTempDir { dir ->
        Kindred.create(dir.toString(), "Amara").use { kindred ->
            kindred.addSafetyPlanItem(SafetyPlanStep.PEOPLE, "My sister Ana", contact = "555 0101")
            kindred.addSafetyPlanItem(SafetyPlanStep.PROFESSIONALS, "Crisis line", contact = "988")
        }
        Kindred.open(dir.toString()).use { kindred ->
            val text = kindred.exportSafetyPlanText()
            assertTrue(text.startsWith("MY SAFETY PLAN\nPrinted on "), text)
            assertTrue("4. People I can ask for help\n   - My sister Ana\n     Contact: 555 0101\n" in text, text)
            assertTrue("5. Professionals and crisis lines I can contact\n   - Crisis line\n     Contact: 988\n" in text, text)
            assertFalse("Amara" in text, text)
            assertEquals(2, kindred.safetyPlan().sections.sumOf { it.items.size })
        }
    }

    @Test
    fun `every change to the plan is an update`() = withKindred { kindred ->
        val collected = async(Dispatchers.Unconfined) { kindred.updates().take(3).toList() }
        val item = kindred.addSafetyPlanItem(SafetyPlanStep.ENVIRONMENT, "Give the spare pills to Ana")
        kindred.editSafetyPlanItem(item.id, "Ana keeps the spare pills")
        kindred.removeSafetyPlanItem(item.id)
        assertEquals(List(3) { Update.SafetyPlan }, soon { collected.await() })
    }
}
