package org.kindred

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import java.nio.file.Path
import kotlin.io.path.createTempDirectory

/** A group or goal id (16 bytes, hex) that no profile has. */
internal const val UNKNOWN_ID = "00112233445566778899aabbccddeeff"

/** A member id (32 bytes, hex) of someone who is not this profile. */
internal const val OTHER_MEMBER_ID = "abababababababababababababababababababababababababababababababab"

/** How long a test waits for something that should happen at once (a live update). */
internal const val WAIT_MS = 10_000L

/** Runs [block] with a fresh temporary directory, removed afterwards. Returns Unit so JUnit sees a test method. */
internal fun withTempDir(block: suspend CoroutineScope.(Path) -> Unit) {
    val dir = createTempDirectory("kindred-test")
    try {
        runBlocking { block(dir) }
    } finally {
        dir.toFile().deleteRecursively()
    }
}

/** Runs [block] with a new profile called [name] in a temporary directory, closed and removed afterwards. */
internal fun withKindred(name: String = "Ada", block: suspend CoroutineScope.(Kindred) -> Unit) =
    withTempDir { dir -> Kindred.create(dir.toString(), name).use { block(it) } }

/** Awaits [block], failing the test instead of hanging if it takes longer than [WAIT_MS]. */
internal suspend fun <T> soon(block: suspend CoroutineScope.() -> T): T = withTimeout(WAIT_MS) { block() }

/**
 * Kindred's example crisis resource directory (a signed file whose every entry says EXAMPLE), from the repository:
 * `run-jvm-tests.sh` passes its path as the `kindred.exampleDirectory` system property.
 */
internal fun exampleDirectoryFile(): ByteArray =
    java.io.File(checkNotNull(System.getProperty("kindred.exampleDirectory")) { "kindred.exampleDirectory is not set" })
        .readBytes()
