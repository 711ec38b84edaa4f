// The relay mailbox: sync across distance through an end-to-end encrypted mailbox on any S3-compatible object store,
// for members who never meet or whose phones take no incoming connections. The protocol, the encryption and every
// check are the Rust core's; the app brings only the store, [RelayStore], over its own HTTP stack.
package org.kindred

import org.kindred.core.KindredException
import org.kindred.core.RelayStore
import org.kindred.core.RelayStoreException
import org.kindred.core.model.RelayReport

/**
 * The largest object a relay mailbox holds (32 MiB, the core's `MAX_OBJECT_BYTES`): a [RelayStore] refuses to
 * download anything larger (see [relaySync]). Read as `Kindred.RELAY_MAX_OBJECT_BYTES` (from another package, after
 * `import org.kindred.RELAY_MAX_OBJECT_BYTES`).
 */
@Suppress("UnusedReceiverParameter")
val Kindred.Companion.RELAY_MAX_OBJECT_BYTES: Int get() = 32 * 1024 * 1024

/**
 * One round with the relay mailbox of group [groupId] in [store], an S3-compatible bucket the app reaches over its
 * own HTTP stack: takes in what other members left there, leaves what they lack, removes what everyone has read.
 * It also completes a [Kindred.joinGroup] through the mailbox: the joining phone's first round leaves a join request
 * sealed to the inviter, the inviter's next round admits it ([RelayReport.admitted]) and leaves the group's
 * history, and the joining phone's round after that takes it in ([RelayReport.joined]). Everything put is
 * sealed and padded on this phone; the store (and anyone holding its credentials) sees sizes and timing, never a
 * word, a member or a group. Run it when the network returns, after posting, and now and then (a round with
 * nothing new is one listing request, [RelayReport.requests] `== 1u`); run again while [RelayReport.more].
 * Do not run two rounds of one group at once. Like every call of [Kindred], it runs on `Dispatchers.IO`; from
 * another package, `import org.kindred.relaySync`.
 *
 * **Implementing [RelayStore]** (its four calls are made from the IO thread running the round, one at a time,
 * and may block; use the HTTP client's blocking call, e.g. OkHttp's `execute()`):
 * - `put(name, bytes)`: `PUT /<bucket>/<name>`; `get(name)`: `GET`, `null` on HTTP 404; `delete(name)`:
 *   `DELETE`, with a 404 counting as done; `list(prefix, after)`: ListObjectsV2,
 *   `GET /<bucket>?list-type=2&prefix=<prefix>&start-after=<after>` (no `start-after` when `after` is `null`),
 *   returning every `<Contents>`'s `Key` and `Size` in order and `more = <IsTruncated>`.
 * - Names contain `/`: in the path, percent-encode every byte of the UTF-8 name except `A-Z a-z 0-9 - _ . ~` and
 *   `/`; in the query, `/` too (S3's URI encoding, which SigV4 signs).
 * - Authentication is the app's: sign each request with AWS Signature Version 4 (or use presigned URLs from the
 *   app's own server) with credentials the app keeps; they never reach the core, which only sees names and
 *   bytes. Give the app's credentials access to one bucket (or a prefix) and nothing else.
 * - Timeouts: set the client's connect, read and whole-call timeouts (say 15 s, 60 s and 120 s). Cancelling the
 *   coroutine does not interrupt a store call that is under way, so the timeouts are what bound a round on a
 *   dead network.
 * - Size: refuse an object larger than [RELAY_MAX_OBJECT_BYTES] (32 MiB; the core never puts one): check the
 *   response's `Content-Length` and stop reading past the cap, and throw instead of returning it.
 * - Failures: throw [RelayStoreException.Failed] with a reason naming the operation and the HTTP status, never
 *   an object's contents (any other exception also fails the call, with its stack trace as the reason).
 *
 * The sketch in android/README.md ("Relay mailbox") and the JVM test's store (`src/test/kotlin/org/kindred/
 * RelayTest.kt`, plain `java.net.http` against a real SeaweedFS server) show the whole of it.
 *
 * @throws KindredException.RelayUnavailable if a store call failed ([RelayStoreException.Failed]'s reason is in
 *   its `detail`): nothing half-done is kept, and the next round finishes what this one could not.
 * @throws KindredException.NotPermitted if this profile neither holds the group nor has an invitation to it.
 */
suspend fun Kindred.relaySync(groupId: String, store: RelayStore): RelayReport =
    onProfile { relaySync(groupId, store) }
