import Foundation
import XCTest
import Kindred

final class CrisisCheckTests: XCTestCase {
    func testARiskyDraftOffersThePlanOnceItHasAnItemAndAnOrdinaryOneNothing() async throws {
        let (kindred, _) = try await makeProfile(self)
        let risky = "honestly i just want to dieee"
        let first = try await kindred.checkDraft(risky, language: "en")
        XCTAssertTrue(first.risk)
        XCTAssertEqual(first.matches.first?.category, "suicidal_ideation")
        XCTAssertEqual(first.matches.first?.language, "en")
        XCTAssertNil(first.safetyPlan, "an empty plan is not offered")

        try await kindred.addSafetyPlanItem("My sister Ana", to: .people, contact: "555 0101")
        let offered = try await kindred.checkDraft(risky)
        XCTAssertTrue(offered.risk)
        XCTAssertEqual(offered.safetyPlan?.section(.people)?.items.map(\.text), ["My sister Ana"])

        let ordinary = try await kindred.checkDraft("this week is killing me, see you Tuesday", language: "en")
        XCTAssertFalse(ordinary.risk)
        XCTAssertEqual(ordinary.matches, [])
        XCTAssertNil(ordinary.safetyPlan)
    }

    func testAReaderGetsGuidanceOnRiskOnlyAndOverlongTextIsInvalidInput() async throws {
        let (kindred, _) = try await makeProfile(self)
        let reading = try await kindred.checkReceived("ya no quiero vivir", language: "es")
        XCTAssertTrue(reading.risk)
        XCTAssertFalse(reading.guidance.isEmpty)
        XCTAssertEqual(reading.guidanceLanguage, "es")
        let calm = try await kindred.checkReceived("see you Tuesday")
        XCTAssertFalse(calm.risk)
        XCTAssertTrue(calm.guidance.isEmpty)

        do {
            _ = try await kindred.checkDraft(String(repeating: "a", count: 4001))
            XCTFail("an over-long draft should be InvalidInput")
        } catch KindredError.InvalidInput(let field, let reason) {
            XCTAssertEqual(field, "draft text")
            XCTAssertFalse(reason.contains("aaaa"))
        }

        try await kindred.setCrisisPhrases("language: en\n[plan_or_means]\nblue .. balloon\n")
        try await assertEqual(await kindred.checkDraft("the blue balloon is ready", language: "en").risk, true)
        try kindred.resetCrisisPhrases()
        try await assertEqual(await kindred.checkDraft("the blue balloon is ready", language: "en").risk, false)
    }
}
