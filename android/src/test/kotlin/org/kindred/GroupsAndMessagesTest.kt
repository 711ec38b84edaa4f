package org.kindred

import org.kindred.core.NewMessage
import org.kindred.core.model.NewGroup
import org.kindred.core.model.Role
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

class GroupsAndMessagesTest {
    @Test
    fun `a new group is listed with this profile as its owner and resolves by name`() = withKindred { kindred ->
        val group = kindred.createGroup(NewGroup(name = "Tuesday circle", guidelines = "Be kind"))
        val details = group.details()
        assertEquals(group.id(), details.id)
        assertEquals("Tuesday circle", details.name)
        assertEquals("Be kind", details.guidelines)
        assertEquals(kindred.info().memberId, details.createdBy)
        assertEquals(listOf(Role.OWNER), details.members.map { it.role })

        val summary = kindred.groups().single()
        assertEquals(details.id, summary.id)
        assertEquals(Role.OWNER, summary.myRole)
        assertEquals(1u, summary.memberCount)
        assertNull(summary.lastMessageAt)

        assertEquals(details.id, kindred.group("Tuesday circle").id())
        assertEquals(details, kindred.group(details.id).details())
    }

    @Test
    fun `posting, replying, reacting, editing and removing are all read back`() = withKindred { kindred ->
        val group = kindred.createGroup("Tuesday circle")
        val first = group.post("How was everyone's week?")
        assertTrue(first.isMine)
        assertEquals("Ada", first.authorName)
        assertFalse(first.removed)

        val reply = group.post(NewMessage(text = "Better than last week", replyTo = first.id))
        assertEquals(first.id, reply.replyTo)
        val warned = group.post("A hard day", contentWarning = "grief")
        assertEquals("grief", warned.contentWarning)

        val reacted = group.react(first.id, "💛")
        assertEquals(listOf(Triple("💛", 1u, true)), reacted.reactions.map { Triple(it.emoji, it.count, it.mine) })
        assertTrue(group.react(first.id, null).reactions.isEmpty(), "a reaction can be taken back")
        group.react(first.id, "🌱")

        val edited = group.editMessage(reply.id, "Much better than last week")
        assertNotNull(edited.editedAt)
        val removed = group.eraseMessage(warned.id)
        assertTrue(removed.removed)
        assertEquals("", removed.text)

        val all = group.messages()
        assertEquals(listOf(first.id, reply.id, warned.id), all.map { it.id }, "oldest first, in written order")
        assertEquals("Much better than last week", all[1].text)
        assertEquals(first.id, all[1].replyTo)
        assertEquals(listOf("🌱"), all[0].reactions.map { it.emoji })
        assertTrue(all[2].removed)
        assertEquals(all[1], group.message(reply.id))
        assertEquals(all[2].createdAt, kindred.groups().single().lastMessageAt)
    }

    @Test
    fun `messages page back from the first message shown`() = withKindred { kindred ->
        val group = kindred.createGroup("Paging")
        val posted = (1..5).map { group.post("message $it").id }

        val newest = group.messages(limit = 2)
        assertEquals(posted.takeLast(2), newest.map { it.id })
        val older = group.messages(limit = 2, before = newest.first())
        assertEquals(posted.subList(1, 3), older.map { it.id })
        val oldest = group.messages(limit = 10, before = older.first())
        assertEquals(posted.take(1), oldest.map { it.id })
    }

    @Test
    fun `members can be added and own messages are never unread`() = withKindred { kindred ->
        val group = kindred.createGroup("Members")
        val details = group.addMember(OTHER_MEMBER_ID, "Bo", Role.MEMBER)
        assertEquals(
            setOf(kindred.info().memberId to Role.OWNER, OTHER_MEMBER_ID to Role.MEMBER),
            details.members.map { it.memberId to it.role }.toSet(),
        )
        assertEquals(2u, kindred.groups().single().memberCount)

        group.post("Welcome, Bo")
        assertEquals(0uL, group.unreadCount())
        group.markRead()
        assertEquals(0uL, group.unreadCount())
    }
}
