// The Swift surface of Kindred: what an app sees after `import Kindred`, and all it sees.
//
// Underneath is the uniffi-generated module `KindredCore` (`KindredProfile`, `KindredGroup`, the records, enums and
// `KindredError`, `UpdateListener`, `SubscriptionHandle`, `SyncSession`, free functions, converters). It is a target
// of the package but not a product, and this module does not re-export it: apps get exactly
//
// - the classes of this layer, `Kindred` (a profile), `Kindred.Group` (one of its groups) and `Kindred.Profiles`
//   (the vault of encrypted profiles, `Profiles.swift`), over the generated `KindredProfile`, `KindredGroup` and
//   `KindredProfiles`, which stay hidden;
// - the generated records, enums and `KindredError` that these classes take and return, and the generated
//   `SyncSession`, each re-exported by name in `Types.swift` (with a few Swift extras, such as dates);
// - the layer's `AsyncStream`s of updates (`Updates.swift`), `SyncSession.run` and `SyncLinkClosed` (`Sync.swift`).
//
// (The files import `KindredCore` `public`ly only so that their public declarations may mention the re-exported
// types; a `public import` makes nothing visible to apps. `ios/run-linux-tests.sh` checks that no public declaration
// mentions any other generated type, and that none of the hidden names compiles in an app.)
//
// Why wrap the two objects instead of re-exporting them too, as `SyncSession` is: almost every method here adds
// something the generated one lacks (argument labels and defaults; `URL`, `Date` and `TimeInterval` for paths, times
// and durations; the `New...` input records built from plain arguments; every error made a `KindredError`), and the
// wrapper is what lets `close()` end every update stream of the profile and of its groups, which a generated
// `KindredGroup` cannot know about. Exposing the generated classes as well would give every call two spellings
// (`post(message: NewMessage(...))` beside `post(_:)`): the double surface this layout removes. The records and enums,
// on the other hand, are plain Swift values already: hand-written twins would only add code to keep in step with the
// Rust side, so they pass through as they are. So does `SyncSession`: its five generated methods are the step-by-step
// form of `run`, with nothing to add.
import Foundation
public import KindredCore

/// An opened Kindred profile: the one object an app keeps for as long as the person is signed in.
///
/// An app opens it from its vault of encrypted profiles, ``Profiles`` (``Profiles/open(passphrase:)``,
/// ``Profiles/open(key:)``); ``create(in:displayName:)`` and ``open(_:)`` make and open unencrypted profiles, for
/// tests and tools.
///
/// A thin layer over the generated profile object: Swift argument labels, `Date` and `URL` where they help, and
/// live updates as an `AsyncStream` (``updates(bufferingPolicy:)``). What belongs to one group (messages, members,
/// invitations, its shared goals and updates) is on ``Group``, from ``createGroup(name:description:guidelines:)`` or
/// ``group(_:)``.
///
/// Every error thrown here is a ``KindredError``; match its cases directly:
/// `catch KindredError.NotFound(let kind, let id) { ... }`. (The methods are declared plain `throws` rather than
/// `throws(KindredError)` on purpose: Swift 6.0's compiler crashes on `catch E.someCase` patterns over typed
/// throws with payload-carrying enums, swiftlang/swift#74176.)
///
/// Disk work runs on a background thread (a global dispatch queue); awaiting a method never blocks the caller's thread, so it is fine to
/// call from the main actor. Ids are lowercase hex strings; times are milliseconds since the Unix epoch (the records'
/// `...At` fields) or `Date`.
///
/// `Kindred` is `Sendable`: share one instance between tasks and actors.
public final class Kindred: Sendable {
    /// The generated object this wraps.
    let profile: KindredProfile
    let streams = UpdateStreams()

    init(_ profile: KindredProfile) {
        self.profile = profile
    }

    deinit {
        streams.finishAll()
    }

    // MARK: Opening and closing

    /// Creates a new **unencrypted** profile (member key, install identity, database) in `directory`, which is created
    /// if needed: for tests and tools. Apps keep profiles encrypted, in a ``Profiles`` vault
    /// (``Profiles/create(passphrase:displayName:label:)``, ``Profiles/create(key:displayName:label:)``).
    ///
    /// - Throws: ``KindredError/ProfileExists(path:)`` if `directory` already holds one,
    ///   ``KindredError/InvalidInput(field:reason:)`` for an unusable display name.
    public static func create(in directory: URL, displayName: String) async throws -> Kindred {
        let path = directory.path
        return Kindred(try await bridgeAsync { try KindredProfile.create(dataDir: path, displayName: displayName) })
    }

    /// Opens the **unencrypted** profile in `directory` (made by ``create(in:displayName:)``; for tests and tools). An
    /// encrypted profile opens from its vault: ``Profiles/open(passphrase:)``, ``Profiles/open(key:)``.
    ///
    /// - Throws: ``KindredError/NoProfile(path:)`` if there is none yet; ``KindredError/CorruptDatabase(path:detail:)``,
    ///   ``KindredError/ForeignDatabase(path:)`` or ``KindredError/NewerSchema(found:supported:)`` if it cannot be
    ///   opened (the files are left untouched).
    public static func open(_ directory: URL) async throws -> Kindred {
        let path = directory.path
        return Kindred(try await bridgeAsync { try KindredProfile.open(dataDir: path) })
    }

    /// Opens the unencrypted profile in `directory`, or creates one named `displayName` if there is none yet.
    public static func openOrCreate(in directory: URL, displayName: String) async throws -> Kindred {
        profileExists(in: directory)
            ? try await open(directory)
            : try await create(in: directory, displayName: displayName)
    }

    /// Whether `directory` holds an unencrypted profile (it may still fail to open, if damaged).
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

    /// Panic wipe: destroys this profile now. An encrypted profile's wrapped key is overwritten and removed first, so
    /// its data is unreadable from that moment even if deleting the files is cut short; then its files go (of an
    /// unencrypted profile, the database files are deleted). Every update stream finishes and the profile is closed:
    /// later calls, on it and on its groups, throw ``KindredError/Closed``. Close its sync sessions first.
    public func wipe() async throws {
        defer { streams.finishAll() }
        try await bridgeAsync { [self] in try profile.wipe() }
    }

    /// Writes everything the person wrote or recorded (their messages, reactions, groups, goals and progress,
    /// cheers, check-ins, instrument results, safety plan, moderation actions, muted members and words, settings)
    /// into `directory`, a new or empty folder: `kindred-export.json` and one CSV per kind. Nothing of other
    /// members is included. The files are not encrypted: write them where the person chose, and say so.
    /// - Throws: ``KindredError/InvalidInput(field:reason:)`` if `directory` holds files already.
    @discardableResult
    public func exportMine(to directory: URL) async throws -> ExportSummary {
        let path = directory.path
        return try await bridgeAsync { [self] in try profile.exportMine(dir: path) }
    }

    /// This profile's public identity.
    public var info: ProfileInfo {
        get throws { try bridge { try profile.info() } }
    }

    /// Changes the name others see.
    public func setDisplayName(_ name: String) async throws {
        try await bridgeAsync { [self] in try profile.setDisplayName(name: name) }
    }

    /// Housekeeping that posts leave for later (folding stored changes into snapshots, checkpointing the database's
    /// log), so that a post never pauses for it. Call it when the app is idle or goes to the background.
    /// - Returns: how many documents it compacted.
    @discardableResult
    public func maintain() async throws -> UInt32 {
        try await bridgeAsync { [self] in try profile.maintain() }
    }

    /// Runs the database's full consistency check.
    /// - Throws: ``KindredError/CorruptDatabase(path:detail:)`` if it is damaged.
    public func checkIntegrity() async throws {
        try await bridgeAsync { [self] in try profile.checkIntegrity() }
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
        return Group(try await bridgeAsync { [self] in try profile.createGroup(group: group) }, of: self)
    }

    /// Every group this profile holds, most recently active first, with unread counts.
    public func groups() async throws -> [GroupSummary] {
        try await bridgeAsync { [self] in try profile.groups() }
    }

    /// One of this profile's groups, by id (as stored from ``Group/id``) or exact name.
    /// - Throws: ``KindredError/NotFound(kind:id:)`` if none matches, ``KindredError/Ambiguous(kind:name:count:)``
    ///   when several groups have that name.
    public func group(_ idOrName: String) async throws -> Group {
        Group(try await bridgeAsync { [self] in try profile.group(idOrName: idOrName) }, of: self)
    }

    // MARK: Goals

    /// Creates a goal of `times` per `period`, private unless shared with a group.
    public func createGoal(_ title: String, times: UInt32, per period: CadencePeriod, sharedWith groupId: String? = nil) async throws -> Goal {
        try await createGoal(title, cadence: Cadence(times: times, period: period), sharedWith: groupId)
    }

    /// Creates a goal with any cadence, e.g. `Cadence(times: 1, period: .day, weekdays: [1, 3, 5])` for Monday,
    /// Wednesday and Friday (ISO 8601 weekday numbers, 1 Monday ... 7 Sunday).
    public func createGoal(_ title: String, cadence: Cadence, sharedWith groupId: String? = nil) async throws -> Goal {
        let goal = NewGoal(title: title, cadence: cadence, shareWith: groupId)
        return try await bridgeAsync { [self] in try profile.createGoal(goal: goal) }
    }

    /// A goal's habit strength (0-100: grows with each period met, fades with each missed, instead of a streak that
    /// resets) and its recent periods; skipped days and pauses count for nothing.
    public func goalStrength(goalId: String) async throws -> HabitStrength {
        try await bridgeAsync { [self] in try profile.goalStrength(goalId: goalId) }
    }

    /// Takes a day off one's own goal without penalty (`day` as `YYYY-MM-DD`, today without one).
    @discardableResult
    public func skipGoalDay(goalId: String, day: String? = nil) async throws -> HabitStrength {
        try await bridgeAsync { [self] in try profile.skipGoalDay(goalId: goalId, day: day) }
    }

    /// Cheers on another member's shared goal; returns who cheered it so far.
    @discardableResult
    public func cheerGoal(goalId: String) async throws -> [Cheer] {
        try await bridgeAsync { [self] in try profile.cheerGoal(goalId: goalId) }
    }

    /// Who cheered a goal on, newest first.
    public func goalCheers(goalId: String) async throws -> [Cheer] {
        try await bridgeAsync { [self] in try profile.goalCheers(goalId: goalId) }
    }

    /// Joins a group goal with one's own target, kept private: the group learns only that one more member met theirs.
    public func joinGroupGoal(id groupGoalId: String, cadence: Cadence) async throws -> Goal {
        try await bridgeAsync { [self] in try profile.joinGroupGoal(groupGoalId: groupGoalId, cadence: cadence) }
    }

    /// One group goal, with how many met their own target in each of the last four weeks.
    public func groupGoal(id groupGoalId: String) async throws -> GroupGoal {
        try await bridgeAsync { [self] in try profile.groupGoal(groupGoalId: groupGoalId) }
    }

    /// Ends a group goal this profile proposed.
    @discardableResult
    public func endGroupGoal(id groupGoalId: String) async throws -> GroupGoal {
        try await bridgeAsync { [self] in try profile.endGroupGoal(groupGoalId: groupGoalId) }
    }

    /// Logs progress on a goal, now or at an earlier `date`.
    @discardableResult
    public func logProgress(goalId: String, amount: UInt32 = 1, note: String? = nil, at date: Date? = nil) async throws -> ProgressEntry {
        let at = date.map(kindredMillis)
        return try await bridgeAsync { [self] in try profile.logProgress(goalId: goalId, amount: amount, note: note, at: at) }
    }

    /// Pauses, resumes or archives a goal.
    @discardableResult
    public func setGoalStatus(goalId: String, to status: GoalStatus) async throws -> Goal {
        try await bridgeAsync { [self] in try profile.setGoalStatus(goalId: goalId, status: status) }
    }

    /// Every goal this profile can see: its own (private and shared) and those others shared in its groups
    /// (``Group/goals(includeArchived:)`` for one group's). Archived ones only with `includeArchived`.
    public func goals(includeArchived: Bool = false) async throws -> [Goal] {
        try await bridgeAsync { [self] in try profile.goals(includeArchived: includeArchived) }
    }

    /// One goal and how it is going.
    public func goal(id goalId: String) async throws -> Goal {
        try await bridgeAsync { [self] in try profile.goal(goalId: goalId) }
    }

    /// A goal's logged steps, newest first, optionally only since `since`.
    public func progress(goalId: String, since: Date? = nil, limit: UInt32 = 100) async throws -> [ProgressEntry] {
        let since = since.map(kindredMillis)
        return try await bridgeAsync { [self] in try profile.goalProgress(goalId: goalId, since: since, limit: limit) }
    }

    // MARK: Personal controls (this phone only; nobody is told)

    /// Mutes, blocks or shows again (`.none`) a member's posts on this phone: a muted member's posts are left out of
    /// timelines and unread counts, a blocked member's reactions are not counted either.
    public func setMemberControl(_ control: MemberControl, for memberId: String) async throws {
        try await bridgeAsync { [self] in try profile.setMemberControl(memberId: memberId, control: control) }
    }

    /// Every member this profile muted or blocked, newest first.
    public func mutedMembers() async throws -> [MutedMember] {
        try await bridgeAsync { [self] in try profile.mutedMembers() }
    }

    /// Mutes (or unmutes) a word: posts holding it are folded. Returns the muted words.
    @discardableResult
    public func muteWord(_ word: String, muted: Bool = true) async throws -> [String] {
        try await bridgeAsync { [self] in try profile.muteWord(word: word, muted: muted) }
    }

    /// The muted words, in order.
    public func mutedWords() async throws -> [String] {
        try await bridgeAsync { [self] in try profile.mutedWords() }
    }

    /// Whether posts with a content warning are folded behind a tap (the default) or shown open.
    public func setFoldWarnings(_ fold: Bool) async throws {
        try await bridgeAsync { [self] in try profile.setFoldWarnings(fold: fold) }
    }

    /// Whether posts with a content warning are folded.
    public func foldWarnings() async throws -> Bool {
        try await bridgeAsync { [self] in try profile.foldWarnings() }
    }

    // MARK: Check-ins (private to this phone)

    /// Records a mood check-in, e.g. `NewCheckin(mood: 4, energy: 3, tags: ["walk"])`.
    @discardableResult
    public func recordCheckin(_ checkin: NewCheckin) async throws -> Checkin {
        try await bridgeAsync { [self] in try profile.recordCheckin(checkin: checkin) }
    }

    /// Replaces what one of the person's check-ins says (its id stays, and its time unless `checkin.at` gives one).
    @discardableResult
    public func editCheckin(id checkinId: String, _ checkin: NewCheckin) async throws -> Checkin {
        try await bridgeAsync { [self] in try profile.editCheckin(checkinId: checkinId, checkin: checkin) }
    }

    /// Deletes one of the person's check-ins for good.
    public func deleteCheckin(id checkinId: String) async throws {
        try await bridgeAsync { [self] in try profile.deleteCheckin(checkinId: checkinId) }
    }

    /// The mood scale (a face and a word for each step) and the person's emotion and activity lists.
    public func checkinOptions() async throws -> CheckinOptions {
        try await bridgeAsync { [self] in try profile.checkinOptions() }
    }

    /// Makes the person's emotion or activity list `labels`, in their order; returns it as stored.
    @discardableResult
    public func setCheckinChoices(_ labels: [String], for kind: ChoiceKind) async throws -> [String] {
        try await bridgeAsync { [self] in try profile.setCheckinChoices(kind: kind, labels: labels) }
    }

    /// Check-ins between two dates.
    public func checkins(from start: Date, to end: Date) async throws -> [Checkin] {
        let (since, until) = (kindredMillis(start), kindredMillis(end))
        return try await bridgeAsync { [self] in try profile.checkins(since: since, until: until) }
    }

    /// Check-ins of the last `days` calendar days.
    public func recentCheckins(days: UInt32 = 7) async throws -> [Checkin] {
        try await bridgeAsync { [self] in try profile.recentCheckins(days: days) }
    }

    /// Daily and weekly averages over the last `days` calendar days, today included.
    public func recentCheckinSummary(days: UInt32 = 7) async throws -> CheckinSummary {
        try await bridgeAsync { [self] in try profile.recentCheckinSummary(days: days) }
    }

    /// Daily and weekly averages between two dates.
    public func checkinSummary(from start: Date, to end: Date) async throws -> CheckinSummary {
        let (since, until) = (kindredMillis(start), kindredMillis(end))
        return try await bridgeAsync { [self] in try profile.checkinSummary(since: since, until: until) }
    }

    // MARK: Validated instruments (WHO-5, PHQ-9, GAD-7, K10...; results stay on this phone)

    /// The instruments this profile scores, each in `language` when there is a translation (else English).
    public func instruments(language: String? = nil) throws -> [Instrument] {
        try bridge { try profile.instruments(language: language) }
    }

    /// Adds an instrument, or a translation of one (which must score exactly as the original), from a definition in
    /// Kindred's text format. It lasts while the profile is open.
    /// - Throws: ``KindredError/InvalidInput(field:reason:)`` naming the line of a definition that does not parse.
    @discardableResult
    public func addInstrument(_ definition: String) throws -> Instrument {
        try bridge { try profile.addInstrument(definition: definition) }
    }

    /// Scores complete answers to instrument `id` ("phq9", "who5"...), one per item in order, and keeps the result on
    /// this phone. On a crisis flag (PHQ-9 item 9 above 0) the outcome carries the person's safety plan and crisis
    /// services: show them at once.
    /// - Throws: ``KindredError/InvalidInput(field:reason:)`` for incomplete or unknown answers (never guessed).
    public func takeInstrument(_ id: String, answers: [UInt8], at date: Date? = nil) async throws -> InstrumentOutcome {
        let at = date.map(kindredMillis)
        return try await bridgeAsync { [self] in try profile.takeInstrument(id: id, answers: Data(answers), at: at) }
    }

    /// The results of instrument `id` between two dates, oldest first.
    public func instrumentHistory(_ id: String, from start: Date = .distantPast, to end: Date = .distantFuture) async throws -> [InstrumentResult] {
        let (since, until) = (kindredMillis(start), kindredMillis(end))
        return try await bridgeAsync { [self] in try profile.instrumentHistory(id: id, since: since, until: until) }
    }

    /// Trends over the last `days` days: mood by day, week and month, each instrument's scores and change against the
    /// person's baseline, and what goes with their mood (at least 5 days each way). Computed on this phone.
    public func trends(days: UInt32 = 90) async throws -> Trends {
        try await bridgeAsync { [self] in try profile.trends(days: days) }
    }

    /// The clinician's summary with only the parts ticked: a CSV and a one-page printable HTML page (no script, no
    /// network), for the app to save or share as the person chooses. Never instrument answers or crisis flags; notes
    /// only when ticked.
    public func clinicianSummary(_ parts: SummaryParts = SummaryParts()) async throws -> ClinicianSummary {
        try await bridgeAsync { [self] in try profile.clinicianSummary(parts: parts) }
    }

    /// Deletes one of the person's results.
    public func deleteInstrumentResult(id resultId: String) async throws {
        try await bridgeAsync { [self] in try profile.deleteInstrumentResult(resultId: resultId) }
    }

    // MARK: The safety plan (private to this phone: never in a group, a bundle or a sync session)

    /// The person's safety plan: every step in order (``SafetyPlan/section(_:)`` finds one), each with its items.
    /// Reads with no network and with the storage full.
    public func safetyPlan() async throws -> SafetyPlan {
        try await bridgeAsync { [self] in try profile.safetyPlan() }
    }

    /// Adds `text` at the end of `step`, with a `contact` (a phone number, an address) on the steps that take one
    /// (`.distractions`, `.people`, `.professionals`).
    /// - Throws: ``KindredError/InvalidInput(field:reason:)`` for blank or overlong text, a contact on a step without
    ///   contacts, or a full step (the reason never quotes the text).
    @discardableResult
    public func addSafetyPlanItem(_ text: String, to step: SafetyPlanStep, contact: String? = nil) async throws -> SafetyPlanItem {
        try await bridgeAsync { [self] in try profile.addSafetyPlanItem(step: step, text: text, contact: contact) }
    }

    /// Replaces an item's text and contact (none unless `contact` is given); it keeps its step and place.
    @discardableResult
    public func editSafetyPlanItem(id itemId: String, text: String, contact: String? = nil) async throws -> SafetyPlanItem {
        try await bridgeAsync { [self] in try profile.editSafetyPlanItem(itemId: itemId, text: text, contact: contact) }
    }

    /// Moves an item within its step to `position` (0 is first); returns the step as it now is.
    @discardableResult
    public func moveSafetyPlanItem(id itemId: String, to position: UInt32) async throws -> SafetyPlanSection {
        try await bridgeAsync { [self] in try profile.moveSafetyPlanItem(itemId: itemId, position: position) }
    }

    /// Removes an item and returns it (to offer an undo).
    @discardableResult
    public func removeSafetyPlanItem(id itemId: String) async throws -> SafetyPlanItem {
        try await bridgeAsync { [self] in try profile.removeSafetyPlanItem(itemId: itemId) }
    }

    /// Removes every item of the plan; returns how many there were.
    @discardableResult
    public func clearSafetyPlan() async throws -> UInt32 {
        try await bridgeAsync { [self] in try profile.clearSafetyPlan() }
    }

    /// The plan as plain text for printing: a title, today's date, and every step under its heading in plain words;
    /// nothing else about the person.
    public func exportSafetyPlanText() async throws -> String {
        try await bridgeAsync { [self] in try profile.exportSafetyPlanText() }
    }

    // MARK: The on-device crisis check (the text stays on this phone: never stored, logged or sent; nothing blocked)

    /// Checks a draft before it is posted: whether it shows a sign of risk to self, what matched (phrases of the lists,
    /// never the draft's words) and, on a sign of risk when the person's safety plan has an item, the plan to offer.
    /// It never blocks the post. `language` ("en", "es-MX") picks the list; `nil` checks every list. On a sign of
    /// risk, `resources` lists the crisis services for the person's region (``setRegion(_:)``) from the directories
    /// the profile holds (imported, or published in its groups; example entries marked).
    /// - Throws: ``KindredError/InvalidInput(field:reason:)`` for a draft longer than a message can be.
    public func checkDraft(_ text: String, language: String? = nil) async throws -> DraftCheck {
        try await bridgeAsync { [self] in try profile.checkDraft(text: text, language: language) }
    }

    /// Checks a received message for its reader: what matched and, on a sign of risk, short guidance on answering
    /// supportively (in `language` when Kindred has it) and the crisis services the reader can share (`resources`,
    /// for the reader's region). For the reader's screen only; the author is never flagged.
    public func checkReceived(_ text: String, language: String? = nil) async throws -> ReaderGuidance {
        try await bridgeAsync { [self] in try profile.checkReceived(text: text, language: language) }
    }

    /// Adds an app's phrase list (the `Lexicon` text format) to this profile's list of its language, or with
    /// `replacing` puts it in place of that list. It lasts while the profile is open. Returns the languages checked.
    /// - Throws: ``KindredError/InvalidInput(field:reason:)`` naming the line of a list that does not parse.
    @discardableResult
    public func setCrisisPhrases(_ list: String, replacing: Bool = false) async throws -> [String] {
        try await bridgeAsync { [self] in try profile.setCrisisPhrases(list: list, replace: replacing) }
    }

    /// Goes back to the shipped phrase lists; returns their languages.
    @discardableResult
    public func resetCrisisPhrases() throws -> [String] {
        try bridge { try profile.resetCrisisPhrases() }
    }

    // MARK: Crisis resource directories (signed files: imported here, or published in a group by `Group`)

    /// The crisis services for `region` ("KE", "KE-30"; `nil`: international ones only) and `language`, best first,
    /// from the directories this profile holds. `matched` is `.nothing` when no directory lists one: show the app's
    /// own fallback (the local emergency number). Entries of an example directory say `example`.
    /// - Throws: ``KindredError/InvalidInput(field:reason:)`` for a region that is not an ISO 3166 code.
    public func crisisResources(region: String?, language: String? = nil) async throws -> ResourceLookup {
        try await bridgeAsync { [self] in try profile.crisisResources(region: region, language: language) }
    }

    /// Sets the person's region for crisis resources ("KE" or "KE-30", any case; `nil` clears it) and returns it as
    /// stored. It stays on this phone.
    @discardableResult
    public func setRegion(_ region: String?) async throws -> String? {
        try await bridgeAsync { [self] in try profile.setRegion(region: region) }
    }

    /// The person's region for crisis resources, if set.
    public func region() async throws -> String? {
        try await bridgeAsync { [self] in try profile.region() }
    }

    /// Imports a signed directory file (one the app ships, or a publisher's), checked whole first.
    /// - Throws: ``KindredError/Rejected(kind:reason:)`` for a forged, damaged or oversized file; nothing is kept.
    @discardableResult
    public func importResourceDirectory(_ file: Data) async throws -> DirectoryImport {
        try await bridgeAsync { [self] in try profile.importResourceDirectory(file: file) }
    }

    /// Every publisher's directory this profile uses (its newest file, imported or published in a group).
    public func resourceDirectories() async throws -> [DirectorySummary] {
        try await bridgeAsync { [self] in try profile.resourceDirectories() }
    }

    /// Removes a publisher's imported directory.
    /// - Throws: ``KindredError/NotFound(kind:id:)`` when there is none.
    public func removeResourceDirectory(publisher: String) async throws {
        try await bridgeAsync { [self] in try profile.removeResourceDirectory(publisher: publisher) }
    }
}
