package org.kindred

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.withContext
import java.util.concurrent.atomic.AtomicReference
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull

class AsyncTest {
    @Test
    fun `suspend calls run off the caller's thread and many can be in flight at once`() = withKindred { kindred ->
        val group = kindred.createGroup("Busy")
        val caller = Thread.currentThread()
        val workerThread = AtomicReference<Thread?>(null)
        val probe = object : org.kindred.core.UpdateListener {
            override fun onUpdate(update: org.kindred.core.model.Update) {
                workerThread.set(Thread.currentThread())
            }
        }
        kindred.subscribe(probe).use {
            group.post("probe")
        }
        // Listeners run on the thread that made the change, before the call returns.
        val worker = assertNotNull(workerThread.get(), "the update arrived before post() returned")
        assertNotEquals(caller, worker, "the work (and its update) happened on a background (IO) thread")

        // All started from one thread (runBlocking's): they suspend instead of blocking it, so all are in flight.
        val posted = (1..20).map { i -> async { group.post("message $i") } }.awaitAll()
        assertEquals(20, posted.map { it.id }.toSet().size)
        val texts = group.messages(limit = 100).map { it.text }
        assertEquals(21, texts.size)
        assertEquals((1..20).map { "message $it" }.toSet(), texts.drop(1).toSet())

        // And from many threads at once.
        val parallel = withContext(Dispatchers.Default) {
            (1..10).map { async { kindred.createGroup("Group $it").id() } }.awaitAll()
        }
        assertEquals(11, kindred.groups().size)
        assertEquals(parallel.toSet(), kindred.groups().map { it.id }.toSet() - group.id())
    }
}
