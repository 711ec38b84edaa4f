package org.kindred

import org.kindred.core.KindredException
import org.kindred.core.model.ChangeJudgement
import org.kindred.core.model.FlagSubject
import org.kindred.core.model.SafetyPlanStep
import org.kindred.core.model.SummaryParts
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNull
import kotlin.test.assertTrue

class InstrumentsTest {
    @Test
    fun `instruments are data, scored as published, and kept on this phone`() = withKindred { kindred ->
        val list = kindred.instruments(null)
        assertEquals(listOf("who5", "phq9", "phq8", "phq2", "gad7", "gad2", "phq4", "k10", "k6"), list.map { it.id })
        val phq9 = list.single { it.id == "phq9" }
        assertEquals(listOf(9u), phq9.items.filter { it.private }.map { it.number })
        assertEquals(FlagSubject.Items(9u, 9u), phq9.flags.single { it.crisis }.subject)

        val who5 = kindred.takeInstrument("who5", listOf(3, 3, 3, 2, 1)).result.score
        assertEquals(12u, who5.score)
        assertEquals(48u, who5.percentage)
        assertEquals(listOf("Poor wellbeing"), who5.flags)
        val gad7 = kindred.takeInstrument("gad7", listOf(3, 3, 3, 3, 3, 0, 0)).result.score
        assertEquals("Severe", gad7.band)

        val incomplete = assertFailsWith<KindredException.InvalidInput> { kindred.takeInstrument("phq9", listOf(1, 1)) }
        assertEquals("answers", incomplete.field)
        assertFailsWith<KindredException.NotFound> { kindred.takeInstrument("phq10", listOf(0)) }

        val history = kindred.instrumentHistory("gad7", 0L, Long.MAX_VALUE)
        assertEquals(listOf(15u), history.map { it.score.score })
        kindred.deleteInstrumentResult(history.single().id)
        assertTrue(kindred.instrumentHistory("gad7", 0L, Long.MAX_VALUE).isEmpty())
    }

    @Test
    fun `item 9 above zero brings the safety plan at once`() = withKindred { kindred ->
        val calm = kindred.takeInstrument("phq9", List(9) { 0 })
        assertFalse(calm.result.score.crisis)
        assertNull(calm.safetyPlan)
        kindred.addSafetyPlanItem(SafetyPlanStep.PEOPLE, "My sister Ana")
        val worried = kindred.takeInstrument("phq9", List(8) { 0 } + 1)
        assertTrue(worried.result.score.crisis)
        assertEquals(listOf("Thoughts of self-harm"), worried.result.score.flags)
        assertEquals(listOf("My sister Ana"), worried.safetyPlan!!.sections.flatMap { it.items }.map { it.text })
    }

    @Test
    fun `an app adds a translation that scores alike`() = withKindred { kindred ->
        val spanish = """
            id: phq2
            title: PHQ-2
            language: es
            recall: Durante las últimas 2 semanas, ¿con qué frecuencia le han molestado los siguientes problemas?
            option: 0 Nunca
            option: 1 Varios días
            option: 2 Más de la mitad de los días
            option: 3 Casi todos los días
            item: Poco interés o placer en hacer cosas
            item: Se ha sentido decaído(a), deprimido(a) o sin esperanzas
            flag: total >= 3: Cribado positivo
        """.trimIndent()
        assertEquals("es", kindred.addInstrument(spanish).language)
        assertEquals("es", kindred.instruments("es-MX").single { it.id == "phq2" }.language)
        assertFailsWith<KindredException.InvalidInput> { kindred.addInstrument(spanish.replace("option: 3", "option: 4")) }
    }

    @Test
    fun `trends judge an instrument's change against the baseline`() = withKindred { kindred ->
        val dayAgo = System.currentTimeMillis() - 86_400_000L
        kindred.takeInstrument("phq9", listOf(2, 2, 2, 2, 2, 2, 2, 1, 0), at = dayAgo)
        kindred.takeInstrument("phq9", listOf(1, 1, 1, 1, 1, 1, 1, 1, 0))
        kindred.recordCheckin(mood = 4, activities = listOf("walk"))
        val trends = kindred.trends(7)
        assertEquals(1, trends.daily.size)
        val phq9 = trends.instruments.single()
        assertEquals(listOf(15u, 8u), phq9.points.map { it.score })
        assertEquals(-7L, phq9.change)
        assertEquals(ChangeJudgement.IMPROVED, phq9.judgement)
        assertTrue(trends.associations.isEmpty(), "one day says nothing")
    }

    @Test
    fun `the clinician summary holds only the ticked parts`() = withKindred { kindred ->
        kindred.recordCheckin(mood = 3, note = "private words")
        kindred.takeInstrument("phq9", listOf(1, 1, 1, 1, 1, 1, 1, 1, 2))
        val plain = kindred.clinicianSummary(SummaryParts())
        assertTrue(plain.csv.startsWith("date,time,record,"))
        assertFalse(plain.csv.contains("private words"), "notes only when ticked")
        assertFalse(plain.csv.contains("self-harm") || plain.html.contains("self-harm"), "never the crisis flag")
        assertTrue(plain.html.contains("<svg") && !plain.html.contains("<script"))
        assertTrue(kindred.clinicianSummary(SummaryParts(days = 7u, notes = true)).csv.contains("private words"))
    }
}
