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

    func testAnImportedDirectoryServesThePersonsRegionAndAForgedOneIsRefused() async throws {
        let (kindred, _) = try await makeProfile(self)
        try await assertEqual(await kindred.crisisResources(region: "KE", language: "sw").matched, .nothing)
        try await assertEqual(await kindred.checkDraft("nataka kujiua", language: "sw").resources, [], "nothing invented")

        let file = try exampleDirectoryFile()
        let imported = try await kindred.importResourceDirectory(file)
        XCTAssertTrue(imported.installed)
        XCTAssertEqual(imported.entries, 6)
        try await assertEqual(await kindred.importResourceDirectory(file).installed, false, "the same file: no change")
        let listed = try await kindred.resourceDirectories()
        XCTAssertEqual(listed.count, 1)
        XCTAssertTrue(listed[0].imported && listed[0].example && listed[0].groups.isEmpty)

        try await assertEqual(await kindred.region(), nil)
        try await assertEqual(await kindred.setRegion("ke-30"), "KE-30")
        await assertKindredError(try await kindred.setRegion("Kenya"), "InvalidInput") {
            if case .InvalidInput(field: "region", _) = $0 { return true } else { return false }
        }
        let found = try await kindred.crisisResources(region: try await kindred.region(), language: "sw")
        XCTAssertEqual(found.matched, .subdivision)
        let draft = try await kindred.checkDraft("nataka kujiua", language: "sw")
        XCTAssertEqual(draft.resources.first?.entry.name, "EXAMPLE Nairobi walk-in centre")
        XCTAssertTrue(draft.resources.allSatisfy(\.example))
        let reading = try await kindred.checkReceived("nataka kujiua", language: "sw")
        XCTAssertEqual(reading.resources.first?.entry.name, "EXAMPLE Nairobi walk-in centre", "services to share")
        try await assertEqual(await kindred.checkReceived("tuonane Jumanne", language: "sw").resources, [])

        var forged = file
        forged[forged.count - 1] ^= 1
        await assertKindredError(try await kindred.importResourceDirectory(forged), "Rejected: forged") {
            if case .Rejected(kind: .forged, _) = $0 { return true } else { return false }
        }
        try await kindred.removeResourceDirectory(publisher: imported.publisher)
        try await assertEqual(await kindred.resourceDirectories(), [])
    }
}
