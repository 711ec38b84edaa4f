package org.kindred

import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.ReceiveChannel
import kotlinx.coroutines.channels.SendChannel
import kotlinx.coroutines.flow.filterIsInstance
import kotlinx.coroutines.flow.first
import org.kindred.core.KindredException
import org.kindred.core.SyncSession
import org.kindred.core.model.CadencePeriod
import org.kindred.core.model.MemberControl
import org.kindred.core.model.ModerationKind
import org.kindred.core.model.PendingJoin
import org.kindred.core.model.Premoderation
import org.kindred.core.model.Refusal
import org.kindred.core.model.ReportReason
import org.kindred.core.model.ResourceMatch
import org.kindred.core.model.SyncReport
import org.kindred.core.model.Update
import java.io.EOFException
import kotlin.experimental.xor
import kotlin.io.path.createDirectories
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** An invitation's validity in the tests: one hour. */
private const val HOUR_MS = 3_600_000L

/** Alice, Bob and Carol, each with a new profile in a directory of their own, closed and removed afterwards. */
private fun withPeople(block: suspend CoroutineScope.(alice: Kindred, bob: Kindred, carol: Kindred) -> Unit) =
    withTempDir { dir ->
        suspend fun person(name: String) =
            Kindred.create(dir.resolve(name.lowercase()).createDirectories().toString(), name)
        person("Alice").use { alice ->
            person("Bob").use { bob -> person("Carol").use { carol -> block(alice, bob, carol) } }
        }
    }

/** How both ends of one session over an in-memory link ended: each with its report, or with what it threw. */
private class Ends(val dialler: Result<SyncReport>, val listener: Result<SyncReport>) {
    /** Both reports (dialler's first), failing the test with the first end's exception if an end failed. */
    fun reports(): Pair<SyncReport, SyncReport> = dialler.getOrThrow() to listener.getOrThrow()
}

/**
 * Runs [dialling] and [accepting] against each other, each end's [runOver] in its own coroutine, over an in-memory
 * link: two channels that carry whole frames in order. An end closes its sending side when it stops (finished or
 * failed), as a real link would be closed, so the other end sees the link close instead of waiting forever. [tamper]
 * may change the dialler's frames (numbered from 0) on their way. Fails the test if it takes longer than [WAIT_MS].
 */
private suspend fun carry(
    dialling: SyncSession,
    accepting: SyncSession,
    tamper: (index: Int, frame: ByteArray) -> ByteArray = { _, frame -> frame },
): Ends = soon {
    val there = Channel<ByteArray>(Channel.UNLIMITED)
    val back = Channel<ByteArray>(Channel.UNLIMITED)
    var sent = 0
    val dialler = async(Dispatchers.Default) { dialling.end(there, back) { tamper(sent++, it) } }
    val listener = async(Dispatchers.Default) { accepting.end(back, there) { it } }
    Ends(dialler.await(), listener.await())
}

/** One end of the link in [carry]: [runOver] with frames to [out] (through [tamper]) and from [into]. */
private suspend fun SyncSession.end(
    out: SendChannel<ByteArray>,
    into: ReceiveChannel<ByteArray>,
    tamper: (ByteArray) -> ByteArray,
): Result<SyncReport> = try {
    Result.success(runOver(send = { out.send(tamper(it)) }, receive = { into.receiveCatching().getOrNull() }))
} catch (e: CancellationException) {
    throw e
} catch (e: Exception) {
    Result.failure(e)
} finally {
    out.close()
}

/** Syncs [dialler] (expecting [peer], if given) with [listener]; returns both reports, the dialler's first. */
private suspend fun sync(dialler: Kindred, listener: Kindred, peer: String? = null): Pair<SyncReport, SyncReport> =
    dialler.connectSync(peer).use { dialling -> listener.acceptSync().use { carry(dialling, it).reports() } }

/** [invitee] joins [owner]'s [group] with an invitation and a sync with [owner]; returns their handle to it. */
private suspend fun join(invitee: Kindred, owner: Kindred, group: Group): Group {
    invitee.joinGroup(group.createInvite(validForMs = HOUR_MS))
    assertEquals(listOf(group.id()), sync(invitee, owner).first.joinedGroups)
    return invitee.group(group.id())
}

private fun ByteArray.flipped(at: Int): ByteArray = copyOf().also { it[at] = it[at] xor 1 }

class SyncTest {
    @Test
    fun `an invitee joins at the first sync and gets the group with its earlier messages`() =
        withPeople { alice, bob, carol ->
            val group = alice.createGroup("Tuesday circle", description = "A weekly check-in")
            val earlier = listOf(group.post("Welcome, everyone"), group.post("We meet on Tuesdays"))
            val code = group.createInvite(validForMs = HOUR_MS)

            val pending = bob.joinGroup(code)
            assertEquals(PendingJoin(group.id(), "Tuesday circle", alice.info().memberId), pending)
            assertEquals(listOf(pending), bob.pendingJoins())
            assertTrue(bob.groups().isEmpty(), "the group only arrives at the first sync")
            val arrived = async(Dispatchers.Unconfined) { bob.updates().filterIsInstance<Update.Group>().first() }

            val (bobs, alices) = sync(bob, alice)
            assertEquals(Update.Group(group.id()), soon { arrived.await() }, "the new group is announced")
            assertEquals(listOf(group.id()), bobs.joinedGroups)
            assertEquals(alice.info().memberId, bobs.peer)
            assertEquals(bob.info().memberId, alices.peer)
            assertTrue(alices.joinedGroups.isEmpty())
            assertEquals(listOf(bob.info().memberId), alices.admittedMembers)
            assertTrue(bobs.joinRefusals.isEmpty() && bobs.largestFrame > 0u && bobs.duplicates == 0uL)
            assertTrue(bobs.changesApplied > 0u && alices.changesSent > 0u, "$bobs / $alices")
            assertFalse(bobs.nothingNew || alices.nothingNew)
            assertEquals(bobs.bytesSent, alices.bytesReceived)
            assertEquals(alices.bytesSent, bobs.bytesReceived)

            assertEquals(listOf(group.id() to "Tuesday circle"), bob.groups().map { it.id to it.name })
            val bobsGroup = bob.group(group.id())
            assertEquals("A weekly check-in", bobsGroup.details().description)
            val messages = bobsGroup.messages()
            assertEquals(earlier.map { it.id to it.text }, messages.map { it.id to it.text })
            assertEquals(listOf("Alice", "Alice"), messages.map { it.authorName })
            assertTrue(messages.none { it.isMine })
            assertTrue(bob.pendingJoins().isEmpty())
            val members = setOf(alice.info().memberId, bob.info().memberId)
            assertEquals(members, bobsGroup.details().members.map { it.memberId }.toSet())
            assertEquals(members, group.details().members.map { it.memberId }.toSet(), "Alice admitted Bob")

            // The code is single-use: Carol, trying it too, is told why at her sync and keeps it pending.
            carol.joinGroup(code)
            val (carols, _) = sync(carol, alice)
            assertTrue(carols.joinedGroups.isEmpty())
            assertEquals(listOf(group.id()), carols.joinRefusals.map { it.groupId })
            assertTrue(carols.joinRefusals.single().reason.isNotBlank())
            assertEquals(listOf(group.id()), carol.pendingJoins().map { it.groupId })
        }

    @Test
    fun `a message that arrives by sync is announced on the updates flow`() = withPeople { alice, bob, _ ->
        val group = alice.createGroup("Circle")
        val bobsGroup = join(bob, alice, group)
        val announced = async(Dispatchers.Unconfined) {
            bob.updates(bobsGroup).filterIsInstance<Update.Messages>().first()
        }

        val message = group.post("Did everyone get home safe?")
        sync(alice, bob, peer = bob.info().memberId)

        val update = soon { announced.await() }
        assertEquals(group.id(), update.groupId)
        assertTrue(message.id in update.messageIds, "$update should name ${message.id}")
        assertEquals("Did everyone get home safe?", bobsGroup.message(message.id).text)
    }

    @Test
    fun `a reconnect with nothing new says so on both sides and costs few bytes`() = withPeople { alice, bob, _ ->
        val group = alice.createGroup("Circle")
        val bobsGroup = join(bob, alice, group)
        bobsGroup.post("Hello from Bob")
        sync(bob, alice)

        // Knowing the peer (Noise KK), and not (XX, as a stranger would dial).
        for (peer in listOf(bob.info().memberId, null)) {
            val (alices, bobs) = sync(alice, bob, peer)
            println(
                "nothing-new reconnect (${if (peer == null) "XX" else "KK"}): dialler sent ${alices.bytesSent} B in " +
                    "${alices.framesSent} frames, listener ${bobs.bytesSent} B in ${bobs.framesSent} frames",
            )
            assertTrue(alices.nothingNew && bobs.nothingNew, "$alices / $bobs")
            assertEquals(0uL, alices.changesApplied + bobs.changesApplied + alices.changesSent + bobs.changesSent)
            assertTrue(alices.bytesSent < 1_000u && bobs.bytesSent < 1_000u, "$alices / $bobs")
            assertEquals(alices.bytesSent, bobs.bytesReceived)
            assertEquals(bobs.bytesSent, alices.bytesReceived)
            assertEquals(bob.info().memberId, alices.peer)
            assertEquals(alice.info().memberId, bobs.peer)
        }
    }

    @Test
    fun `a bad frame is Rejected and fresh sessions still sync`() = withPeople { alice, bob, _ ->
        val group = alice.createGroup("Circle")
        val bobsGroup = join(bob, alice, group)
        val garbage = byteArrayOf(0x7f, 1, 2, 3, 4, 5, 6, 7)

        alice.acceptSync().use { session ->
            val refused = assertFailsWith<KindredException.Rejected> { session.receive(garbage) }
            // Code acts on the kind; the reason is words for logs.
            assertEquals(Refusal.MALFORMED, refused.kind, refused.reason)
            // The Rust error's sentence is toString(); `message` is uniffi's "kind=..., reason=...".
            assertEquals("refused data from a peer (malformed): ${refused.reason}", refused.toString())
            assertFalse(session.isFinished())
            assertNull(session.peer())
            // The session is over for good, even for a genuine first frame.
            val genuine = bob.connectSync(alice.info().memberId).use { it.takeOutgoing().single() }
            val again = assertFailsWith<KindredException.Rejected> { session.receive(genuine) }
            assertEquals(Refusal.MALFORMED, again.kind, "the refusal that closed it, repeated: ${again.reason}")
        }
        bob.connectSync().use { session ->
            assertFailsWith<KindredException.Rejected> { session.receive(garbage) }
            assertTrue(session.takeOutgoing().isEmpty())
        }

        // A frame damaged on the way (Bob's second, the first encrypted): Alice refuses it, Bob sees the link close.
        val lost = group.post("Sent while the link was bad")
        val ends = bob.connectSync(alice.info().memberId).use { dialling ->
            alice.acceptSync().use { accepting ->
                carry(dialling, accepting) { index, frame -> if (index == 1) frame.flipped(frame.size / 2) else frame }
            }
        }
        val damaged = assertIs<KindredException.Rejected>(ends.listener.exceptionOrNull(), "${ends.listener}")
        assertEquals(Refusal.FORGED, damaged.kind, damaged.reason)
        assertIs<EOFException>(ends.dialler.exceptionOrNull(), "${ends.dialler}")

        // Nothing is stuck: fresh sessions carry everything, both ways.
        val (bobs, _) = sync(bob, alice, peer = alice.info().memberId)
        assertTrue(bobs.changesApplied > 0u, "$bobs")
        assertEquals(lost.id, bobsGroup.messages().last().id)
        val reply = bobsGroup.post("Got it now")
        val (alices, _) = sync(alice, bob)
        assertTrue(alices.changesApplied > 0u, "$alices")
        assertEquals(reply.id, group.messages().last().id)
    }

    @Test
    fun `rules are accepted before posting, a suspension holds until lifted, and a newcomer's post waits for approval`() =
        withPeople { alice, bob, carol ->
            val group = alice.createGroup("Circle", guidelines = "Be kind.")
            val bobsGroup = join(bob, alice, group)
            assertFalse(bobsGroup.rules().accepted)
            assertTrue(bobsGroup.postingStatus().mustAcceptRules)
            assertFailsWith<KindredException.NotPermitted> { bobsGroup.post("hello") }
            assertTrue(bobsGroup.acceptRules().accepted)
            bobsGroup.post("hello")
            sync(bob, alice)

            val suspension = group.suspendMember(bob.info().memberId, days = 2, why = "cool off")
            assertEquals(ModerationKind.SUSPEND, suspension.kind)
            assertNotNull(suspension.until)
            sync(bob, alice)
            assertTrue(bobsGroup.postingStatus().suspended)
            assertFailsWith<KindredException.NotPermitted> { bobsGroup.post("let me") }
            group.liftSuspension(bob.info().memberId, "talked it through")
            sync(bob, alice)
            bobsGroup.post("sorry")
            sync(bob, alice)
            assertEquals(listOf("hello", "sorry"), group.messages().map { it.text })

            group.setPremoderation(Premoderation.UntilApproved(1u))
            assertEquals(Premoderation.UntilApproved(1u), group.premoderation())
            val carolsGroup = join(carol, alice, group)
            carolsGroup.acceptRules()
            assertTrue(carolsGroup.postingStatus().premoderated)
            val waiting = carolsGroup.post("new here")
            assertTrue(waiting.awaitingApproval)
            sync(carol, alice)
            sync(bob, alice)
            assertTrue(bobsGroup.messages().none { it.id == waiting.id })
            assertFailsWith<KindredException.NotPermitted> { bobsGroup.approveMessage(waiting.id) }
            group.approveMessage(waiting.id)
            sync(bob, alice)
            assertTrue(bobsGroup.messages().any { it.id == waiting.id })
            val kinds = group.moderationLog().map { it.kind }
            val expected = listOf(
                ModerationKind.APPROVE,
                ModerationKind.POLICY,
                ModerationKind.LIFT,
                ModerationKind.SUSPEND,
                ModerationKind.RULES,
            )
            assertEquals(expected, kinds)
        }

    @Test
    fun `an erased message leaves every phone, a moderator erases what must not stay, and a member leaves erasing`() =
        withPeople { alice, bob, carol ->
            val group = alice.createGroup("Circle")
            val bobsGroup = join(bob, alice, group)
            val carolsGroup = join(carol, alice, group)
            val mine = bobsGroup.post("my address is 12 Hill Road")
            val doxx = carolsGroup.post("bob lives at 12 Hill Road")
            sync(bob, alice)
            sync(carol, alice)
            assertEquals("my address is 12 Hill Road", group.message(mine.id).text)
            assertTrue(bobsGroup.eraseMessage(mine.id).removed)
            val entry = group.eraseMessageFor(doxx.id, "someone's address")
            assertEquals(ModerationKind.ERASE, entry.kind)
            assertFalse("Hill" in entry.why, "the log never holds the words")
            assertFailsWith<KindredException.NotPermitted> { carolsGroup.eraseMessageFor(mine.id, "no") }
            sync(bob, alice)
            sync(carol, alice)
            for (g in listOf(group, carolsGroup)) {
                val m = g.message(mine.id)
                assertTrue(m.removed && !m.erasedByModerator && m.text.isEmpty())
            }
            val erased = carolsGroup.message(doxx.id)
            assertTrue(erased.removed && erased.erasedByModerator && erased.text.isEmpty())
            assertFailsWith<KindredException.NotPermitted> { group.leave() }
            val kept = carolsGroup.post("one more thing")
            carolsGroup.leave(erase = true)
            sync(carol, alice)
            assertFalse(group.details().members.any { it.memberId == carol.info().memberId })
            assertTrue(group.message(kept.id).removed)
        }

    @Test
    fun `a rate limit stops a member after N posts until someone else writes, on every phone`() =
        withPeople { alice, bob, carol ->
            val group = alice.createGroup("Circle")
            val bobsGroup = join(bob, alice, group)
            val carolsGroup = join(carol, alice, group)
            assertFailsWith<KindredException.NotPermitted> { bobsGroup.setRateLimit(1) }
            assertFailsWith<KindredException.InvalidInput> { group.setRateLimit(101) }
            assertEquals(ModerationKind.POLICY, group.setRateLimit(2).kind)
            sync(bob, alice)
            assertEquals(2u, bobsGroup.postingStatus().rateLimit)
            bobsGroup.post("one")
            bobsGroup.post("two")
            assertTrue(bobsGroup.postingStatus().rateLimited)
            assertFailsWith<KindredException.NotPermitted> { bobsGroup.post("three") }
            sync(carol, alice)
            carolsGroup.post("hello Bob")
            sync(carol, alice)
            sync(bob, alice)
            assertFalse(bobsGroup.postingStatus().rateLimited)
            bobsGroup.post("three")
            sync(bob, alice)
            assertEquals(listOf("hello Bob", "one", "three", "two"), group.messages().map { it.text }.sorted())
            group.setRateLimit(null)
            sync(bob, alice)
            assertNull(bobsGroup.postingStatus().rateLimit)
        }

    @Test
    fun `a report is sealed for the moderators and a warning for its member, and ordinary members read neither`() =
        withPeople { alice, bob, carol ->
            val group = alice.createGroup("Circle")
            val bobsGroup = join(bob, alice, group)
            val carolsGroup = join(carol, alice, group)
            val hostile = bobsGroup.post("you are all pathetic")
            sync(bob, alice)
            sync(carol, alice)
            val reportId = carolsGroup.reportMessage(hostile.id, ReportReason.HOSTILE, "aimed at me")
            assertEquals(32, reportId.length)
            assertFailsWith<KindredException.InvalidInput> { bobsGroup.reportMessage(hostile.id, ReportReason.SPAM) }
            assertFailsWith<KindredException.NotPermitted> { carolsGroup.reports() }
            // Sealed items leave at this phone's next slot (twice a day), so nothing has reached Alice yet.
            sync(carol, alice)
            assertTrue(group.reports().isEmpty())
            assertEquals(ModerationKind.POLICY, group.setReportThreshold(3).kind)
            val warning = group.warnMember(bob.info().memberId, "Please keep it kind.")
            assertEquals(ModerationKind.WARN, warning.kind)
            assertFalse("kind." in warning.why, "the words are sealed, not in the log")
            assertFailsWith<KindredException.NotPermitted> { carolsGroup.warnMember(bob.info().memberId, "no") }
            assertTrue(bobsGroup.warnings().isEmpty())
            group.muteReporter(carol.info().memberId)
            assertFailsWith<KindredException.NotFound> { group.dismissReport("00".repeat(16)) }
        }

    @Test
    fun `a moderator hides a message for the group, its author reads why, and personal controls stay on one phone`() =
        withPeople { alice, bob, carol ->
            val group = alice.createGroup("Circle")
            val bobsGroup = join(bob, alice, group)
            val carolsGroup = join(carol, alice, group)
            val hostile = bobsGroup.post("you are all pathetic")
            sync(bob, alice)
            val entry = group.hideMessage(hostile.id, "hostile to the group")
            assertEquals(ModerationKind.HIDE, entry.kind)
            sync(carol, alice)
            sync(bob, alice)
            val seenByCarol = carolsGroup.messages().single { it.id == hostile.id }
            assertEquals("", seenByCarol.text, "hidden from the group")
            assertNull(seenByCarol.moderation?.why)
            val seenByBob = bobsGroup.messages().single { it.id == hostile.id }
            assertEquals("you are all pathetic", seenByBob.text)
            assertEquals("hostile to the group", seenByBob.moderation?.why)
            assertTrue("not a judgement" in bobsGroup.hiddenMessageHelp(hostile.id).explanation)
            assertFailsWith<KindredException.NotPermitted> { carolsGroup.moderationLog() }
            assertFailsWith<KindredException.NotPermitted> { carolsGroup.hideMessage(hostile.id, "no") }
            assertEquals(listOf("hostile to the group"), group.moderationLog().map { it.why })
            group.restoreMessage(hostile.id, "talked it through")
            assertNull(group.messages().single { it.id == hostile.id }.moderation)
            val removal = group.removeMemberFor(bob.info().memberId, "a pause after repeated hostility")
            assertEquals(ModerationKind.REMOVE, removal.kind)
            assertNull(removal.messageId)
            assertEquals(ModerationKind.READD, group.readdMember(bob.info().memberId, "back after a talk").kind)
            assertEquals(4, group.moderationLog().size)

            // Carol mutes Bob on her phone: his posts leave her timeline; nobody else is affected or told.
            val hello = bobsGroup.post("hello")
            sync(bob, alice)
            sync(carol, alice)
            val bobsId = bob.info().memberId
            carol.setMemberControl(bobsId, MemberControl.MUTED)
            assertTrue(carolsGroup.messages().none { it.id == hello.id })
            assertTrue(group.messages().any { it.id == hello.id })
            assertEquals(MemberControl.MUTED, carol.mutedMembers().single().control)
            assertEquals(listOf("spoiler"), carol.muteWord("Spoiler"))
            assertTrue(carol.foldWarnings())
            carol.setMemberControl(bobsId, MemberControl.NONE)
            assertTrue(carolsGroup.messages().any { it.id == hello.id })
        }

    @Test
    fun `cheers and a group goal reach the group, but not who fell short`() = withPeople { alice, bob, carol ->
        val group = alice.createGroup("Circle")
        val walk = alice.createGoal("Walk", times = 3, period = CadencePeriod.WEEK, shareWith = group)
        val together = group.createGroupGoal("Move a little more")
        val bobsGroup = join(bob, alice, group)
        val carolsGroup = join(carol, alice, group)

        // Bob cheers Alice's walk; Alice cannot cheer her own.
        assertEquals(listOf("Bob"), bob.cheerGoal(walk.id).map { it.name })
        assertFailsWith<KindredException.NotPermitted> { alice.cheerGoal(walk.id) }

        // Bob meets his own target this week; Carol joins and does not. The group sees one, never who.
        val bobs = bob.joinGroupGoal(together.id, times = 1, period = CadencePeriod.WEEK)
        assertEquals(together.id, bobs.groupGoal)
        assertNull(bobs.groupId, "one's own target is private")
        bob.logProgress(bobs.id)
        carol.joinGroupGoal(together.id, times = 5, period = CadencePeriod.WEEK)
        sync(bob, alice)
        sync(carol, alice)
        assertEquals(listOf("Bob"), alice.goalCheers(walk.id).map { it.name })
        for (handle in listOf(group, bobsGroup, carolsGroup)) {
            val goals = handle.groupGoals()
            assertEquals(listOf(together.id), goals.map { it.id })
            assertEquals(1u, goals.single().weeks.last().met)
        }
        assertEquals(listOf(walk.id), alice.goals(false).map { it.id }, "no one else's own target reaches Alice")
        assertNotNull(alice.endGroupGoal(together.id).endedAt)
    }

    @Test
    fun `a bundle carries a member's messages to an offline member, and importing it twice is harmless`() =
        withPeople { alice, bob, carol ->
            val group = alice.createGroup("Circle")
            val carolsCode = group.createInvite(validForMs = HOUR_MS)
            val bobsGroup = join(bob, alice, group)
            // Carol is admitted by Bob, a plain member: any member who holds the invitation's record can.
            carol.joinGroup(carolsCode)
            val (carols, _) = sync(carol, bob)
            assertEquals(listOf(group.id()), carols.joinedGroups)
            val carolsGroup = carol.group(group.id())

            // Carol is offline; Bob posts and hands her a file.
            val note = bobsGroup.post("Notes from tonight, for Carol")
            assertTrue(carolsGroup.messages().none { it.id == note.id })
            val bundle = bobsGroup.exportBundle()
            println("bundle: ${bundle.size} B")

            val first = carol.importBundle(bundle)
            assertEquals(group.id(), first.groupId)
            assertTrue(first.report.applied > 0u, "$first")
            assertEquals(0uL, first.report.quarantined)
            val seen = carolsGroup.messages()
            assertEquals("Notes from tonight, for Carol", seen.single { it.id == note.id }.text)
            assertEquals("Bob", seen.single { it.id == note.id }.authorName)

            val again = carol.importBundle(bundle)
            assertEquals(group.id(), again.groupId)
            assertEquals(0uL, again.report.applied, "$again")
            assertTrue(again.report.duplicates > 0u, "$again")
            assertEquals(0uL, again.report.quarantined)
            assertEquals(seen, carolsGroup.messages())
        }

    @Test
    fun `dialling a member by id works with that member and fails with anyone else`() =
        withPeople { alice, bob, carol ->
            val group = alice.createGroup("Circle")
            join(bob, alice, group)
            val bobId = bob.info().memberId

            val (alices, bobs) = sync(alice, bob, peer = bobId)
            assertEquals(bobId, alices.peer)
            assertEquals(alice.info().memberId, bobs.peer)

            // Carol answers instead: Alice refuses her before revealing who she is.
            alice.connectSync(peer = bobId).use { dialling ->
                carol.acceptSync().use { accepting ->
                    val ends = carry(dialling, accepting)
                    val refused = assertIs<KindredException.Rejected>(ends.dialler.exceptionOrNull(), "${ends.dialler}")
                    println("dialling Bob, answered by Carol: $refused")
                    assertEquals(Refusal.FORGED, refused.kind, refused.reason)
                    assertIs<EOFException>(ends.listener.exceptionOrNull(), "${ends.listener}")
                    assertNull(dialling.peer())
                    assertNull(accepting.peer(), "Carol never learnt who dialled")
                }
            }
            assertTrue(carol.groups().isEmpty())

            assertFailsWith<KindredException.InvalidInput> { alice.connectSync(peer = "not a member id") }
        }

    @Test
    fun `a session of a closed profile stops with Closed`() = withPeople { alice, bob, _ ->
        alice.connectSync().use { dialling ->
            bob.acceptSync().use { accepting ->
                accepting.receive(dialling.takeOutgoing().first())
                val reply = accepting.takeOutgoing()
                alice.close()
                assertFailsWith<KindredException.Closed> { dialling.receive(reply.first()) }
            }
        }
    }

    @Test
    fun `a directory the owner publishes reaches a member by sync, and the owner's mark decides`() =
        withPeople { alice, bob, _ ->
            val group = alice.createGroup("Circle")
            join(bob, alice, group)
            val file = exampleDirectoryFile()
            val publisher = alice.importResourceDirectory(file).publisher
            alice.removeResourceDirectory(publisher)

            // Only a publisher the owner trusts, and only owners and moderators publish.
            assertFailsWith<KindredException.NotPermitted> { group.publishResourceDirectory(file) }
            val trusted = group.trustPublisher(publisher, true)
            assertEquals(listOf(publisher), trusted.trustedPublishers)
            assertTrue(group.publishResourceDirectory(file).installed)
            assertFailsWith<KindredException.NotPermitted> { bob.group(group.id()).publishResourceDirectory(file) }

            sync(bob, alice)
            val held = bob.resourceDirectories().single()
            assertEquals(listOf(group.id()), held.groups)
            assertFalse(held.imported)
            assertTrue(held.example)
            val found = bob.crisisResources("KE-30", "sw")
            assertEquals(ResourceMatch.SUBDIVISION, found.matched)
            assertEquals("EXAMPLE Nairobi walk-in centre", found.entries.first().entry.name)

            // The owner takes the mark back: the directory goes on Bob's phone too.
            assertTrue(group.trustPublisher(publisher, false).trustedPublishers.isEmpty())
            sync(bob, alice)
            assertTrue(bob.resourceDirectories().isEmpty())
            assertEquals(ResourceMatch.NOTHING, bob.crisisResources("KE-30", "sw").matched)
        }
}
