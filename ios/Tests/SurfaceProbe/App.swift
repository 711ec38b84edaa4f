// App code against the Swift surface. Compiled by no target: ios/run-linux-tests.sh type-checks this file alone
// against the built `Kindred` module, as an app's source, with `MemberImportVisibility` on (SE-0444: members are only
// visible from modules the file imports), and requires an error on every line marked `// hidden` and on no other
// line. A wholesale `@_exported import KindredCore`, a public generated object on the layer, a re-exported type that
// should stay inside, or a passed-through type whose members an app cannot reach would each fail the check.
import Foundation
import Kindred

/// What an app must see: the layer, the re-exported types and their members, under both spellings.
func visible(kindred: Kindred, group: Kindred.Group, session: SyncSession) async throws -> [String] {
    var seen: [String] = [Kindred.version, group.id, try kindred.info.displayName]
    let message: Message = try await group.post("hi")
    let same: Kindred.Message = message
    seen += [message.text, same.authorName, "\(message.createdDate)", "\(message.cursor.createdAt)"]
    seen += try await group.details().members.map { "\($0.memberId) \($0.role == .owner)" }
    let goal: Goal = try await kindred.createGoal("Walk", times: 1, per: CadencePeriod.day)
    seen.append("\(goal.cadence.times) \(goal.status == GoalStatus.active)")
    let strength: HabitStrength = try await kindred.goalStrength(goalId: goal.id)
    let period: Kindred.PeriodScore? = strength.recent.first
    let periodOutcome: PeriodOutcome = period?.outcome ?? .missed
    let cheers: [Kindred.Cheer] = try await kindred.goalCheers(goalId: goal.id)
    seen += cheers.map { "\($0.name ?? "") \($0.at)" } + ["\(strength.strength) \(periodOutcome == .met)"]
    let groupGoal: GroupGoal = try await group.createGroupGoal("Move more")
    let week: Kindred.WeekCount? = groupGoal.weeks.last
    let mine: Kindred.Goal = try await kindred.joinGroupGoal(id: groupGoal.id, cadence: Cadence(times: 1, period: .week))
    seen += ["\(week?.met ?? 0) \(week?.week ?? "") \(mine.groupGoal ?? "")"]
    let hidden: Kindred.ModerationEntry = try await group.hideMessage(id: message.id, why: "off topic")
    let modKind: ModerationKind = hidden.kind
    let note: ModerationNote? = try await group.messages().first?.moderation
    let help: HiddenMessageHelp = try await group.hiddenMessageHelp(id: message.id)
    let entries: [ModerationEntry] = try await group.moderationLog()
    seen += ["\(modKind == .hide) \(note?.why ?? "") \(help.explanation) \(entries.count)"]
    let rules: Kindred.GroupRules = try await group.setRules("Be kind.")
    let posting: PostingStatus = try await group.postingStatus()
    let premod: Kindred.Premoderation = try await group.premoderation()
    try await group.setPremoderation(.untilApproved(posts: 2))
    seen += ["\(rules.accepted) \(posting.mayPost) \(premod == .off)"]
    let reason: Kindred.ReportReason = .hostile
    let opened: [Kindred.Report] = try await group.reports()
    let sealedWarnings: [Warning] = try await group.warnings()
    seen += ["\(reason == .spam) \(opened.count) \(sealedWarnings.first?.text ?? "")"]
    try await kindred.setMemberControl(MemberControl.muted, for: message.author)
    let mutedOne: Kindred.MutedMember? = try await kindred.mutedMembers().first
    let folded: Fold? = try await group.messages().first?.fold
    let control: Kindred.MemberControl = mutedOne?.control ?? .none
    seen += try await kindred.muteWord("spoiler") + ["\(folded == .mutedWord) \(control == .blocked)"]
    seen += try await kindred.recentCheckins().map { "\($0.mood) \($0.date)" }
    try await kindred.recordCheckin(NewCheckin(mood: 3))
    let options: Kindred.CheckinOptions = try await kindred.checkinOptions()
    let face: MoodLevel? = options.moods.first
    let listKind: ChoiceKind = .activity
    seen += options.emotions + ["\(face?.emoji ?? "") \(listKind == .emotion)"]
    seen += try await kindred.setCheckinChoices(["walk"], for: .activity)
    let shareAs: Kindred.ShareAs = .summary
    seen.append(try await group.shareCheckin(id: "00", as: shareAs, withNote: false).text)
    seen.append(try await group.shareInstrumentResult(id: "00").text)
    let plan: Kindred.SafetyPlan = try await kindred.safetyPlan()
    let item: SafetyPlanItem = try await kindred.addSafetyPlanItem("Ana", to: SafetyPlanStep.people, contact: "555")
    let section: Kindred.SafetyPlanSection? = plan.section(.people)
    let step: Kindred.SafetyPlanStep = item.step
    seen += [item.text, item.contact ?? "", "\(item.createdDate) \(step == .reasons) \(section?.takesContact == true)"]
    seen += plan.sections.map { "\($0.heading) \($0.items.count)" } + [try await kindred.exportSafetyPlanText()]
    let draft: DraftCheck = try await kindred.checkDraft("i want to die", language: "en")
    let matched: [Kindred.Match] = draft.matches
    seen += matched.map { "\($0.category) \($0.phrase) \($0.language)" } + ["\(draft.risk) \(draft.safetyPlan == nil)"]
    let reading: Kindred.ReaderGuidance = try await kindred.checkReceived("i want to die")
    let first: Match? = reading.matches.first
    seen += reading.guidance + [reading.guidanceLanguage, "\(reading.risk) \(first?.category ?? "")"]
    seen += try await kindred.setCrisisPhrases("language: en\n[farewell]\nbye forever\n") + (try kindred.resetCrisisPhrases())
    let lookup: Kindred.ResourceLookup = try await kindred.crisisResources(region: try await kindred.region(), language: "sw")
    let closeness: ResourceMatch = lookup.matched
    seen += lookup.entries.map { "\($0.entry.name) \($0.example)" } + ["\(closeness == .nothing)"]
    let directoryImport: DirectoryImport = try await kindred.importResourceDirectory(Data())
    let held: [Kindred.DirectorySummary] = try await kindred.resourceDirectories()
    seen += held.map { "\($0.title) \($0.imported) \($0.groups)" } + ["\(directoryImport.installed)"]
    let phq9: Kindred.Instrument? = try kindred.instruments().first { $0.id == "phq9" }
    let lastItem: InstrumentItem? = phq9?.items.last
    let option: AnswerOption? = phq9?.options.first
    let band: ScoreBand? = phq9?.bands.first
    let rule: InstrumentFlag? = phq9?.flags.first
    let subject: FlagSubject? = rule?.subject
    let comparison: FlagComparison? = rule?.comparison
    seen += ["\(lastItem?.private == true) \(option?.label ?? "") \(band?.label ?? "") \(subject == .total) \(comparison == .atLeast)"]
    let outcome: Kindred.InstrumentOutcome = try await kindred.takeInstrument("who5", answers: [3, 3, 3, 3, 3])
    let score: InstrumentScore = outcome.result.score
    let results: [InstrumentResult] = try await kindred.instrumentHistory("who5")
    seen += ["\(score.percentage ?? 0) \(score.flags) \(results.count) \(outcome.safetyPlan == nil)"]
    let trends: Kindred.Trends = try await kindred.trends(days: 30)
    let trend: InstrumentTrend? = trends.instruments.first
    let point: ScorePoint? = trend?.points.first
    let judged: ChangeJudgement? = trend?.judgement
    let together: Association? = trends.associations.first
    let factor: FactorKind? = together?.kind
    seen += ["\(point?.score ?? 0) \(judged == .improved) \(together?.moodWith ?? 0) \(factor == .sleep) \(trends.monthly.count)"]
    let summary: Kindred.ClinicianSummary = try await kindred.clinicianSummary(SummaryParts(days: 30, notes: true))
    seen += [summary.csv, summary.html]
    try await kindred.deleteInstrumentResult(id: outcome.result.id)
    seen.append(try kindred.addInstrument("id: x").id)
    let published: Kindred.DirectoryImport = try await group.publishResourceDirectory(Data())
    seen += try await group.trustPublisher(directoryImport.publisher).trustedPublishers + ["\(published.replaced)"]
    for await update in try kindred.updates() {
        if case .messages(let groupId, _) = update { seen.append(groupId) }
        break
    }
    do {
        _ = try await kindred.group("nobody")
    } catch KindredError.NotFound(let kind, let id) {
        seen += [kind, id]
    } catch KindredError.Rejected(let kind, let reason) {
        let same: Kindred.Refusal = kind
        seen += ["\(kind == .forged) \(same == Refusal.notAMember)", reason]
    } catch let error as Kindred.KindredError {
        seen.append(error.localizedDescription)
    }
    if !session.isFinished(), let peer = session.peer() { seen.append(peer) }
    let report: SyncReport = session.report()
    seen += report.joinRefusals.map(\.reason) + report.joinedGroups
    do {
        _ = try await session.run(send: { _ in }, receive: { nil })
    } catch let closed as SyncLinkClosed {
        let nested: Kindred.SyncLinkClosed = closed
        seen.append("\(nested.report.framesReceived)")
    }
    let imported: BundleImport = try await kindred.importBundle(Data())
    seen.append("\(imported.report.applied)")
    let profiles: Kindred.Profiles = try await Profiles.open(in: URL(fileURLWithPath: "/tmp/vault"))
    let listed: [ListedProfile] = try await profiles.list()
    let unlocked: Kindred = try await profiles.open(passphrase: "secret words")
    let exported: Kindred.ExportSummary = try await unlocked.exportMine(to: URL(fileURLWithPath: "/tmp/export"))
    let counted: ExportCount? = exported.counts.first
    let listedToo: Kindred.ListedProfile? = listed.first
    seen += listed.map { "\($0.id) \($0.label)" } + exported.files + ["\(counted?.kind ?? "") \(counted?.count ?? 0)"]
    seen.append(listedToo?.label ?? "")
    let secret: Profiles.Secret = .key(Profiles.newKey())
    try await profiles.changeSecret(from: .passphrase("secret words"), to: secret)
    try await unlocked.wipe()
    let relayed: Kindred.RelayReport = try await kindred.relaySync(groupId: group.id, store: ProbeStore())
    seen += relayed.admitted + ["\(relayed.requests) \(relayed.joined) \(relayed.more) \(Kindred.relayMaxObjectBytes)"]
    do {
        try await kindred.relaySync(groupId: group.id, store: ProbeStore())
    } catch KindredError.RelayUnavailable(let detail) {
        seen.append(detail)
    }
    return seen
}

/// An app's relay store: the generated protocol, its records and its error, under both spellings.
final class ProbeStore: Kindred.RelayStore {
    func put(name: String, bytes: Data) throws { throw RelayStoreError.Failed(reason: "PUT: HTTP 503") }
    func get(name: String) throws -> Data? { nil }
    func list(prefix: String, after: String?) throws -> StoreListing {
        let object: Kindred.StoredObject = StoredObject(name: prefix + (after ?? ""), size: 0)
        return Kindred.StoreListing(objects: [object], more: false)
    }
    func delete(name: String) throws { throw Kindred.RelayStoreError.Failed(reason: name) }
}

/// What an app must not see: everything else of the generated module.
func hidden(kindred: Kindred, group: Kindred.Group, profiles: Profiles) {
    // The generated module itself, by name, beyond the re-exported types.
    _ = KindredCore.KindredProfile.self                         // hidden
    // The generated objects the layer wraps, their protocols, and the listener machinery.
    _ = KindredProfile.self                                     // hidden
    _ = KindredGroup.self                                       // hidden
    _ = KindredProfiles.self                                    // hidden
    _ = (any KindredProfileProtocol).self                       // hidden
    _ = (any UpdateListener).self                               // hidden
    _ = UpdateListenerImpl.self                                 // hidden
    _ = SubscriptionHandle.self                                 // hidden
    _ = RelayStoreImpl.self                                     // hidden
    // The input records the layer builds from plain arguments (and the generated secret, behind `Profiles.Secret`).
    _ = NewGroup.self                                           // hidden
    _ = NewGoal.self                                            // hidden
    _ = NewMessage.self                                         // hidden
    _ = ProfileSecret.self                                      // hidden
    // The generated free functions (the layer has `Kindred.profileExists(in:)`, `Kindred.version`...) and converters.
    _ = profileExists(dataDir: "/")                             // hidden
    _ = kindredVersion()                                        // hidden
    try? diagnosticsForceInternalFailure()                      // hidden
    uniffiEnsureKindredFfiInitialized()                         // hidden
    _ = FfiConverterTypeMessage.self                            // hidden
    // The generated objects inside the layer's classes.
    _ = kindred.profile                                         // hidden
    _ = profiles.vault                                          // hidden
    _ = group.generated                                         // hidden
}
