package org.kindred

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import org.kindred.core.KindredException
import org.kindred.core.SyncSession
import org.kindred.core.model.SyncReport
import java.io.EOFException

/**
 * Carries this sync session over one link until it finishes, and returns its [SyncReport].
 *
 * The link is whatever the app has (Bluetooth LE L2CAP, Wi-Fi Direct, Nearby Connections BYTES payloads, a socket):
 * [send] puts one frame on it, [receive] returns the next frame from the peer, or `null` once the link is closed.
 * Frames must arrive whole and in order, one [receive] per [send] of the peer (on a byte stream such as a socket,
 * prefix each frame with its length). This function sends what is already queued (the dialling side's first frame
 * is queued by [org.kindred.core.KindredProfile.connectSync]), then feeds each received frame to
 * [SyncSession.receive] and sends what it queued in reply, until [SyncSession.isFinished]. The last frames are sent
 * before it returns, so the link can be closed as soon as it does. The session stays the caller's: close it afterwards
 * (`use`), since an open session keeps its profile's database open, even after [Kindred.close].
 *
 * ```kotlin
 * val report = kindred.connectSync(peer = memberId).use { session ->
 *     session.runOver(send = { socket.writeFrame(it) }, receive = { socket.readFrameOrNull() })
 * }
 * ```
 *
 * **Threads.** It runs in the caller's coroutine context, and so do [send] and [receive]; the work of each frame
 * (checking, storing, applying) runs on [Dispatchers.IO], so calling this from the main thread is safe as long
 * as [send] and [receive] suspend rather than block. Each change that arrives is on disk, and handed to the
 * [Kindred.updates] flows, as soon as the frame that completed it has been applied. Do not use one session from two
 * coroutines at once.
 *
 * **Cancellation and time-outs.** The session has no clock: if the peer goes silent, [receive] waits as long as the
 * link does. Use the link's own time-out or wrap the call in `withTimeout`. Cancelling it (at [send], [receive] or
 * while a frame is being applied) leaves the session unusable, as does any exception: close the link and start a new
 * session next time. What was already stored is kept, and the next session only carries what is still missing.
 * Exceptions thrown by [send] or [receive] propagate unchanged.
 *
 * @return the session's report: who the peer was, bytes and frames each way, changes applied and sent, groups joined
 *   by invitation, and [SyncReport.nothingNew] when both sides already had everything.
 * @throws KindredException.Rejected if the peer sent something refused (a forged, damaged or unexpected frame, data it
 *   may not write, or, when dialling with a `peer`, someone else answered). Nothing refused was stored; close the
 *   link. Any other [KindredException] comes from this phone (e.g. [KindredException.Storage] if the disk failed).
 * @throws EOFException if [receive] returned `null` before the session finished (the link closed early, or the peer
 *   gave up).
 */
suspend fun SyncSession.runOver(
    send: suspend (frame: ByteArray) -> Unit,
    receive: suspend () -> ByteArray?,
): SyncReport {
    val session = this
    suspend fun sendQueued() {
        for (frame in session.takeOutgoing()) send(frame)
    }
    sendQueued()
    while (!session.isFinished()) {
        val frame = receive() ?: throw EOFException("the link closed before the sync session finished")
        withContext(Dispatchers.IO) { session.receive(frame) }
        sendQueued()
    }
    return session.report()
}
