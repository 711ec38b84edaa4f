package org.kindred

import org.kindred.core.NewGroup
import org.kindred.core.NewMessage
import org.kindred.core.Role
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

class GroupsAndMessagesTest {
    @Test
    fun `a new group is listed with this profile as its owner and resolves by name`() = withKindred { kindred ->
        val details = kindred.createGroup(NewGroup(name = "Tuesday circle", guidelines = "Be kind"))
        assertEquals("Tuesday circle", details.name)
        assertEquals("Be kind", details.guidelines)
        assertEquals(kindred.info().memberId, details.createdBy)
        assertEquals(listOf(Role.OWNER), details.members.map { it.role })

        val summary = kindred.groups().single()
        assertEquals(details.id, summary.id)
        assertEquals(Role.OWNER, summary.myRole)
        assertEquals(1u, summary.memberCount)
        assertNull(summary.lastMessageAt)

        assertEquals(details.id, kindred.resolveGroup("Tuesday circle"))
        assertEquals(details, kindred.group(details.id))
    }

    @Test
    fun `posting, replying, reacting, editing and removing are all read back`() = withKindred { kindred ->
        val group = kindred.createGroup("Tuesday circle").id
        val first = kindred.post(group, "How was everyone's week?")
        assertTrue(first.isMine)
        assertEquals("Ada", first.authorName)
        assertFalse(first.removed)

        val reply = kindred.post(group, NewMessage(text = "Better than last week", replyTo = first.id))
        assertEquals(first.id, reply.replyTo)
        val warned = kindred.post(group, "A hard day", contentWarning = "grief")
        assertEquals("grief", warned.contentWarning)

        val reacted = kindred.react(group, first.id, "💛")
        assertEquals(listOf(Triple("💛", 1u, true)), reacted.reactions.map { Triple(it.emoji, it.count, it.mine) })
        assertTrue(kindred.react(group, first.id, null).reactions.isEmpty(), "a reaction can be taken back")
        kindred.react(group, first.id, "🌱")

        val edited = kindred.editMessage(group, reply.id, "Much better than last week")
        assertNotNull(edited.editedAt)
        val removed = kindred.removeMessage(group, warned.id)
        assertTrue(removed.removed)
        assertEquals("", removed.text)

        val all = kindred.messages(group)
        assertEquals(listOf(first.id, reply.id, warned.id), all.map { it.id }, "oldest first, in written order")
        assertEquals("Much better than last week", all[1].text)
        assertEquals(first.id, all[1].replyTo)
        assertEquals(listOf("🌱"), all[0].reactions.map { it.emoji })
        assertTrue(all[2].removed)
        assertEquals(all[1], kindred.message(group, reply.id))
        assertEquals(all[2].createdAt, kindred.groups().single().lastMessageAt)
    }

    @Test
    fun `messages page back from the first message shown`() = withKindred { kindred ->
        val group = kindred.createGroup("Paging").id
        val posted = (1..5).map { kindred.post(group, "message $it").id }

        val newest = kindred.messages(group, limit = 2)
        assertEquals(posted.takeLast(2), newest.map { it.id })
        val older = kindred.messages(group, limit = 2, before = newest.first())
        assertEquals(posted.subList(1, 3), older.map { it.id })
        val oldest = kindred.messages(group, limit = 10, before = older.first())
        assertEquals(posted.take(1), oldest.map { it.id })
    }

    @Test
    fun `members can be added and own messages are never unread`() = withKindred { kindred ->
        val group = kindred.createGroup("Members").id
        val details = kindred.addMember(group, OTHER_MEMBER_ID, "Bo", Role.MEMBER)
        assertEquals(
            setOf(kindred.info().memberId to Role.OWNER, OTHER_MEMBER_ID to Role.MEMBER),
            details.members.map { it.memberId to it.role }.toSet(),
        )
        assertEquals(2u, kindred.groups().single().memberCount)

        kindred.post(group, "Welcome, Bo")
        assertEquals(0uL, kindred.unreadCount(group))
        kindred.markRead(group)
        assertEquals(0uL, kindred.unreadCount(group))
    }
}
