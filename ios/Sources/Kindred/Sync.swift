import Foundation
public import KindredCore

// Sync between phones: invitations, bundles and sessions. Kindred brings no transport of its own; a session is a
// state machine of frames in and frames out that the app carries over whatever link it has (MultipeerConnectivity,
// Bluetooth, Network.framework, a TCP socket...). ``SyncSession/run(send:receive:isolation:)`` does the
// carrying once the app gives it "send one frame" and "wait for the next frame".

extension Kindred {
    // MARK: Invitations and bundles

    /// Accepts an invitation (the text of a QR code from ``Group/createInvite(validFor:)``). Nothing travels yet: the
    /// group arrives at this phone's first sync with any of its members, who admits this profile first. Until then
    /// it is listed by ``pendingJoins()``; afterwards it is in ``groups()`` and in that session's
    /// ``SyncReport/joinedGroups``.
    ///
    /// - Throws: ``KindredError/InvalidInput(field:reason:)`` for text that is not an invitation.
    @discardableResult
    public func joinGroup(code: String) async throws -> PendingJoin {
        try await bridgeAsync { [self] in try profile.joinGroup(code: code) }
    }

    /// Invitations accepted with ``joinGroup(code:)`` whose group has not arrived yet (no sync with a member since).
    public func pendingJoins() async throws -> [PendingJoin] {
        try await bridgeAsync { [self] in try profile.pendingJoins() }
    }

    /// Imports a bundle from ``Group/exportBundle()`` (for instance a file another member sent), for a group this
    /// profile already holds. Importing the same bundle twice, or bundles out of order, is harmless: what is already
    /// here counts as ``IngestReport/duplicates`` and nothing is applied twice. Updates are delivered as
    /// for a sync.
    ///
    /// - Throws: ``KindredError/Rejected(kind:reason:)`` if the bundle is damaged, forged or not for this profile (nothing
    ///   of it is kept).
    @discardableResult
    public func importBundle(_ bundle: Data) async throws -> BundleImport {
        try await bridgeAsync { [self] in try profile.importBundle(bytes: bundle) }
    }

    // MARK: Sync sessions

    /// Starts a sync session as the side that dialled the link. Its first frame is queued already; carry it with
    /// ``SyncSession/run(send:receive:isolation:)``.
    ///
    /// - Parameters:
    ///   - peer: the member id of the phone expected at the other end, when the app knows it (any member of a
    ///     shared group, ``Member/memberId``). The handshake is then shorter, and the session fails
    ///     with ``KindredError/Rejected(kind:reason:)`` if someone else answers. `nil` accepts any peer (the handshake
    ///     proves who it is: ``SyncReport/peer``).
    ///   - maxFrame: the largest frame the link carries, in bytes: 256 to 65,535, by default 32 KiB (256 suits
    ///     Bluetooth LE). A frame larger than the receiving side's `maxFrame` is refused, so give both sides the same
    ///     value (or the listener a larger one).
    /// - Throws: ``KindredError/InvalidInput(field:reason:)`` for a malformed member id or an unusable `maxFrame`.
    public func connectSync(expecting peer: String? = nil, maxFrame: UInt32? = nil) throws -> SyncSession {
        try bridge { try profile.connectSync(peer: peer, maxFrame: maxFrame) }
    }

    /// Starts a sync session as the side that was dialled (the listener). It recognises the members of this
    /// profile's groups, and anyone else by their handshake (such as someone joining with an invitation). It sends
    /// nothing until the dialler's first frame arrives.
    ///
    /// - Parameter maxFrame: as for ``connectSync(expecting:maxFrame:)``; give both sides the same value.
    public func acceptSync(maxFrame: UInt32? = nil) async throws -> SyncSession {
        try await bridgeAsync { [self] in try profile.acceptSync(maxFrame: maxFrame) }
    }
}

extension Kindred {
    /// Thrown by ``SyncSession/run(send:receive:isolation:)`` when the link closed (its `receive` returned `nil`)
    /// before the session finished. Also named `SyncLinkClosed`.
    ///
    /// What was applied before is kept, and the next session (over a new link) carries only what is still missing:
    /// large transfers (over 32 KiB of changes, or over 8 frames of them on small frames, or a whole group's
    /// snapshot) resume where they stopped; a smaller batch cut off midway is sent again. ``report`` says what this
    /// session did.
    public struct SyncLinkClosed: Error, Sendable, CustomStringConvertible {
        /// What the session did before the link closed.
        public let report: SyncReport

        public init(report: SyncReport) {
            self.report = report
        }

        public var description: String {
            "the link closed before the sync finished (\(report.framesReceived) frames received, "
                + "\(report.changesApplied) changes applied)"
        }
    }
}

extension SyncSession {
    /// Carries this session over a link until it is finished, and returns its report.
    ///
    /// It sends the frames already queued (the dialler's first one), then loops: waits for a frame with `receive`,
    /// feeds it to the session, sends what the session queued in answer, until
    /// ``SyncSession/isFinished()``.
    /// The last frames are sent before it returns; close the link afterwards (the peer may be finished already).
    ///
    /// ```swift
    /// let session = try kindred.connectSync(expecting: memberId)
    /// let report = try await session.run(
    ///     send: { frame in try await connection.send(frame) },
    ///     receive: { try await connection.receive() })       // nil once the link has closed
    /// connection.close()
    /// ```
    ///
    /// The link must carry each frame whole and in order (frames are at most the session's `maxFrame` bytes; on a
    /// stream socket, prefix each with its length). Use one session per link, and a new session for every new link.
    /// `send` and `receive` run in the caller's isolation (e.g. on the main actor when called from there); the
    /// session's own work (checking, storing, applying) runs on a background thread. The session has no clock:
    /// a peer that goes silent leaves `receive` waiting, so give the link a time-out (throw from `receive`, or
    /// return `nil`) or cancel the task.
    ///
    /// - Parameters:
    ///   - send: sends one frame on the link.
    ///   - receive: waits for the next frame from the link; `nil` when the link has closed.
    /// - Returns: what the session did (``SyncReport``): bytes and frames each way, changes applied and
    ///   sent, the groups this profile joined, whether there was nothing new.
    /// - Throws: in every case the session is over: close the link and discard the session (what it applied until
    ///   then is kept; a later session continues from there).
    ///   - a ``KindredError`` from the session, usually ``KindredError/Rejected(kind:reason:)``: the peer sent something
    ///     refused (damaged, forged, not allowed, or not the member passed to `connectSync(expecting:)`); nothing of
    ///     the refused frame was kept;
    ///   - ``SyncLinkClosed`` when `receive` returned `nil` before the session finished;
    ///   - whatever `send` or `receive` throw, unchanged (the link failed);
    ///   - `CancellationError` when the calling task is cancelled. Cancellation is checked before waiting for each
    ///     frame (a frame being stored completes first); a `receive` blocked on the link returns only as the link
    ///     allows (make it react to cancellation, as an `AsyncStream` does, or close the link to end it).
    public func run(
        send: (Data) async throws -> Void,
        receive: () async throws -> Data?,
        isolation: isolated (any Actor)? = #isolation
    ) async throws -> SyncReport {
        for frame in takeOutgoing() { try await send(frame) }
        while !isFinished() {
            try Task.checkCancellation()
            guard let frame = try await receive() else {
                // An `AsyncStream` ends its iteration with `nil` when the task is cancelled: say so, not "closed".
                try Task.checkCancellation()
                throw SyncLinkClosed(report: report())
            }
            try await bridgeAsync { [self] in try self.receive(frame: frame) }
            for frame in takeOutgoing() { try await send(frame) }
        }
        return report()
    }
}
