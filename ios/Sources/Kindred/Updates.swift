import Foundation
public import KindredCore

extension Kindred {
    /// Live updates of everything this profile holds, as an `AsyncStream`: what changed, after it is on disk.
    /// ``Group/updates(bufferingPolicy:)`` has only one group's.
    ///
    /// The subscription starts when this returns, so nothing that happens afterwards is missed, even before the
    /// first `for await`. It ends (and the listener is unregistered) when the consuming task is cancelled, when the
    /// stream is released (leaving a `for await update in try kindred.updates()` loop releases it), or when the
    /// profile is closed, which ends the loop normally. Re-read what you show when an update arrives.
    ///
    /// ```swift
    /// for await update in try kindred.updates() {
    ///     if case .checkins = update { await reloadMood() }
    /// }
    /// ```
    ///
    /// - Parameter bufferingPolicy: what to keep while the consumer is busy; by default everything.
    /// - Throws: ``KindredError/Closed`` after ``close()``.
    public func updates(
        bufferingPolicy: AsyncStream<Update>.Continuation.BufferingPolicy = .unbounded
    ) throws -> AsyncStream<Update> {
        try streams.open(bufferingPolicy) { try profile.subscribe(listener: $0) }
    }

    /// How many streams from ``updates(bufferingPolicy:)`` and its groups' ``Group/updates(bufferingPolicy:)`` are
    /// still subscribed.
    var activeUpdateStreams: Int { streams.count }
}

extension Kindred.Group {
    /// Live updates of this group (messages, members, its shared goals, read marker), including those that arrive
    /// by sync, as an `AsyncStream`. It subscribes and ends as ``Kindred/updates(bufferingPolicy:)`` does, closing
    /// the profile included.
    ///
    /// ```swift
    /// for await update in try group.updates() {
    ///     if case .messages(_, let ids) = update { await reload(ids) }
    /// }
    /// ```
    ///
    /// - Parameter bufferingPolicy: what to keep while the consumer is busy; by default everything.
    /// - Throws: ``KindredError/Closed`` once the profile is closed.
    public func updates(
        bufferingPolicy: AsyncStream<Update>.Continuation.BufferingPolicy = .unbounded
    ) throws -> AsyncStream<Update> {
        try kindred.streams.open(bufferingPolicy) { try generated.subscribe(listener: $0) }
    }
}

/// The listener Rust calls (on the thread that made the change: a background one); it only hands the update to the stream.
final class UpdateRelay: UpdateListener {
    private let continuation: AsyncStream<Update>.Continuation

    init(continuation: AsyncStream<Update>.Continuation) {
        self.continuation = continuation
    }

    func onUpdate(update: Update) {
        continuation.yield(update)
    }
}

/// The open update streams of one `Kindred` and its groups, so that closing it finishes them.
final class UpdateStreams: @unchecked Sendable {
    // All state is guarded by `lock`; that is why this is `@unchecked Sendable`.
    private let lock = NSLock()
    private var lastID = 0
    private var finishers: [Int: @Sendable () -> Void] = [:]
    private var closed = false

    /// A stream fed by the listener that `subscribe` registers, unsubscribed when the stream terminates and
    /// finished by ``finishAll()``.
    func open(
        _ bufferingPolicy: AsyncStream<Update>.Continuation.BufferingPolicy,
        subscribe: (UpdateListener) throws -> SubscriptionHandle
    ) throws(KindredError) -> AsyncStream<Update> {
        let (stream, continuation) = AsyncStream.makeStream(of: Update.self, bufferingPolicy: bufferingPolicy)
        let relay = UpdateRelay(continuation: continuation)
        let handle: SubscriptionHandle
        do {
            handle = try bridge { try subscribe(relay) }
        } catch {
            continuation.finish()
            throw error
        }
        let id = nextID()
        continuation.onTermination = { [self] _ in
            handle.cancel()
            remove(id)
        }
        if !add(id, finish: { continuation.finish() }) {
            continuation.finish()           // closed meanwhile
        }
        return stream
    }

    func nextID() -> Int {
        lock.lock()
        defer { lock.unlock() }
        lastID += 1
        return lastID
    }

    /// Registers a stream's `finish`; false (and nothing registered) once closed.
    func add(_ id: Int, finish: @escaping @Sendable () -> Void) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return false }
        finishers[id] = finish
        return true
    }

    func remove(_ id: Int) {
        lock.lock()
        defer { lock.unlock() }
        finishers[id] = nil
    }

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return finishers.count
    }

    /// Finishes every registered stream (outside the lock: finishing runs their `onTermination`, which calls
    /// `remove`) and refuses new ones.
    func finishAll() {
        lock.lock()
        closed = true
        let all = Array(finishers.values)
        lock.unlock()
        for finish in all { finish() }
    }
}
