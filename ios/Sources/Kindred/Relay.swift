// The relay mailbox: sync across distance through an end-to-end encrypted mailbox on any S3-compatible object store,
// for members who never meet or whose phones take no incoming connections. The protocol, the encryption and every
// check are the Rust core's; the app brings only the store, ``RelayStore``, over its own HTTP stack.
import Foundation
public import KindredCore

extension Kindred {
    /// The largest object a relay mailbox holds, 32 MiB (the core's `MAX_OBJECT_BYTES`): a ``RelayStore`` refuses
    /// to download anything larger (see ``relaySync(groupId:store:)``).
    public static let relayMaxObjectBytes = 32 * 1024 * 1024

    /// One round with the relay mailbox of group `groupId` in `store`, an S3-compatible bucket the app reaches over
    /// its own HTTP stack: takes in what other members left there, leaves what they lack, removes what everyone has
    /// read. It also completes a ``joinGroup(code:)`` through the mailbox: the joining phone's first round leaves a
    /// join request sealed to the inviter, the inviter's next round admits it (``RelayReport/admitted``) and leaves
    /// the group's history, and the joining phone's round after that takes it in (``RelayReport/joined``).
    /// Everything put is sealed and padded on this phone; the store (and anyone holding its credentials) sees sizes
    /// and timing, never a word, a member or a group. Run it when the network returns, after posting, and now and
    /// then (a round with nothing new is one listing request, ``RelayReport/requests`` `== 1`); run it again while
    /// ``RelayReport/more``. Do not run two rounds of one group at once.
    ///
    /// The round runs on a background thread (a global dispatch queue), and the store's four calls are made from it,
    /// one at a time: they are synchronous and may block on the network. Implementing ``RelayStore``:
    /// - `put(name:bytes:)`: `PUT /<bucket>/<name>`; `get(name:)`: `GET`, `nil` on HTTP 404; `delete(name:)`:
    ///   `DELETE`, a 404 counting as done; `list(prefix:after:)`: ListObjectsV2,
    ///   `GET /<bucket>?list-type=2&prefix=<prefix>&start-after=<after>` (no `start-after` when `after` is `nil`),
    ///   returning every `<Contents>`'s `Key` and `Size` in order (``StoredObject``) and `more: <IsTruncated>`
    ///   (``StoreListing``).
    /// - Names contain `/`: in the path, percent-encode every byte of the UTF-8 name except `A-Z a-z 0-9 - _ . ~`
    ///   and `/`; in the query, `/` too (S3's URI encoding, which SigV4 signs).
    /// - Authentication is the app's: sign each request with AWS Signature Version 4 (or use presigned URLs from the
    ///   app's own server) with credentials the app keeps (the Keychain); they never reach the core, which only sees
    ///   names and bytes. Give them access to one bucket (or a prefix) and nothing else.
    /// - Timeouts: a `URLSession` with `timeoutIntervalForRequest` (say 60 s) and `timeoutIntervalForResource`
    ///   (say 120 s), waited for with a semaphore in each call. Cancelling the awaiting task does not interrupt a
    ///   round under way, so the timeouts are what bound it on a dead network.
    /// - Size: refuse an object larger than ``relayMaxObjectBytes`` (the core never puts one): check the response's
    ///   expected length and throw instead of returning it.
    /// - Failures: throw ``RelayStoreError/Failed(reason:)`` with a reason naming the operation and the HTTP status,
    ///   never an object's contents (any other error also fails the call, described as the reason).
    ///
    /// The sketch in ios/README.md ("Relay mailbox") and the tests' store (`Tests/KindredTests/RelayTests.swift`,
    /// `URLSession` against a real SeaweedFS server) show the whole of it.
    ///
    /// - Throws: ``KindredError/RelayUnavailable(detail:)`` if a store call failed (its reason is in `detail`):
    ///   nothing half-done is kept, and the next round finishes what this one could not;
    ///   ``KindredError/NotPermitted(reason:)`` if this profile neither holds the group nor has an invitation to it.
    @discardableResult
    public func relaySync(groupId: String, store: any RelayStore) async throws -> RelayReport {
        try await bridgeAsync { [self] in try profile.relaySync(groupId: groupId, store: store) }
    }
}
