import Foundation
import XCTest
import Kindred

final class SafetyPlanTests: XCTestCase {
    func testAPlanIsWrittenStepByStepAndReadBackInThePlansOrder() async throws {
        let (kindred, _) = try await makeProfile(self)
        let empty = try await kindred.safetyPlan()
        XCTAssertEqual(empty.sections.map(\.step),
                       [.warningSigns, .coping, .distractions, .people, .professionals, .environment, .reasons])
        XCTAssertTrue(empty.sections.allSatisfy { $0.items.isEmpty })
        XCTAssertEqual(empty.section(.people)?.heading, "People I can ask for help")

        try await kindred.addSafetyPlanItem("My daughter", to: .reasons)
        try await kindred.addSafetyPlanItem("Not sleeping", to: .warningSigns)
        try await kindred.addSafetyPlanItem("Staying in my room", to: .warningSigns)
        let ana = try await kindred.addSafetyPlanItem("My sister Ana", to: .people, contact: "555 0101")
        XCTAssertEqual(ana.step, .people)
        XCTAssertEqual(ana.contact, "555 0101")
        XCTAssertLessThan(abs(ana.createdDate.timeIntervalSinceNow), 60)

        let plan = try await kindred.safetyPlan()
        XCTAssertEqual(plan.section(.warningSigns)?.items.map(\.text), ["Not sleeping", "Staying in my room"])
        XCTAssertEqual(plan.section(.warningSigns)?.takesContact, false)
        XCTAssertEqual(plan.section(.people)?.takesContact, true)
        XCTAssertEqual(plan.section(.people)?.items, [ana])
    }

    func testItemsAreEditedMovedAndRemovedInPlace() async throws {
        let (kindred, _) = try await makeProfile(self)
        var ids: [String] = []
        for name in ["Ana", "Bo", "Chidi"] {
            ids.append(try await kindred.addSafetyPlanItem(name, to: .people).id)
        }
        let edited = try await kindred.editSafetyPlanItem(id: ids[1], text: "Bo, my neighbour", contact: "555 0102")
        XCTAssertEqual(edited.contact, "555 0102")
        try await assertEqual(await kindred.editSafetyPlanItem(id: ids[1], text: "Bo, my neighbour").contact, nil)

        let moved = try await kindred.moveSafetyPlanItem(id: ids[2], to: 0)
        XCTAssertEqual(moved.items.map(\.text), ["Chidi", "Ana", "Bo, my neighbour"])
        try await assertEqual(await kindred.removeSafetyPlanItem(id: ids[0]).text, "Ana")
        try await assertEqual(await kindred.safetyPlan().section(.people)?.items.map(\.id), [ids[2], ids[1]])
        try await assertEqual(await kindred.clearSafetyPlan(), 2)
        try await assertEqual(await kindred.safetyPlan().sections.allSatisfy { $0.items.isEmpty }, true)
    }

    func testRefusalsAreTypedAndNeverQuoteThePlan() async throws {
        let (kindred, _) = try await makeProfile(self)
        await assertKindredError(
            try await kindred.addSafetyPlanItem("The pills are in the blue box", to: .coping, contact: "555 0199"),
            "InvalidInput on a contact for coping"
        ) {
            if case .InvalidInput(let field, let reason) = $0 {
                return field == "contact" && !reason.contains("blue box") && !reason.contains("555")
            }
            return false
        }
        await assertKindredError(try await kindred.addSafetyPlanItem("  ", to: .coping), "InvalidInput on blank text") {
            if case .InvalidInput(let field, _) = $0 { return field == "safety plan item" }
            return false
        }
        await assertKindredError(try await kindred.removeSafetyPlanItem(id: "not-an-id"), "InvalidInput on a bad id") {
            if case .InvalidInput(let field, _) = $0 { return field == "safety plan item id" }
            return false
        }
        await assertKindredError(try await kindred.removeSafetyPlanItem(id: unknownId), "NotFound") {
            if case .NotFound(let kind, _) = $0 { return kind == "safety plan item" }
            return false
        }
        let item = try await kindred.addSafetyPlanItem("Walk", to: .coping)
        await assertKindredError(try await kindred.moveSafetyPlanItem(id: item.id, to: 1), "InvalidInput past the end") {
            if case .InvalidInput(let field, _) = $0 { return field == "position" }
            return false
        }
    }

    func testThePlanExportsAsPlainTextAndSurvivesARestart() async throws {
        let dir = try makeTempDirectory(self)
        let first = try await Kindred.create(in: dir, displayName: "Amara")
        try await first.addSafetyPlanItem("My sister Ana", to: .people, contact: "555 0101")
        try await first.addSafetyPlanItem("Crisis line", to: .professionals, contact: "988")
        first.close()

        let kindred = try await Kindred.open(dir)
        defer { kindred.close() }
        let text = try await kindred.exportSafetyPlanText()
        XCTAssertTrue(text.hasPrefix("MY SAFETY PLAN\nPrinted on "), text)
        XCTAssertTrue(text.contains("4. People I can ask for help\n   - My sister Ana\n     Contact: 555 0101\n"), text)
        XCTAssertTrue(text.contains("5. Professionals and crisis lines I can contact\n   - Crisis line\n     Contact: 988\n"), text)
        XCTAssertFalse(text.contains("Amara"), text)
        try await assertEqual(await kindred.safetyPlan().sections.map(\.items.count).reduce(0, +), 2)
    }

    func testEveryChangeToThePlanIsAnUpdate() async throws {
        let (kindred, _) = try await makeProfile(self)
        let stream = try kindred.updates()
        let item = try await kindred.addSafetyPlanItem("Give the spare pills to Ana", to: .environment)
        try await kindred.editSafetyPlanItem(id: item.id, text: "Ana keeps the spare pills")
        try await kindred.removeSafetyPlanItem(id: item.id)
        let seen = try await withTimeout {
            var seen: [Update] = []
            for await update in stream {
                seen.append(update)
                if seen.count == 3 { break }
            }
            return seen
        }
        XCTAssertEqual(seen, [.safetyPlan, .safetyPlan, .safetyPlan])
    }
}
