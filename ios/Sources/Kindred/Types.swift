// The generated types that `Kindred`'s API takes and returns, re-exported one by one: the records, the enums,
// `KindredError`, `SyncSession` and the `RelayStore` protocol apps implement (with its records and error), exactly as
// uniffi generates them.
// Nothing else of the generated module `KindredCore` reaches an app: not `KindredProfile` and `KindredGroup`
// (wrapped by `Kindred` and `Kindred.Group`), not `UpdateListener` and `SubscriptionHandle` (behind the
// `AsyncStream`s), not the `New...` input records the layer builds from plain arguments (`NewCheckin` excepted), not
// `KindredProfiles` and `ProfileSecret` (behind `Kindred.Profiles`), not `RelayStoreImpl`, the free functions or
// uniffi's converters. See the header of
// `Kindred.swift` for why the layer is shaped this way, and `ios/run-linux-tests.sh` (surface checks) for what
// enforces it.
//
// Why scoped `@_exported import`s rather than `public typealias`es: a typealias names the type but leaves its
// members declared in a module the app never imported. Under Swift's `MemberImportVisibility` (SE-0444: an upcoming
// feature apps can turn on since Swift 6.1, the rule of a later language mode), `message.text` would then fail to
// compile ("property 'text' is not available due to missing import of defining module 'KindredCore'", tried with
// Swift 6.0.3's experimental form of the feature) in an app that, as it should, imports only `Kindred`. A scoped re-export
// (`@_exported import struct KindredCore.Message`) brings in that one declaration and nothing else of the module:
// `KindredProfile` and the rest stay undeclared for the app (the surface checks prove both halves). The wholesale
// `@_exported import KindredCore` is what must never come back.
//
// Each type has a second spelling, the same type, nested in `Kindred` (`Kindred.Message`): the module and its main
// class are both called `Kindred`, so `Kindred.X` always means the class's member, and without these an app with a
// `Message` of its own could not name Kindred's past it. Adding a type the layer passes through means adding both
// lines; `SurfaceTests` names every one of them.
import Foundation
public import KindredCore

// MARK: Records the layer returns

@_exported import struct KindredCore.ProfileInfo        // the opened profile's public identity (`Kindred.info`)
@_exported import struct KindredCore.GroupSummary       // a group in the list from `Kindred.groups()`
@_exported import struct KindredCore.GroupDetails       // name, description, guidelines, members and roles
@_exported import struct KindredCore.Member             // a member of a group, in `GroupDetails`
@_exported import struct KindredCore.Message            // a message as a screen shows it
@_exported import struct KindredCore.MessageCursor      // where to page back from (`Message.cursor`)
@_exported import struct KindredCore.ReactionCount      // reactions with one emoji, in `Message`
@_exported import struct KindredCore.Goal               // a goal and how it is going
@_exported import struct KindredCore.Cadence            // a goal's "`times` per `period`"
@_exported import struct KindredCore.ProgressEntry      // one logged step of a goal
@_exported import struct KindredCore.HabitStrength      // a goal's habit strength and its recent periods
@_exported import struct KindredCore.PeriodScore        // one period of a goal, in `HabitStrength`
@_exported import struct KindredCore.Cheer              // another member's cheer on a shared goal
@_exported import struct KindredCore.GroupGoal          // a group goal and how many met their own target each week
@_exported import struct KindredCore.WeekCount          // one week of a group goal, in `GroupGoal`
@_exported import struct KindredCore.ModerationNote     // why a message is hidden, in `Message`
@_exported import struct KindredCore.ModerationEntry    // one entry of a group's moderation log
@_exported import struct KindredCore.HiddenMessageHelp  // what the author of a hidden message is shown
@_exported import struct KindredCore.GroupRules         // a group's rules in effect, and whether they were accepted
@_exported import struct KindredCore.PostingStatus      // whether this profile may post now, and why not
@_exported import struct KindredCore.Report             // a report a moderator's phone opened
@_exported import struct KindredCore.Warning            // a moderator's warning, sealed to its member
@_exported import struct KindredCore.MutedMember        // a member this phone mutes or blocks
@_exported import struct KindredCore.Checkin            // a recorded mood check-in (private to this phone)
@_exported import struct KindredCore.CheckinSummary     // daily and weekly check-in averages
@_exported import struct KindredCore.CheckinAverage     // averages over a day or a week, in `CheckinSummary`
@_exported import struct KindredCore.CheckinOptions     // the mood scale and the person's emotion and activity lists
@_exported import struct KindredCore.MoodLevel          // a step of the mood scale: a value, a face and a word
@_exported import enum KindredCore.ChoiceKind           // emotions or activities
@_exported import enum KindredCore.ShareAs              // a check-in shared as just its face, or a summary
@_exported import struct KindredCore.SafetyPlan         // the person's safety plan (private to this phone)
@_exported import struct KindredCore.SafetyPlanSection  // one step of it with its items, in `SafetyPlan`
@_exported import struct KindredCore.SafetyPlanItem     // one entry of the safety plan
@_exported import struct KindredCore.DraftCheck         // the crisis check of a draft, with the plan to offer
@_exported import struct KindredCore.ReaderGuidance     // the crisis check of a received message, for its reader
@_exported import struct KindredCore.Match              // a phrase of a list found by a crisis check
@_exported import struct KindredCore.FoundResource      // a crisis service offered with a check, and whose directory
@_exported import struct KindredCore.ResourceEntry      // one crisis service as its signed directory lists it
@_exported import enum KindredCore.ResourceKind         // phone, SMS, chat or walk-in
@_exported import struct KindredCore.ResourceLookup     // the crisis services for a region (`crisisResources`)
@_exported import enum KindredCore.ResourceMatch        // how close to the region they are, or nothing
@_exported import struct KindredCore.DirectoryImport    // what importing or publishing a directory did
@_exported import struct KindredCore.DirectorySummary   // a publisher's directory the profile uses
@_exported import struct KindredCore.Instrument         // a validated questionnaire, as data (`Kindred.instruments`)
@_exported import struct KindredCore.AnswerOption       // an answer every item of an instrument takes
@_exported import struct KindredCore.InstrumentItem     // an item of an instrument (`private`: never leaves the phone)
@_exported import struct KindredCore.ScoreBand          // a band of totals and its label
@_exported import struct KindredCore.InstrumentFlag     // a flag rule of an instrument
@_exported import enum KindredCore.FlagSubject          // what a flag rule compares
@_exported import enum KindredCore.FlagComparison       // how a flag rule compares
@_exported import struct KindredCore.InstrumentScore    // a score, band and flags, as published
@_exported import struct KindredCore.InstrumentResult   // a result kept on this phone
@_exported import struct KindredCore.InstrumentOutcome  // what taking an instrument gives back
@_exported import struct KindredCore.Trends             // trends over a window of days (`Kindred.trends`)
@_exported import struct KindredCore.InstrumentTrend    // an instrument's scores and change against the baseline
@_exported import struct KindredCore.ScorePoint         // one result as a point of a trend
@_exported import enum KindredCore.ChangeJudgement      // improved, worsened, no meaningful change...
@_exported import struct KindredCore.Association        // mood on days with something and without it
@_exported import enum KindredCore.FactorKind           // activity, emotion, tag or sleep
@_exported import struct KindredCore.SummaryParts       // which parts go into the clinician's summary
@_exported import struct KindredCore.ClinicianSummary   // the summary's CSV and printable page
@_exported import struct KindredCore.PendingJoin        // an accepted invitation whose group has not arrived yet
@_exported import struct KindredCore.BundleImport       // what importing a bundle did
@_exported import struct KindredCore.IngestReport       // what was applied, in `BundleImport.report`
@_exported import struct KindredCore.SyncReport         // what a sync session did
@_exported import struct KindredCore.JoinRefusal        // an invitation a peer did not accept, in `SyncReport`
@_exported import struct KindredCore.ListedProfile      // a profile a vault lists, with its label (`Profiles.list()`)
@_exported import struct KindredCore.ExportSummary      // what `Kindred.exportMine(to:)` wrote
@_exported import struct KindredCore.ExportCount        // how many records of one kind, in `ExportSummary`

// MARK: Records the layer takes

@_exported import struct KindredCore.NewCheckin         // what `Kindred.recordCheckin(_:)` takes

// MARK: Enums and the error

@_exported import enum KindredCore.Update               // what changed, as the update streams deliver it
@_exported import enum KindredCore.Role                 // a member's role in a group
@_exported import enum KindredCore.GoalStatus           // active, paused or archived
@_exported import enum KindredCore.CadencePeriod        // the period of a goal's cadence
@_exported import enum KindredCore.PeriodOutcome        // how a period of a goal went (met, partial, missed...)
@_exported import enum KindredCore.ModerationKind       // hide, suspend, approve... in `ModerationEntry`
@_exported import enum KindredCore.Premoderation        // whose posts wait for a moderator's approval
@_exported import enum KindredCore.ReportReason         // why a member reports a message or a member
@_exported import enum KindredCore.Fold                 // why a message is shown folded, in `Message`
@_exported import enum KindredCore.MemberControl        // none, muted or blocked
@_exported import enum KindredCore.SafetyPlanStep       // a step of the safety plan (six, and reasons for living)
@_exported import enum KindredCore.KindredError         // every error Kindred throws
@_exported import enum KindredCore.Refusal              // which rule refused a peer's data (`KindredError.Rejected`)

// MARK: The one generated object apps hold

// One sync session over one link, from `Kindred.connectSync(expecting:maxFrame:)` or `Kindred.acceptSync(maxFrame:)`,
// carried by `SyncSession.run(send:receive:isolation:)` (`Sync.swift`). Its own generated methods (`receive(frame:)`,
// `takeOutgoing()`, `isFinished()`, `peer()`, `report()`) are the step-by-step form of what `run` does.
@_exported import class KindredCore.SyncSession

// MARK: The relay mailbox

@_exported import struct KindredCore.RelayReport        // what a relay round did (`Kindred.relaySync`)
@_exported import struct KindredCore.StoreListing       // one page of a relay store's listing (`RelayStore.list`)
@_exported import struct KindredCore.StoredObject       // an object a listing names, in `StoreListing`
@_exported import enum KindredCore.RelayStoreError      // what a `RelayStore` throws when a request failed
// The one generated protocol apps implement: the S3-compatible bucket the relay mailbox lives in, as the app reaches
// it over its own HTTP stack (`Kindred.relaySync(groupId:store:)`, `Relay.swift`). Not the generated
// `RelayStoreImpl` (a store implemented in Rust), which stays hidden.
@_exported import protocol KindredCore.RelayStore

extension Kindred {
    public typealias RelayReport = KindredCore.RelayReport
    public typealias StoreListing = KindredCore.StoreListing
    public typealias StoredObject = KindredCore.StoredObject
    public typealias RelayStoreError = KindredCore.RelayStoreError
    public typealias RelayStore = KindredCore.RelayStore
}

extension Kindred {
    public typealias ProfileInfo = KindredCore.ProfileInfo
    public typealias GroupSummary = KindredCore.GroupSummary
    public typealias GroupDetails = KindredCore.GroupDetails
    public typealias Member = KindredCore.Member
    public typealias Message = KindredCore.Message
    public typealias MessageCursor = KindredCore.MessageCursor
    public typealias ReactionCount = KindredCore.ReactionCount
    public typealias Goal = KindredCore.Goal
    public typealias Cadence = KindredCore.Cadence
    public typealias ProgressEntry = KindredCore.ProgressEntry
    public typealias HabitStrength = KindredCore.HabitStrength
    public typealias PeriodScore = KindredCore.PeriodScore
    public typealias Cheer = KindredCore.Cheer
    public typealias GroupGoal = KindredCore.GroupGoal
    public typealias WeekCount = KindredCore.WeekCount
    public typealias ModerationNote = KindredCore.ModerationNote
    public typealias ModerationEntry = KindredCore.ModerationEntry
    public typealias HiddenMessageHelp = KindredCore.HiddenMessageHelp
    public typealias GroupRules = KindredCore.GroupRules
    public typealias PostingStatus = KindredCore.PostingStatus
    public typealias Premoderation = KindredCore.Premoderation
    public typealias Report = KindredCore.Report
    public typealias Warning = KindredCore.Warning
    public typealias ReportReason = KindredCore.ReportReason
    public typealias MutedMember = KindredCore.MutedMember
    public typealias Checkin = KindredCore.Checkin
    public typealias CheckinSummary = KindredCore.CheckinSummary
    public typealias CheckinAverage = KindredCore.CheckinAverage
    public typealias CheckinOptions = KindredCore.CheckinOptions
    public typealias MoodLevel = KindredCore.MoodLevel
    public typealias ChoiceKind = KindredCore.ChoiceKind
    public typealias ShareAs = KindredCore.ShareAs
    public typealias SafetyPlan = KindredCore.SafetyPlan
    public typealias SafetyPlanSection = KindredCore.SafetyPlanSection
    public typealias SafetyPlanItem = KindredCore.SafetyPlanItem
    public typealias DraftCheck = KindredCore.DraftCheck
    public typealias ReaderGuidance = KindredCore.ReaderGuidance
    public typealias Match = KindredCore.Match
    public typealias FoundResource = KindredCore.FoundResource
    public typealias ResourceEntry = KindredCore.ResourceEntry
    public typealias ResourceKind = KindredCore.ResourceKind
    public typealias ResourceLookup = KindredCore.ResourceLookup
    public typealias ResourceMatch = KindredCore.ResourceMatch
    public typealias DirectoryImport = KindredCore.DirectoryImport
    public typealias DirectorySummary = KindredCore.DirectorySummary
    public typealias Instrument = KindredCore.Instrument
    public typealias AnswerOption = KindredCore.AnswerOption
    public typealias InstrumentItem = KindredCore.InstrumentItem
    public typealias ScoreBand = KindredCore.ScoreBand
    public typealias InstrumentFlag = KindredCore.InstrumentFlag
    public typealias FlagSubject = KindredCore.FlagSubject
    public typealias FlagComparison = KindredCore.FlagComparison
    public typealias InstrumentScore = KindredCore.InstrumentScore
    public typealias InstrumentResult = KindredCore.InstrumentResult
    public typealias InstrumentOutcome = KindredCore.InstrumentOutcome
    public typealias Trends = KindredCore.Trends
    public typealias InstrumentTrend = KindredCore.InstrumentTrend
    public typealias ScorePoint = KindredCore.ScorePoint
    public typealias ChangeJudgement = KindredCore.ChangeJudgement
    public typealias Association = KindredCore.Association
    public typealias FactorKind = KindredCore.FactorKind
    public typealias SummaryParts = KindredCore.SummaryParts
    public typealias ClinicianSummary = KindredCore.ClinicianSummary
    public typealias PendingJoin = KindredCore.PendingJoin
    public typealias BundleImport = KindredCore.BundleImport
    public typealias IngestReport = KindredCore.IngestReport
    public typealias SyncReport = KindredCore.SyncReport
    public typealias JoinRefusal = KindredCore.JoinRefusal
    public typealias ListedProfile = KindredCore.ListedProfile
    public typealias ExportSummary = KindredCore.ExportSummary
    public typealias ExportCount = KindredCore.ExportCount
    public typealias NewCheckin = KindredCore.NewCheckin
    public typealias Update = KindredCore.Update
    public typealias Role = KindredCore.Role
    public typealias GoalStatus = KindredCore.GoalStatus
    public typealias CadencePeriod = KindredCore.CadencePeriod
    public typealias PeriodOutcome = KindredCore.PeriodOutcome
    public typealias ModerationKind = KindredCore.ModerationKind
    public typealias Fold = KindredCore.Fold
    public typealias MemberControl = KindredCore.MemberControl
    public typealias SafetyPlanStep = KindredCore.SafetyPlanStep
    public typealias KindredError = KindredCore.KindredError
    public typealias Refusal = KindredCore.Refusal
    public typealias SyncSession = KindredCore.SyncSession
}

/// ``Kindred/SyncLinkClosed``, the layer's own error (declared in `Sync.swift`), by its short name too.
public typealias SyncLinkClosed = Kindred.SyncLinkClosed

// MARK: Swift extras on the records

extension Message {
    /// When it was posted.
    public var createdDate: Date { kindredDate(createdAt) }
    /// When it was last edited, if ever.
    public var editedDate: Date? { editedAt.map(kindredDate) }
    /// Where to page back from when this is the first message shown: pass it as `before`.
    public var cursor: MessageCursor { MessageCursor(createdAt: createdAt, id: id) }
}

extension Checkin {
    /// When it was recorded (or back-dated to).
    public var date: Date { kindredDate(at) }
}

extension SafetyPlan {
    /// The section of `step` (every plan has all seven, in order).
    public func section(_ step: SafetyPlanStep) -> SafetyPlanSection? {
        sections.first { $0.step == step }
    }
}

extension SafetyPlanItem {
    /// When it was added.
    public var createdDate: Date { kindredDate(createdAt) }
    /// When its text or contact last changed.
    public var updatedDate: Date { kindredDate(updatedAt) }
}

extension ProgressEntry {
    /// When the step was taken.
    public var date: Date { kindredDate(at) }
}
