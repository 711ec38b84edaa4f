import Foundation
import XCTest
import Kindred

final class InstrumentsTests: XCTestCase {
    func testInstrumentsAreDataScoredAsPublishedAndKeptOnThisPhone() async throws {
        let (kindred, _) = try await makeProfile(self)
        let list = try kindred.instruments()
        XCTAssertEqual(list.map(\.id), ["who5", "phq9", "phq8", "phq2", "gad7", "gad2", "phq4", "k10", "k6"])
        let phq9 = try XCTUnwrap(list.first { $0.id == "phq9" })
        XCTAssertEqual(phq9.items.filter(\.private).map(\.number), [9])
        XCTAssertEqual(phq9.flags.first { $0.crisis }?.subject, .items(from: 9, to: 9))

        let who5 = try await kindred.takeInstrument("who5", answers: [3, 3, 3, 2, 1]).result.score
        XCTAssertEqual(who5.score, 12)
        XCTAssertEqual(who5.percentage, 48)
        XCTAssertEqual(who5.flags, ["Poor wellbeing"])
        let k10 = try await kindred.takeInstrument("k10", answers: [2, 2, 2, 2, 2, 2, 2, 2, 2, 2]).result.score
        XCTAssertEqual(k10.band, "Moderate")

        await assertKindredError(try await kindred.takeInstrument("phq9", answers: [1, 1]), "InvalidInput: incomplete") {
            if case .InvalidInput(field: "answers", _) = $0 { return true } else { return false }
        }
        let history = try await kindred.instrumentHistory("k10")
        XCTAssertEqual(history.map(\.score.score), [20])
        try await kindred.deleteInstrumentResult(id: history[0].id)
        try await assertEqual(await kindred.instrumentHistory("k10"), [])
    }

    func testItem9AboveZeroBringsTheSafetyPlanAtOnce() async throws {
        let (kindred, _) = try await makeProfile(self)
        try await kindred.addSafetyPlanItem("My sister Ana", to: .people)
        let calm = try await kindred.takeInstrument("phq9", answers: Array(repeating: 0, count: 9))
        XCTAssertFalse(calm.result.score.crisis)
        XCTAssertNil(calm.safetyPlan)
        let worried = try await kindred.takeInstrument("phq9", answers: Array(repeating: 0, count: 8) + [1])
        XCTAssertTrue(worried.result.score.crisis)
        XCTAssertEqual(worried.safetyPlan?.section(.people)?.items.map(\.text), ["My sister Ana"])
    }

    func testTrendsJudgeAnInstrumentsChangeAgainstTheBaseline() async throws {
        let (kindred, _) = try await makeProfile(self)
        let dayAgo = Date().addingTimeInterval(-86_400)
        try await kindred.takeInstrument("phq9", answers: [2, 2, 2, 2, 2, 2, 2, 1, 0], at: dayAgo)
        try await kindred.takeInstrument("phq9", answers: [1, 1, 1, 1, 1, 1, 1, 1, 0])
        try await kindred.recordCheckin(NewCheckin(mood: 4, activities: ["walk"]))
        let trends = try await kindred.trends(days: 7)
        XCTAssertEqual(trends.daily.count, 1)
        let phq9 = try XCTUnwrap(trends.instruments.first)
        XCTAssertEqual(phq9.points.map(\.score), [15, 8])
        XCTAssertEqual(phq9.change, -7)
        XCTAssertEqual(phq9.judgement, .improved)
        XCTAssertEqual(trends.associations, [], "one day says nothing")
    }

    func testTheClinicianSummaryHoldsOnlyTheTickedParts() async throws {
        let (kindred, _) = try await makeProfile(self)
        try await kindred.recordCheckin(NewCheckin(mood: 3, note: "private words"))
        try await kindred.takeInstrument("phq9", answers: [1, 1, 1, 1, 1, 1, 1, 1, 2])
        let plain = try await kindred.clinicianSummary()
        XCTAssertTrue(plain.csv.hasPrefix("date,time,record,"))
        XCTAssertFalse(plain.csv.contains("private words"), "notes only when ticked")
        XCTAssertFalse(plain.csv.contains("self-harm") || plain.html.contains("self-harm"), "never the crisis flag")
        XCTAssertTrue(plain.html.contains("<svg") && !plain.html.contains("<script"))
        let withNotes = try await kindred.clinicianSummary(SummaryParts(days: 7, notes: true))
        XCTAssertTrue(withNotes.csv.contains("private words"))
    }
}
