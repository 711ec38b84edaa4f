package org.kindred

import org.kindred.core.KindredException
import org.kindred.core.model.CadencePeriod
import org.kindred.core.model.ChoiceKind
import org.kindred.core.model.GoalStatus
import org.kindred.core.model.PeriodOutcome
import org.kindred.core.model.ShareAs
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNull
import kotlin.test.assertTrue

class GoalsAndCheckinsTest {
    @Test
    fun `a goal counts logged progress and leaves the active list when archived`() = withKindred { kindred ->
        val goal = kindred.createGoal("Walk outside", times = 3, period = CadencePeriod.WEEK)
        assertEquals(GoalStatus.ACTIVE, goal.status)
        assertTrue(goal.isMine)
        assertNull(goal.groupId)
        assertEquals(0u, goal.totalLogged)

        val entry = kindred.logProgress(goal.id, note = "Around the park")
        assertEquals(goal.id, entry.goalId)
        assertEquals("Around the park", entry.note)
        kindred.logProgress(goal.id, amount = 2)

        val now = kindred.goal(goal.id)
        assertEquals(3u, now.totalLogged)
        assertEquals(3u, now.doneThisPeriod)
        assertEquals(listOf(1u, 2u), kindred.goalProgress(goal.id, null, 10u).map { it.amount }.sorted())

        assertEquals(GoalStatus.ARCHIVED, kindred.setGoalStatus(goal.id, GoalStatus.ARCHIVED).status)
        assertTrue(kindred.goals(false).isEmpty())
        assertEquals(listOf(goal.id), kindred.goals(true).map { it.id })
        val refused = assertFailsWith<KindredException.NotPermitted> { kindred.logProgress(goal.id) }
        assertTrue("archived" in refused.reason, refused.reason)
    }

    @Test
    fun `habit strength grows when met, a skipped day costs nothing, and weekdays are kept in order`() =
        withKindred { kindred ->
            val walk = kindred.createGoal("Walk", times = 1, period = CadencePeriod.DAY)
            assertEquals(0u, kindred.goalStrength(walk.id).strength)
            kindred.logProgress(walk.id)
            val strength = kindred.goalStrength(walk.id)
            assertEquals(5u, strength.strength, "one day of a two-week half-life")
            assertEquals(PeriodOutcome.MET, strength.recent.last().outcome)
            assertEquals(5u, kindred.skipGoalDay(walk.id, null).strength, "a skip costs nothing")
            assertFailsWith<KindredException.InvalidInput> { kindred.skipGoalDay(walk.id, "someday") }

            val swim = kindred.createGoal("Swim", times = 1, period = CadencePeriod.DAY, weekdays = listOf(5, 1, 3, 3))
            assertEquals(listOf<UInt>(1u, 3u, 5u), swim.cadence.weekdays)
            assertFailsWith<KindredException.InvalidInput> {
                kindred.createGoal("Run", times = 1, period = CadencePeriod.WEEK, weekdays = listOf(1))
            }
            assertFailsWith<KindredException.NotPermitted> { kindred.cheerGoal(walk.id) }
        }

    @Test
    fun `a goal shared with a group is listed for that group only`() = withKindred { kindred ->
        val group = kindred.createGroup("Movers")
        val other = kindred.createGroup("Readers")
        val shared = kindred.createGoal("Stretch", times = 1, period = CadencePeriod.DAY, shareWith = group)
        kindred.createGoal("Private goal", times = 2, period = CadencePeriod.MONTH)

        assertEquals(group.id(), shared.groupId)
        assertEquals(listOf(shared.id), group.goals(false).map { it.id })
        assertTrue(other.goals(false).isEmpty())
        assertEquals(2, kindred.goals(false).size)
    }

    @Test
    fun `a group lists only the goals shared with it while the profile lists every goal`() = withKindred { kindred ->
        val movers = kindred.createGroup("Movers")
        val readers = kindred.createGroup("Readers")
        val stretch = kindred.createGoal("Stretch", times = 1, period = CadencePeriod.DAY, shareWith = movers)
        val walk = kindred.createGoal("Walk", times = 3, period = CadencePeriod.WEEK, shareWith = movers.id())
        val read = kindred.createGoal("Read", times = 5, period = CadencePeriod.WEEK, shareWith = readers)
        val journal = kindred.createGoal("Journal", times = 1, period = CadencePeriod.DAY)

        assertEquals(setOf(stretch.id, walk.id), movers.goals(false).map { it.id }.toSet())
        assertTrue(movers.goals(false).all { it.groupId == movers.id() })
        assertEquals(listOf(read.id), readers.goals(false).map { it.id })
        assertEquals(setOf(stretch.id, walk.id, read.id, journal.id), kindred.goals(false).map { it.id }.toSet())

        // Archiving takes a goal off both active lists; includeArchived brings it back on both.
        kindred.setGoalStatus(walk.id, GoalStatus.ARCHIVED)
        assertEquals(listOf(stretch.id), movers.goals(false).map { it.id })
        assertEquals(setOf(stretch.id, walk.id), movers.goals(true).map { it.id }.toSet())
        assertEquals(setOf(stretch.id, read.id, journal.id), kindred.goals(false).map { it.id }.toSet())
        assertEquals(4, kindred.goals(true).size)

        // Another handle to the same group, found by name, lists the same goals.
        assertEquals(setOf(stretch.id, walk.id), kindred.group("Movers").goals(true).map { it.id }.toSet())
    }

    @Test
    fun `check-ins are recorded, listed and averaged`() = withKindred { kindred ->
        val now = System.currentTimeMillis()
        val first = kindred.recordCheckin(mood = 4, energy = 3, sleepHours = 7.5, tags = listOf("walk"), note = "ok")
        assertEquals(4u.toUByte(), first.mood)
        assertEquals(listOf("walk"), first.tags)
        kindred.recordCheckin(mood = 2, energy = 5)

        val recent = kindred.recentCheckins(7u)
        assertEquals(setOf(first.id), recent.filter { it.note == "ok" }.map { it.id }.toSet())
        assertEquals(listOf(2, 4), recent.map { it.mood.toInt() }.sorted())

        val summary = kindred.checkinSummary(now - 86_400_000L, now + 86_400_000L)
        assertEquals(2u, summary.daily.sumOf { it.checkins })
        val daily = summary.daily.single { it.checkins == 2u }
        assertEquals(3.0, daily.mood)
        assertEquals(4.0, daily.energy)
        assertEquals(2u, summary.weekly.sumOf { it.checkins })
        assertEquals(2, kindred.checkins(now - 60_000L, now + 60_000L).size)
    }

    @Test
    fun `a check-in carries emotions, activities and medication, and is edited and deleted`() = withKindred { kindred ->
        val options = kindred.checkinOptions()
        assertEquals(listOf(1, 2, 3, 4, 5), options.moods.map { it.value.toInt() })
        assertTrue(options.moods.all { it.emoji.isNotEmpty() && it.label.isNotEmpty() })
        val recorded = kindred.recordCheckin(
            mood = 2,
            emotions = listOf("anxious", "tired"),
            activities = listOf("walk"),
            medicationTaken = true,
        )
        assertEquals(listOf("anxious", "tired"), recorded.emotions)
        assertEquals(true, recorded.medicationTaken)
        val edited = kindred.editCheckin(recorded.id, mood = 4, activities = listOf("time with others"))
        assertEquals(recorded.id to recorded.at, edited.id to edited.at)
        assertEquals(listOf("time with others"), edited.activities)
        assertNull(edited.medicationTaken)
        kindred.deleteCheckin(recorded.id)
        assertTrue(kindred.recentCheckins(1u).isEmpty())
        assertFailsWith<KindredException.NotFound> { kindred.deleteCheckin(recorded.id) }

        assertEquals(listOf("gardening", "choir"), kindred.setCheckinChoices(ChoiceKind.ACTIVITY, listOf("gardening", "choir")))
        assertEquals(listOf("gardening", "choir"), kindred.checkinOptions().activities)
    }

    @Test
    fun `a check-in is shared with a group as chosen, its note only when asked`() = withKindred { kindred ->
        val group = kindred.createGroup("Circle")
        val checkin = kindred.recordCheckin(mood = 4, activities = listOf("walk"), note = "private words")
        assertEquals("🙂", group.shareCheckin(checkin.id, ShareAs.EMOJI, false).text)
        val summary = group.shareCheckin(checkin.id, ShareAs.SUMMARY, false).text
        assertEquals("🙂 Feeling good · walk", summary)
        assertEquals("🙂\n\nprivate words", group.shareCheckin(checkin.id, ShareAs.EMOJI, true).text)
        val result = kindred.takeInstrument("phq9", listOf(1, 1, 1, 1, 1, 1, 1, 1, 3)).result
        assertEquals("My PHQ-9: 11 of 27, moderate", group.shareInstrumentResult(result.id).text)
    }
}
