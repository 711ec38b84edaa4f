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
import org.kindred.core.UpdateListener
import org.kindred.core.model.Update
import kotlin.io.path.createTempDirectory
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
        val group = kindred.createGroup("Live")
        val recorder = Recorder()
        val handle = kindred.subscribe(recorder)
        assertTrue(handle.isActive())

        val message = group.post("Can you hear me?")
        val update = soon { recorder.received.receive() }
        assertEquals(Update.Messages(group.id(), listOf(message.id)), update)

        handle.cancel()
        assertFalse(handle.isActive())
        handle.close()
        group.post("Nobody listening")
        kindred.recordCheckin(mood = 3)
        assertNull(recorder.received.tryReceive().getOrNull(), "no update after cancel")
    }

    @Test
    fun `the updates flow delivers messages, goals, check-ins and read markers`() = withKindred { kindred ->
        val group = kindred.createGroup("Flowing")
        val collected = async(Dispatchers.Unconfined) { kindred.updates().take(4).toList() }

        val message = group.post("Hello")
        kindred.createGoal("Drink water", times = 1, period = org.kindred.core.model.CadencePeriod.DAY)
        kindred.recordCheckin(mood = 5)
        group.markRead()

        val id = group.id()
        assertEquals(
            listOf(Update.Messages(id, listOf(message.id)), Update.Goals(null), Update.Checkins, Update.ReadMarker(id)),
            soon { collected.await() },
        )
    }

    @Test
    fun `a group's flow only carries that group's updates`() = withKindred { kindred ->
        val watched = kindred.createGroup("Watched")
        val other = kindred.createGroup("Other")
        val first = async(Dispatchers.Unconfined) { kindred.updates(watched).filterIsInstance<Update.Messages>().first() }

        other.post("Not this one")
        kindred.recordCheckin(mood = 2)
        val wanted = watched.post("This one")

        assertEquals(Update.Messages(watched.id(), listOf(wanted.id)), soon { first.await() })
    }

    @Test
    fun `updates flows complete when the profile is closed`() = withTempDir { dir ->
        val kindred = Kindred.create(dir.toString(), "Ada")
        val group = kindred.createGroup("Closing")
        val all = async(Dispatchers.Unconfined) { kindred.updates().toList() }
        val ofGroup = async(Dispatchers.Unconfined) { kindred.updates(group).toList() }
        group.post("Last words")
        kindred.close()

        assertEquals(1, soon { all.await() }.size)
        assertEquals(1, soon { ofGroup.await() }.size)
    }

    @Test
    fun `collecting stops the listener and a group of a closed profile fails the flow`() = withKindred { kindred ->
        val group = kindred.createGroup("Stop")
        val seen = Channel<Update>(Channel.UNLIMITED)
        val job = launch(Dispatchers.Unconfined) { kindred.updates(group).collect { seen.send(it) } }
        group.post("one")
        soon { seen.receive() }
        job.cancel()
        soon { job.join() }
        group.post("two")
        assertNull(seen.tryReceive().getOrNull())

        val otherDir = createTempDirectory("kindred-test-other")
        val stale = try {
            Kindred.create(otherDir.toString(), "Bo").use { it.createGroup("Gone") }
        } finally {
            otherDir.toFile().deleteRecursively()
        }
        assertFailsWith<KindredException.Closed> { soon { kindred.updates(stale).first() } }
    }
}
