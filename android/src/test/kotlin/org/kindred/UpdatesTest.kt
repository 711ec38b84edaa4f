package org.kindred

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.filterIsInstance
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import org.kindred.core.KindredException
import org.kindred.core.Update
import org.kindred.core.UpdateListener
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** An app-side listener that hands every update to the test. */
internal class Recorder : UpdateListener {
    val received = Channel<Update>(Channel.UNLIMITED)
    val threads = mutableSetOf<String>()

    override fun onUpdate(update: Update) {
        synchronized(threads) { threads += Thread.currentThread().name }
        received.trySend(update)
    }
}

class UpdatesTest {
    @Test
    fun `a listener hears about a post until its handle is cancelled`() = withKindred { kindred ->
        val group = kindred.createGroup("Live").id
        val recorder = Recorder()
        val handle = kindred.subscribe(recorder)
        assertTrue(handle.isActive())

        val message = kindred.post(group, "Can you hear me?")
        val update = soon { recorder.received.receive() }
        assertEquals(Update.Messages(group, listOf(message.id)), update)

        handle.cancel()
        assertFalse(handle.isActive())
        handle.close()
        kindred.post(group, "Nobody listening")
        kindred.recordCheckin(mood = 3)
        assertNull(recorder.received.tryReceive().getOrNull(), "no update after cancel")
    }

    @Test
    fun `the updates flow delivers messages, goals, check-ins and read markers`() = withKindred { kindred ->
        val group = kindred.createGroup("Flowing").id
        val collected = async(Dispatchers.Unconfined) { kindred.updates().take(4).toList() }

        val message = kindred.post(group, "Hello")
        kindred.createGoal("Drink water", times = 1, period = org.kindred.core.CadencePeriod.DAY)
        kindred.recordCheckin(mood = 5)
        kindred.markRead(group)

        assertEquals(
            listOf(Update.Messages(group, listOf(message.id)), Update.Goals(null), Update.Checkins, Update.ReadMarker(group)),
            soon { collected.await() },
        )
    }

    @Test
    fun `a group's flow only carries that group's updates`() = withKindred { kindred ->
        val watched = kindred.createGroup("Watched").id
        val other = kindred.createGroup("Other").id
        val first = async(Dispatchers.Unconfined) { kindred.updates(watched).filterIsInstance<Update.Messages>().first() }

        kindred.post(other, "Not this one")
        kindred.recordCheckin(mood = 2)
        val wanted = kindred.post(watched, "This one")

        assertEquals(Update.Messages(watched, listOf(wanted.id)), soon { first.await() })
    }

    @Test
    fun `updates flows complete when the profile is closed`() = withTempDir { dir ->
        val kindred = Kindred.create(dir.toString(), "Ada")
        val group = kindred.createGroup("Closing").id
        val all = async(Dispatchers.Unconfined) { kindred.updates().toList() }
        val ofGroup = async(Dispatchers.Unconfined) { kindred.updates(group).toList() }
        kindred.post(group, "Last words")
        kindred.close()

        assertEquals(1, soon { all.await() }.size)
        assertEquals(1, soon { ofGroup.await() }.size)
    }

    @Test
    fun `collecting stops the listener and a bad group id fails the flow`() = withKindred { kindred ->
        val group = kindred.createGroup("Stop").id
        val seen = Channel<Update>(Channel.UNLIMITED)
        val job = launch(Dispatchers.Unconfined) { kindred.updates(group).collect { seen.send(it) } }
        kindred.post(group, "one")
        soon { seen.receive() }
        job.cancel()
        soon { job.join() }
        kindred.post(group, "two")
        assertNull(seen.tryReceive().getOrNull())

        val err = assertFailsWith<KindredException.InvalidInput> { soon { kindred.updates("not-a-group").first() } }
        assertEquals("group id", err.field)
    }
}
