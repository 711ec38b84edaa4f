import Foundation
import XCTest
import Kindred

/// The public surface, as an app sees it with `import Kindred` alone: this file compiles only if every type the API
/// takes or returns can be named, both as `X` and as `Kindred.X` (for an app with an `X` of its own). The other half,
/// that nothing else of the generated module is visible and no public declaration uses an unnamed generated type,
/// is checked by `ios/run-linux-tests.sh` (the surface checks).
final class SurfaceTests: XCTestCase {
    func testEveryPublicTypeHasItsShortAndItsNestedName() {
        // The layer's own classes are `Kindred` and `Kindred.Group` (nested only, so that it never meets SwiftUI's).
        let pairs: [(short: Any.Type, nested: Any.Type)] = [
            (ProfileInfo.self, Kindred.ProfileInfo.self),
            (GroupSummary.self, Kindred.GroupSummary.self),
            (GroupDetails.self, Kindred.GroupDetails.self),
            (Member.self, Kindred.Member.self),
            (Message.self, Kindred.Message.self),
            (MessageCursor.self, Kindred.MessageCursor.self),
            (ReactionCount.self, Kindred.ReactionCount.self),
            (Goal.self, Kindred.Goal.self),
            (Cadence.self, Kindred.Cadence.self),
            (ProgressEntry.self, Kindred.ProgressEntry.self),
            (Checkin.self, Kindred.Checkin.self),
            (CheckinSummary.self, Kindred.CheckinSummary.self),
            (CheckinAverage.self, Kindred.CheckinAverage.self),
            (CheckinOptions.self, Kindred.CheckinOptions.self),
            (MoodLevel.self, Kindred.MoodLevel.self),
            (ChoiceKind.self, Kindred.ChoiceKind.self),
            (ShareAs.self, Kindred.ShareAs.self),
            (SafetyPlan.self, Kindred.SafetyPlan.self),
            (SafetyPlanSection.self, Kindred.SafetyPlanSection.self),
            (SafetyPlanItem.self, Kindred.SafetyPlanItem.self),
            (DraftCheck.self, Kindred.DraftCheck.self),
            (ReaderGuidance.self, Kindred.ReaderGuidance.self),
            (Match.self, Kindred.Match.self),
            (FoundResource.self, Kindred.FoundResource.self),
            (ResourceEntry.self, Kindred.ResourceEntry.self),
            (ResourceKind.self, Kindred.ResourceKind.self),
            (ResourceLookup.self, Kindred.ResourceLookup.self),
            (ResourceMatch.self, Kindred.ResourceMatch.self),
            (DirectoryImport.self, Kindred.DirectoryImport.self),
            (DirectorySummary.self, Kindred.DirectorySummary.self),
            (Instrument.self, Kindred.Instrument.self),
            (AnswerOption.self, Kindred.AnswerOption.self),
            (InstrumentItem.self, Kindred.InstrumentItem.self),
            (ScoreBand.self, Kindred.ScoreBand.self),
            (InstrumentFlag.self, Kindred.InstrumentFlag.self),
            (FlagSubject.self, Kindred.FlagSubject.self),
            (FlagComparison.self, Kindred.FlagComparison.self),
            (InstrumentScore.self, Kindred.InstrumentScore.self),
            (InstrumentResult.self, Kindred.InstrumentResult.self),
            (InstrumentOutcome.self, Kindred.InstrumentOutcome.self),
            (Trends.self, Kindred.Trends.self),
            (InstrumentTrend.self, Kindred.InstrumentTrend.self),
            (ScorePoint.self, Kindred.ScorePoint.self),
            (ChangeJudgement.self, Kindred.ChangeJudgement.self),
            (Association.self, Kindred.Association.self),
            (FactorKind.self, Kindred.FactorKind.self),
            (SummaryParts.self, Kindred.SummaryParts.self),
            (ClinicianSummary.self, Kindred.ClinicianSummary.self),
            (PendingJoin.self, Kindred.PendingJoin.self),
            (BundleImport.self, Kindred.BundleImport.self),
            (IngestReport.self, Kindred.IngestReport.self),
            (SyncReport.self, Kindred.SyncReport.self),
            (JoinRefusal.self, Kindred.JoinRefusal.self),
            (NewCheckin.self, Kindred.NewCheckin.self),
            (Update.self, Kindred.Update.self),
            (Role.self, Kindred.Role.self),
            (GoalStatus.self, Kindred.GoalStatus.self),
            (CadencePeriod.self, Kindred.CadencePeriod.self),
            (SafetyPlanStep.self, Kindred.SafetyPlanStep.self),
            (KindredError.self, Kindred.KindredError.self),
            (Refusal.self, Kindred.Refusal.self),
            (SyncSession.self, Kindred.SyncSession.self),
            (SyncLinkClosed.self, Kindred.SyncLinkClosed.self),
        ]
        for (short, nested) in pairs {
            XCTAssertTrue(short == nested, "\(short) and \(nested) should be one type")
        }
    }
}
