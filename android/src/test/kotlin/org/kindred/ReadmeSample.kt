package org.kindred

// readme-sample:start
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.flow.filterIsInstance
import kotlinx.coroutines.flow.first
import org.kindred.Kindred
import org.kindred.Profiles
import org.kindred.core.KindredException
import org.kindred.core.model.Update

/** [key]: 32 random bytes ([Profiles.newKey]) the app keeps sealed by an Android Keystore key (see [Profiles]). */
suspend fun readmeSample(vaultDir: String, key: ByteArray): List<String> = coroutineScope {
    val log = mutableListOf<String>()
    // Profiles live encrypted in a vault; the key (or a passphrase the person types) opens one.
    val opened = Profiles.open(vaultDir).use { profiles ->
        try {
            profiles.open(key = key)
        } catch (e: KindredException.WrongPassphrase) {
            profiles.create(key = key, displayName = "Ada", label = "Ada")
        }
    }
    opened.use { kindred ->
        // A Group handle: messages, members, invitations and shared goals of one group.
        val group = kindred.createGroup(name = "Tuesday circle", guidelines = "Listen first")

        // Live updates are a Flow; collecting registers a listener, and it is removed when collection ends.
        // (On Android, collect in lifecycleScope: it starts on Dispatchers.Main.immediate, so it is registered at once.)
        val nextMessage = async(Dispatchers.Unconfined) {
            kindred.updates(group).filterIsInstance<Update.Messages>().first()
        }
        val hello = group.post("Hello, everyone!")
        log += "posted: ${hello.text}"
        log += "update: ${nextMessage.await().messageIds == listOf(hello.id)}"

        // Every failure is a KindredException subclass; InvalidInput says which field and why.
        try {
            group.post(text = "")
        } catch (e: KindredException.InvalidInput) {
            log += "rejected: ${e.field}"
        }

        // Store group.id() to find the group again later (another screen, the next launch).
        val again = kindred.group(group.id())
        again.messages(limit = 20).forEach { log += "${it.authorName}: ${it.text}" }
    }
    log
}
// readme-sample:end
