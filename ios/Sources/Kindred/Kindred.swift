@_exported import KindredCore
import Foundation

/// An opened Kindred profile: the one object an app keeps for as long as the person is signed in.
///
/// A thin layer over the generated ``KindredProfile``: Swift argument labels, `Date` and `URL` where they help, and
/// live updates as an `AsyncStream` (``updates(bufferingPolicy:)``). What belongs to one group (messages, members,
/// invitations, its shared goals and updates) is on ``Group``, from ``createGroup(name:description:guidelines:)`` or
/// ``group(_:)``. Everything it has no shortcut for is on ``profile``.
///
/// Every error thrown here is a ``KindredError``; match its cases directly:
/// `catch KindredError.NotFound(let kind, let id) { ... }`. (The methods are declared plain `throws` rather than
/// `throws(KindredError)` on purpose: Swift 6.0's compiler crashes on `catch E.someCase` patterns over typed
/// throws with payload-carrying enums, swiftlang/swift#74176.)
///
/// Disk work runs on a Kindred worker thread; awaiting a method never blocks the caller's thread, so it is fine to
/// call from the main actor. Ids are lowercase hex strings; times are milliseconds since the Unix epoch (the records'
/// `...At` fields) or `Date`.
///
/// `Kindred` is `Sendable`: share one instance between tasks and actors.
public final class Kindred: Sendable {
    /// The generated object this wraps, for calls the layer has no shortcut for.
    public let profile: KindredProfile
    let streams = UpdateStreams()

    /// Wraps a profile opened through the generated API.
    public init(_ profile: KindredProfile) {
        self.profile = profile
    }

    deinit {
        streams.finishAll()
    }

    // MARK: Opening and closing

    /// Creates a new profile (member key, install identity, database) in `directory`, which is created if needed.
    ///
    /// - Throws: ``KindredError/ProfileExists(path:)`` if `directory` already holds one,
    ///   ``KindredError/InvalidInput(field:reason:)`` for an unusable display name.
    public static func create(in directory: URL, displayName: String) async throws -> Kindred {
        let path = directory.path
        return Kindred(try await bridgeAsync { try await KindredProfile.create(dataDir: path, displayName: displayName) })
    }

    /// Opens the profile in `directory`.
    ///
    /// - Throws: ``KindredError/NoProfile(path:)`` if there is none yet; ``KindredError/CorruptDatabase(path:detail:)``,
    ///   ``KindredError/ForeignDatabase(path:)`` or ``KindredError/NewerSchema(found:supported:)`` if it cannot be
    ///   opened (the files are left untouched).
    public static func open(_ directory: URL) async throws -> Kindred {
        let path = directory.path
        return Kindred(try await bridgeAsync { try await KindredProfile.open(dataDir: path) })
    }

    /// Opens the profile in `directory`, or creates one named `displayName` if there is none yet.
    public static func openOrCreate(in directory: URL, displayName: String) async throws -> Kindred {
        profileExists(in: directory)
            ? try await open(directory)
            : try await create(in: directory, displayName: displayName)
    }

    /// Whether `directory` holds a profile (it may still fail to open, if damaged).
    public static func profileExists(in directory: URL) -> Bool {
        KindredCore.profileExists(dataDir: directory.path)
    }

    /// The Rust library's version, for diagnostics.
    public static var version: String { kindredVersion() }

    /// Closes the profile and finishes every stream from ``updates(bufferingPolicy:)`` and
    /// ``Group/updates(bufferingPolicy:)``. Later calls, on it and on its groups, throw ``KindredError/Closed``; open
    /// the directory again to continue. Calling it twice does nothing.
    public func close() {
        profile.close()
        streams.finishAll()
    }

    /// This profile's public identity.
    public var info: ProfileInfo {
        get throws { try bridge { try profile.info() } }
    }

    /// Changes the name others see.
    public func setDisplayName(_ name: String) async throws {
        try await bridgeAsync { try await profile.setDisplayName(name: name) }
    }

    /// Housekeeping that posts leave for later (folding stored changes into snapshots, checkpointing the database's
    /// log), so that a post never pauses for it. Call it when the app is idle or goes to the background.
    /// - Returns: how many documents it compacted.
    @discardableResult
    public func maintain() async throws -> UInt32 {
        try await bridgeAsync { try await profile.maintain() }
    }

    /// Runs the database's full consistency check.
    /// - Throws: ``KindredError/CorruptDatabase(path:detail:)`` if it is damaged.
    public func checkIntegrity() async throws {
        try await bridgeAsync { try await profile.checkIntegrity() }
    }

    /// Fails on purpose inside Rust, to check that an internal failure arrives as ``KindredError/Internal(detail:)``
    /// and that the library keeps working afterwards.
    public static func diagnosticsForceInternalFailure() throws {
        try bridge { try KindredCore.diagnosticsForceInternalFailure() }
    }

    // MARK: Groups

    /// Creates a group owned by this profile.
    public func createGroup(name: String, description: String = "", guidelines: String = "") async throws -> Group {
        let group = NewGroup(name: name, description: description, guidelines: guidelines)
        return Group(try await bridgeAsync { try await profile.createGroup(group: group) }, of: self)
    }

    /// Every group this profile holds, most recently active first, with unread counts.
    public func groups() async throws -> [GroupSummary] {
        try await bridgeAsync { try await profile.groups() }
    }

    /// One of this profile's groups, by id (as stored from ``Group/id``) or exact name.
    /// - Throws: ``KindredError/NotFound(kind:id:)`` if none matches, ``KindredError/Ambiguous(kind:name:count:)``
    ///   when several groups have that name.
    public func group(_ idOrName: String) async throws -> Group {
        Group(try await bridgeAsync { try await profile.group(idOrName: idOrName) }, of: self)
    }

    // MARK: Goals

    /// Creates a goal of `times` per `period`, private unless shared with a group.
    public func createGoal(_ title: String, times: UInt32, per period: CadencePeriod, sharedWith groupId: String? = nil) async throws -> Goal {
        let goal = NewGoal(title: title, cadence: Cadence(times: times, period: period), shareWith: groupId)
        return try await bridgeAsync { try await profile.createGoal(goal: goal) }
    }

    /// Logs progress on a goal, now or at an earlier `date`.
    @discardableResult
    public func logProgress(goalId: String, amount: UInt32 = 1, note: String? = nil, at date: Date? = nil) async throws -> ProgressEntry {
        let at = date.map(kindredMillis)
        return try await bridgeAsync { try await profile.logProgress(goalId: goalId, amount: amount, note: note, at: at) }
    }

    /// Pauses, resumes or archives a goal.
    @discardableResult
    public func setGoalStatus(goalId: String, to status: GoalStatus) async throws -> Goal {
        try await bridgeAsync { try await profile.setGoalStatus(goalId: goalId, status: status) }
    }

    /// Every goal this profile can see: its own (private and shared) and those others shared in its groups
    /// (``Group/goals(includeArchived:)`` for one group's). Archived ones only with `includeArchived`.
    public func goals(includeArchived: Bool = false) async throws -> [Goal] {
        try await bridgeAsync { try await profile.goals(includeArchived: includeArchived) }
    }

    /// One goal and how it is going.
    public func goal(id goalId: String) async throws -> Goal {
        try await bridgeAsync { try await profile.goal(goalId: goalId) }
    }

    /// A goal's logged steps, newest first, optionally only since `since`.
    public func progress(goalId: String, since: Date? = nil, limit: UInt32 = 100) async throws -> [ProgressEntry] {
        let since = since.map(kindredMillis)
        return try await bridgeAsync { try await profile.goalProgress(goalId: goalId, since: since, limit: limit) }
    }

    // MARK: Check-ins (private to this phone)

    /// Records a mood check-in, e.g. `NewCheckin(mood: 4, energy: 3, tags: ["walk"])`.
    @discardableResult
    public func recordCheckin(_ checkin: NewCheckin) async throws -> Checkin {
        try await bridgeAsync { try await profile.recordCheckin(checkin: checkin) }
    }

    /// Check-ins between two dates.
    public func checkins(from start: Date, to end: Date) async throws -> [Checkin] {
        let (since, until) = (kindredMillis(start), kindredMillis(end))
        return try await bridgeAsync { try await profile.checkins(since: since, until: until) }
    }

    /// Check-ins of the last `days` calendar days.
    public func recentCheckins(days: UInt32 = 7) async throws -> [Checkin] {
        try await bridgeAsync { try await profile.recentCheckins(days: days) }
    }

    /// Daily and weekly averages over the last `days` calendar days, today included.
    public func recentCheckinSummary(days: UInt32 = 7) async throws -> CheckinSummary {
        try await bridgeAsync { try await profile.recentCheckinSummary(days: days) }
    }

    /// Daily and weekly averages between two dates.
    public func checkinSummary(from start: Date, to end: Date) async throws -> CheckinSummary {
        let (since, until) = (kindredMillis(start), kindredMillis(end))
        return try await bridgeAsync { try await profile.checkinSummary(since: since, until: until) }
    }
}
