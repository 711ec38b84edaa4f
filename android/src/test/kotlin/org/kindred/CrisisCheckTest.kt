package org.kindred

import org.kindred.core.KindredException
import org.kindred.core.model.Refusal
import org.kindred.core.model.ResourceMatch
import org.kindred.core.model.SafetyPlanStep
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNull
import kotlin.test.assertTrue

class CrisisCheckTest {
    private val risky = "honestly i just want to dieee"

    @Test
    fun `a risky draft offers the plan once it has an item, an ordinary one nothing`() = withKindred { kindred ->
        val first = kindred.checkDraft(risky, "en")
        assertTrue(first.risk)
        assertEquals("suicidal_ideation", first.matches.first().category)
        assertEquals("en", first.matches.first().language)
        assertNull(first.safetyPlan, "an empty plan is not offered")

        kindred.addSafetyPlanItem(SafetyPlanStep.PEOPLE, "My sister Ana", contact = "555 0101")
        val offered = kindred.checkDraft(risky)
        assertTrue(offered.risk)
        val people = offered.safetyPlan!!.sections.single { it.step == SafetyPlanStep.PEOPLE }
        assertEquals(listOf("My sister Ana"), people.items.map { it.text })

        val ordinary = kindred.checkDraft("this week is killing me, see you Tuesday", "en")
        assertFalse(ordinary.risk)
        assertTrue(ordinary.matches.isEmpty())
        assertNull(ordinary.safetyPlan)
    }

    @Test
    fun `a reader gets guidance on risk only, and an over-long text is invalid input`() = withKindred { kindred ->
        val reading = kindred.checkReceived("ya no quiero vivir", "es")
        assertTrue(reading.risk)
        assertTrue(reading.guidance.isNotEmpty())
        assertEquals("es", reading.guidanceLanguage)
        val calm = kindred.checkReceived("see you Tuesday")
        assertFalse(calm.risk)
        assertTrue(calm.guidance.isEmpty())

        val error = assertFailsWith<KindredException.InvalidInput> { kindred.checkDraft("a".repeat(4001)) }
        assertEquals("draft text", error.field)
        assertFalse(error.reason.contains("aaaa"))

        kindred.setCrisisPhrases("language: en\n[plan_or_means]\nblue .. balloon\n", false)
        assertTrue(kindred.checkDraft("the blue balloon is ready", "en").risk)
        kindred.resetCrisisPhrases()
        assertFalse(kindred.checkDraft("the blue balloon is ready", "en").risk)
    }

    @Test
    fun `an imported directory serves the person's region, and a forged one is refused`() = withKindred { kindred ->
        assertEquals(ResourceMatch.NOTHING, kindred.crisisResources("KE", "sw").matched)
        assertTrue(kindred.checkDraft("nataka kujiua", "sw").resources.isEmpty(), "nothing is invented")

        val file = exampleDirectoryFile()
        val imported = kindred.importResourceDirectory(file)
        assertTrue(imported.installed)
        assertEquals(6u, imported.entries)
        assertFalse(kindred.importResourceDirectory(file).installed, "the same file again changes nothing")
        val listed = kindred.resourceDirectories().single()
        assertTrue(listed.imported && listed.example && listed.groups.isEmpty())

        assertNull(kindred.region())
        assertEquals("KE-30", kindred.setRegion("ke-30"))
        assertEquals("KE-30", kindred.region())
        assertFailsWith<KindredException.InvalidInput> { kindred.setRegion("Kenya") }
        val draft = kindred.checkDraft("nataka kujiua", "sw")
        assertEquals("EXAMPLE Nairobi walk-in centre", draft.resources.first().entry.name)
        assertTrue(draft.resources.all { it.example })
        val reading = kindred.checkReceived("nataka kujiua", "sw")
        assertEquals("EXAMPLE Nairobi walk-in centre", reading.resources.first().entry.name, "services to share")
        assertTrue(kindred.checkReceived("tuonane Jumanne", "sw").resources.isEmpty())

        val forged = file.copyOf().also { it[it.size - 1] = (it[it.size - 1].toInt() xor 1).toByte() }
        val refused = assertFailsWith<KindredException.Rejected> { kindred.importResourceDirectory(forged) }
        assertEquals(Refusal.FORGED, refused.kind)
        kindred.removeResourceDirectory(imported.publisher)
        assertTrue(kindred.resourceDirectories().isEmpty())
        assertFailsWith<KindredException.NotFound> { kindred.removeResourceDirectory(imported.publisher) }
    }
}
