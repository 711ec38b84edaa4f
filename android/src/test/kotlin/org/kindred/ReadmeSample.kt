package org.kindred

// readme-sample:start
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.flow.filterIsInstance
import kotlinx.coroutines.flow.first
import org.kindred.Kindred
import org.kindred.core.KindredException
import org.kindred.core.Update

suspend fun readmeSample(dataDir: String): List<String> = coroutineScope {
    val log = mutableListOf<String>()
    Kindred.openOrCreate(dataDir, displayName = "Ada").use { kindred ->
        val group = kindred.createGroup(name = "Tuesday circle", guidelines = "Listen first")

        // Live updates are a Flow; collecting registers a listener, and it is removed when collection ends.
        // (On Android, collect in lifecycleScope: it starts on Dispatchers.Main.immediate, so it is registered at once.)
        val nextMessage = async(Dispatchers.Unconfined) {
            kindred.updates(group.id).filterIsInstance<Update.Messages>().first()
        }
        val hello = kindred.post(group.id, "Hello, everyone!")
        log += "posted: ${hello.text}"
        log += "update: ${nextMessage.await().messageIds == listOf(hello.id)}"

        // Every failure is a KindredException subclass; InvalidInput says which field and why.
        try {
            kindred.post(group.id, text = "")
        } catch (e: KindredException.InvalidInput) {
            log += "rejected: ${e.field}"
        }

        kindred.messages(group.id, limit = 20).forEach { log += "${it.authorName}: ${it.text}" }
    }
    log
}
// readme-sample:end
