import Foundation
import XCTest
import Kindred

final class GoalsAndCheckinsTests: XCTestCase {
    func testGoalProgressStatusAndListing() async throws {
        let (kindred, _) = try await makeProfile(self)
        let goal = try await kindred.createGoal("Morning walk", times: 3, per: .week)
        XCTAssertEqual(goal.cadence, Cadence(times: 3, period: .week))
        XCTAssertEqual(goal.status, .active)
        XCTAssertTrue(goal.isMine)
        XCTAssertNil(goal.groupId)
        XCTAssertEqual(goal.doneThisPeriod, 0)

        let first = try await kindred.logProgress(goalId: goal.id, note: "around the park")
        let second = try await kindred.logProgress(goalId: goal.id, amount: 2)
        XCTAssertEqual(first.goalId, goal.id)
        XCTAssertEqual(first.note, "around the park")
        XCTAssertLessThan(abs(second.date.timeIntervalSinceNow), 60)
        let updated = try await kindred.goal(id: goal.id)
        XCTAssertEqual(updated.doneThisPeriod, 3)
        XCTAssertEqual(updated.totalLogged, 3)
        let history = try await kindred.progress(goalId: goal.id)
        XCTAssertEqual(Set(history.map(\.id)), [first.id, second.id])
        XCTAssertEqual(history.map(\.amount).reduce(0, +), 3)

        try await assertEqual(await kindred.setGoalStatus(goalId: goal.id, to: .paused).status, .paused)
        try await assertEqual(await kindred.setGoalStatus(goalId: goal.id, to: .archived).status, .archived)
        try await assertEqual(await kindred.goals(), [], "archived goals are hidden by default")
        try await assertEqual(await kindred.goals(includeArchived: true).map(\.id), [goal.id])
        await assertKindredError(try await kindred.logProgress(goalId: goal.id), "NotPermitted on an archived goal") {
            if case .NotPermitted = $0 { return true }
            return false
        }
    }

    func testHabitStrengthGrowsWhenMetAndASkippedDayCostsNothing() async throws {
        let (kindred, _) = try await makeProfile(self)
        let walk = try await kindred.createGoal("Walk", times: 1, per: .day)
        try await assertEqual(await kindred.goalStrength(goalId: walk.id).strength, 0)
        try await kindred.logProgress(goalId: walk.id)
        let strength = try await kindred.goalStrength(goalId: walk.id)
        XCTAssertEqual(strength.strength, 5, "one day of a two-week half-life")
        XCTAssertEqual(strength.recent.last?.outcome, .met)
        try await assertEqual(await kindred.skipGoalDay(goalId: walk.id).strength, 5, "a skip costs nothing")
        await assertKindredError(try await kindred.skipGoalDay(goalId: walk.id, day: "someday"), "InvalidInput") {
            if case .InvalidInput = $0 { return true } else { return false }
        }

        // On chosen weekdays: Monday, Wednesday and Friday, kept in order without repeats.
        let swim = try await kindred.createGoal("Swim", cadence: Cadence(times: 1, period: .day, weekdays: [5, 1, 3, 3]))
        XCTAssertEqual(swim.cadence.weekdays, [1, 3, 5])
        await assertKindredError(
            try await kindred.createGoal("Run", cadence: Cadence(times: 1, period: .week, weekdays: [1])), "InvalidInput"
        ) {
            if case .InvalidInput = $0 { return true } else { return false }
        }
    }

    func testGoalSharedWithAGroup() async throws {
        let (kindred, _) = try await makeProfile(self)
        let group = try await kindred.createGroup(name: "Movers")
        let other = try await kindred.createGroup(name: "Readers")
        let shared = try await kindred.createGoal("Stretch", times: 1, per: .day, sharedWith: group.id)
        let personal = try await kindred.createGoal("Read", times: 2, per: .month)
        XCTAssertEqual(shared.groupId, group.id)
        try await assertEqual(await group.goals().map(\.id), [shared.id])
        try await assertEqual(await other.goals(), [])
        try await assertEqual(Set(await kindred.goals().map(\.id)), [shared.id, personal.id])
    }

    func testGroupGoalsListOnlyThatGroupsWhileProfileGoalsListAll() async throws {
        let (kindred, _) = try await makeProfile(self)
        let movers = try await kindred.createGroup(name: "Movers")
        let readers = try await kindred.createGroup(name: "Readers")
        let quiet = try await kindred.createGroup(name: "Quiet")
        let stretch = try await kindred.createGoal("Stretch", times: 1, per: .day, sharedWith: movers.id)
        let swim = try await kindred.createGoal("Swim", times: 2, per: .week, sharedWith: movers.id)
        let novel = try await kindred.createGoal("A novel", times: 1, per: .month, sharedWith: readers.id)
        let sleep = try await kindred.createGoal("Sleep early", times: 5, per: .week)

        let moversGoals = try await movers.goals()
        XCTAssertEqual(Set(moversGoals.map(\.id)), [stretch.id, swim.id])
        XCTAssertTrue(moversGoals.allSatisfy { $0.groupId == movers.id && $0.isMine })
        try await assertEqual(await readers.goals().map(\.id), [novel.id])
        try await assertEqual(await quiet.goals(), [])
        try await assertEqual(Set(await kindred.goals().map(\.id)), [stretch.id, swim.id, novel.id, sleep.id],
                              "the profile lists private goals and those shared with every group")

        // Archived: hidden from both listings by default, in both with includeArchived.
        try await kindred.setGoalStatus(goalId: swim.id, to: .archived)
        try await assertEqual(await movers.goals().map(\.id), [stretch.id])
        try await assertEqual(Set(await movers.goals(includeArchived: true).map(\.id)), [stretch.id, swim.id])
        try await assertEqual(Set(await kindred.goals().map(\.id)), [stretch.id, novel.id, sleep.id])
        try await assertEqual(Set(await kindred.goals(includeArchived: true).map(\.id)),
                              [stretch.id, swim.id, novel.id, sleep.id])

        // The same group found again by name lists the same goals.
        try await assertEqual(await kindred.group("Readers").goals().map(\.id), [novel.id])
    }

    func testCheckinsAndSummary() async throws {
        let (kindred, _) = try await makeProfile(self)
        let hourAgo = Date().addingTimeInterval(-3600)
        let a = try await kindred.recordCheckin(NewCheckin(mood: 2, energy: 1, sleepHours: 5.5, tags: ["rain", "work"],
                                                           note: "tired", at: Int64(hourAgo.timeIntervalSince1970 * 1000)))
        let b = try await kindred.recordCheckin(NewCheckin(mood: 4, energy: 3, tags: ["walk", "walk"]))
        XCTAssertEqual(a.tags, ["rain", "work"])
        XCTAssertEqual(b.tags, ["walk"], "tags are de-duplicated")
        XCTAssertEqual(a.sleepHours, 5.5)
        XCTAssertEqual(a.date.timeIntervalSince1970, hourAgo.timeIntervalSince1970, accuracy: 0.01)

        let window = try await kindred.checkins(from: hourAgo.addingTimeInterval(-60), to: Date().addingTimeInterval(60))
        XCTAssertEqual(window.map(\.id), [a.id, b.id], "oldest first")
        try await assertEqual(await kindred.checkins(from: hourAgo.addingTimeInterval(-120), to: hourAgo.addingTimeInterval(-60)), [])

        let summary = try await kindred.checkinSummary(from: hourAgo.addingTimeInterval(-60), to: Date().addingTimeInterval(60))
        let checkins = summary.daily.map(\.checkins).reduce(0, +)
        XCTAssertEqual(checkins, 2)
        XCTAssertEqual(summary.weekly.map(\.checkins).reduce(0, +), 2)
        let recent = try await kindred.recentCheckinSummary(days: 2)     // today and yesterday: both check-ins
        XCTAssertEqual(recent.daily.map(\.checkins).reduce(0, +), 2)
        if summary.daily.count == 1 {       // both on one calendar day (not across midnight)
            XCTAssertEqual(summary.daily.first?.mood ?? 0, 3, accuracy: 0.001)
            XCTAssertEqual(summary.daily.first?.energy ?? 0, 2, accuracy: 0.001)
        }
    }

    func testACheckinCarriesEmotionsActivitiesAndMedicationAndIsEditedAndDeleted() async throws {
        let (kindred, _) = try await makeProfile(self)
        let options = try await kindred.checkinOptions()
        XCTAssertEqual(options.moods.map(\.value), [1, 2, 3, 4, 5])
        XCTAssertTrue(options.moods.allSatisfy { !$0.emoji.isEmpty && !$0.label.isEmpty })
        let recorded = try await kindred.recordCheckin(
            NewCheckin(mood: 2, emotions: ["anxious", "tired"], activities: ["walk"], medicationTaken: true))
        XCTAssertEqual(recorded.emotions, ["anxious", "tired"])
        XCTAssertEqual(recorded.medicationTaken, true)
        let edited = try await kindred.editCheckin(id: recorded.id, NewCheckin(mood: 4, activities: ["time with others"]))
        XCTAssertEqual(edited.id, recorded.id)
        XCTAssertEqual(edited.at, recorded.at)
        XCTAssertNil(edited.medicationTaken)
        try await kindred.deleteCheckin(id: recorded.id)
        try await assertEqual(await kindred.recentCheckins(days: 1), [])
        try await assertEqual(await kindred.setCheckinChoices(["gardening", "choir"], for: .activity), ["gardening", "choir"])
        try await assertEqual(await kindred.checkinOptions().activities, ["gardening", "choir"])
    }

    func testACheckinIsSharedWithAGroupAsChosenItsNoteOnlyWhenAsked() async throws {
        let (kindred, _) = try await makeProfile(self)
        let group = try await kindred.createGroup(name: "Circle")
        let checkin = try await kindred.recordCheckin(NewCheckin(mood: 4, note: "private words", activities: ["walk"]))
        try await assertEqual(await group.shareCheckin(id: checkin.id, as: .emoji).text, "🙂")
        try await assertEqual(await group.shareCheckin(id: checkin.id, as: .summary).text, "🙂 Feeling good · walk")
        try await assertEqual(await group.shareCheckin(id: checkin.id, as: .emoji, withNote: true).text, "🙂\n\nprivate words")
        let result = try await kindred.takeInstrument("phq9", answers: [1, 1, 1, 1, 1, 1, 1, 1, 3]).result
        try await assertEqual(await group.shareInstrumentResult(id: result.id).text, "My PHQ-9: 11 of 27, moderate")
    }
}
