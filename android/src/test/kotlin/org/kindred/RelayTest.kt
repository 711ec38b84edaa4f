package org.kindred

import kotlinx.coroutines.CoroutineScope
import org.kindred.core.KindredException
import org.kindred.core.RelayStore
import org.kindred.core.RelayStoreException
import org.kindred.core.model.RelayReport
import org.kindred.core.model.StoreListing
import org.kindred.core.model.StoredObject
import org.w3c.dom.Element
import java.io.IOException
import java.io.InputStream
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.security.SecureRandom
import java.time.Duration
import javax.xml.parsers.DocumentBuilderFactory
import kotlin.io.path.createDirectories
import kotlin.test.Test
import kotlin.test.assertContains
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlin.test.fail

/**
 * A [RelayStore] over plain HTTP to an S3-compatible server that takes anonymous requests (SeaweedFS with no
 * identities configured), with `java.net.http`: the shape of an app's store, minus request signing (an app signs each
 * request with SigV4 before sending it; see android/README.md, "Relay mailbox").
 */
internal class S3TestStore(endpoint: String, private val bucket: String) : RelayStore {
    private val base = endpoint.trimEnd('/')
    private val http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()

    /** Creates the bucket (`PUT /bucket`); one that exists already is fine. */
    fun createBucket() {
        val status = send("create bucket", request("/$bucket").PUT(HttpRequest.BodyPublishers.noBody())).statusCode()
        if (status !in 200..299 && status != 409) throw RelayStoreException.Failed("create bucket: HTTP $status")
    }

    override fun put(name: String, bytes: ByteArray) {
        val response = send("PUT", request(objectPath(name)).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)))
        if (response.statusCode() !in 200..299) throw RelayStoreException.Failed("PUT: HTTP ${response.statusCode()}")
    }

    override fun get(name: String): ByteArray? {
        val response = send("GET", request(objectPath(name)).GET())
        response.body().use { body ->
            return when (response.statusCode()) {
                404 -> null
                in 200..299 -> {
                    val length = response.headers().firstValueAsLong("Content-Length").orElse(-1)
                    if (length > Kindred.RELAY_MAX_OBJECT_BYTES) throw tooLarge()
                    body.readNBytes(Kindred.RELAY_MAX_OBJECT_BYTES + 1).also {
                        if (it.size > Kindred.RELAY_MAX_OBJECT_BYTES) throw tooLarge()
                    }
                }
                else -> throw RelayStoreException.Failed("GET: HTTP ${response.statusCode()}")
            }
        }
    }

    override fun list(prefix: String, after: String?): StoreListing {
        val query = "list-type=2&prefix=${encode(prefix, keepSlash = false)}" +
            (after?.let { "&start-after=${encode(it, keepSlash = false)}" } ?: "")
        val response = send("LIST", request("/$bucket?$query").GET())
        response.body().use { body ->
            if (response.statusCode() !in 200..299) {
                throw RelayStoreException.Failed("LIST: HTTP ${response.statusCode()}")
            }
            return parseListing(body)
        }
    }

    override fun delete(name: String) {
        val status = send("DELETE", request(objectPath(name)).DELETE()).also { it.body().close() }.statusCode()
        if (status !in 200..299 && status != 404) throw RelayStoreException.Failed("DELETE: HTTP $status")
    }

    private fun objectPath(name: String) = "/$bucket/${encode(name, keepSlash = true)}"

    private fun request(pathAndQuery: String): HttpRequest.Builder =
        HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(60))

    private fun send(what: String, request: HttpRequest.Builder): HttpResponse<InputStream> = try {
        http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream())
    } catch (e: IOException) {
        throw RelayStoreException.Failed("$what: ${e.javaClass.simpleName}")
    }

    private fun tooLarge() = RelayStoreException.Failed("GET: larger than ${Kindred.RELAY_MAX_OBJECT_BYTES} bytes")

    companion object {
        /**
         * S3's URI encoding (what SigV4 signs): every byte of the UTF-8 text but `A-Z a-z 0-9 - _ . ~` as `%XX`, and
         * `/` kept as it is in an object's path (the names have `/` in them) but encoded in a query.
         */
        fun encode(text: String, keepSlash: Boolean): String = buildString {
            for (byte in text.toByteArray(Charsets.UTF_8)) {
                val c = byte.toInt() and 0xff
                val ch = c.toChar()
                if (ch in 'A'..'Z' || ch in 'a'..'z' || ch in '0'..'9' || ch in "-_.~" || (keepSlash && ch == '/')) {
                    append(ch)
                } else {
                    append('%').append("0123456789ABCDEF"[c shr 4]).append("0123456789ABCDEF"[c and 15])
                }
            }
        }

        /** A ListObjectsV2 answer: each `<Contents>`'s `Key` and `Size`, and `IsTruncated`. */
        fun parseListing(xml: InputStream): StoreListing {
            val factory = DocumentBuilderFactory.newInstance()
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true)
            val root = factory.newDocumentBuilder().parse(xml).documentElement
            fun Element.child(tag: String): String? =
                getElementsByTagName(tag).let { if (it.length > 0) it.item(0).textContent else null }
            val contents = root.getElementsByTagName("Contents")
            val objects = (0 until contents.length).map { i ->
                val entry = contents.item(i) as Element
                StoredObject(
                    name = entry.child("Key") ?: throw RelayStoreException.Failed("LIST: an entry without a Key"),
                    size = entry.child("Size")?.toULongOrNull() ?: throw RelayStoreException.Failed("LIST: a bad Size"),
                )
            }
            return StoreListing(objects, more = root.child("IsTruncated") == "true")
        }
    }
}

/** [store], except that every put fails: with [RelayStoreException.Failed], or an exception uniffi does not know. */
private class FailingPuts(private val store: RelayStore, private val typed: Boolean) : RelayStore by store {
    override fun put(name: String, bytes: ByteArray) {
        if (typed) throw RelayStoreException.Failed("PUT: HTTP 503 (test)")
        throw IOException("connection reset (test)")
    }
}

/** The S3 endpoint of the SeaweedFS server that run-jvm-tests.sh (or tests/run-all.sh) started for these tests. */
private fun s3Endpoint(): String =
    System.getProperty("kindred.s3Endpoint")?.takeIf { it.isNotBlank() }
        ?: System.getenv("KINDRED_S3_ENDPOINT")?.takeIf { it.isNotBlank() }
        ?: fail("no S3 endpoint: run through android/run-jvm-tests.sh, or set KINDRED_S3_ENDPOINT")

/** A new, empty bucket of its own for each test. */
private fun newBucket(): S3TestStore {
    val tag = ByteArray(6).also { SecureRandom().nextBytes(it) }.joinToString("") { "%02x".format(it) }
    return S3TestStore(s3Endpoint(), "kindred-kotlin-$tag").also { it.createBucket() }
}

/** Alice and Bob, each with a new profile in a directory of their own, closed and removed afterwards. */
private fun withTwo(block: suspend CoroutineScope.(alice: Kindred, bob: Kindred) -> Unit) = withTempDir { dir ->
    suspend fun person(name: String) = Kindred.create(dir.resolve(name.lowercase()).createDirectories().toString(), name)
    person("Alice").use { alice -> person("Bob").use { bob -> block(alice, bob) } }
}

private const val HOUR_MS = 3_600_000L

class RelayTest {
    @Test
    fun `the test store stores, lists after a cursor, fetches and deletes names with slashes`() {
        val store = newBucket()
        val names = listOf("kindred/a b+c/1", "kindred/a b+c/2", "kindred/é~x", "other/1")
        names.forEachIndexed { i, name -> store.put(name, ByteArray(i + 1) { i.toByte() }) }
        assertContentEquals(byteArrayOf(1, 1), store.get("kindred/a b+c/2"))
        assertNull(store.get("kindred/nothing"))
        val all = store.list("kindred/", null)
        assertEquals(listOf("kindred/a b+c/1" to 1uL, "kindred/a b+c/2" to 2uL, "kindred/é~x" to 3uL),
            all.objects.map { it.name to it.size })
        assertFalse(all.more)
        assertEquals(listOf("kindred/é~x"), store.list("kindred/", "kindred/a b+c/2").objects.map { it.name })
        store.delete("kindred/a b+c/1")
        store.delete("kindred/a b+c/1")
        assertNull(store.get("kindred/a b+c/1"))
        assertEquals(2, store.list("kindred/", null).objects.size)
    }

    @Test
    fun `two phones that never meet converge through a real S3 bucket, joining through it too`() = withTwo { alice, bob ->
        val store = newBucket()
        val group = alice.createGroup("Far apart", guidelines = "Be kind.")
        val groupId = group.id()
        bob.joinGroup(group.createInvite(validForMs = HOUR_MS))
        assertTrue(bob.groups().isEmpty())

        // Bob's first round leaves a join request sealed to Alice; hers admits him and leaves the history; his next
        // takes it in.
        val asked = bob.relaySync(groupId, store)
        assertFalse(asked.joined, "$asked")
        assertTrue(asked.puts >= 1u && asked.bytesSent > 0u, "$asked")
        val admitting = alice.relaySync(groupId, store)
        assertEquals(listOf(bob.info().memberId), admitting.admitted, "$admitting")
        assertTrue(admitting.puts >= 1u && admitting.objectsTaken >= 1u, "$admitting")
        val joining = bob.relaySync(groupId, store)
        assertTrue(joining.joined, "$joining")
        assertTrue(joining.applied > 0u && joining.bytesReceived > 0u, "$joining")
        assertEquals(listOf(groupId), bob.groups().map { it.id })
        assertTrue(bob.pendingJoins().isEmpty())
        assertEquals("Be kind.", bob.group(groupId).details().guidelines)

        // Alice posts; after her round and Bob's, he has it.
        val posted = group.post("Hello from far away")
        alice.relaySync(groupId, store)
        val taking = bob.relaySync(groupId, store)
        assertTrue(taking.objectsTaken >= 1u && taking.bodies >= 1u, "$taking")
        val messages = bob.group(groupId).messages()
        assertEquals(listOf(posted.id to "Hello from far away"), messages.map { it.id to it.text })
        assertEquals("Alice", messages.single().authorName)

        // Once the acknowledgements are read (they ask for none back), nothing is new: one listing request each.
        alice.relaySync(groupId, store)
        bob.relaySync(groupId, store)
        for ((who, phone) in listOf("alice" to alice, "bob" to bob)) {
            val quiet: RelayReport = phone.relaySync(groupId, store)
            assertEquals(1u, quiet.requests, "$who: $quiet")
            assertEquals(1u, quiet.lists, "$who: $quiet")
            assertEquals(0u, quiet.puts + quiet.gets + quiet.deletes, "$who: $quiet")
        }
    }

    @Test
    fun `a store whose puts fail is a typed RelayUnavailable, and the next round delivers`() = withTwo { alice, bob ->
        val store = newBucket()
        val group = alice.createGroup("Flaky network")
        val groupId = group.id()
        bob.joinGroup(group.createInvite(validForMs = HOUR_MS))

        // Bob's first round has a join request to put: with the typed error and with any other exception, the round
        // ends in KindredException.RelayUnavailable carrying the store's reason.
        val typed = assertFailsWith<KindredException.RelayUnavailable> {
            bob.relaySync(groupId, FailingPuts(store, typed = true))
        }
        assertContains(typed.detail, "PUT: HTTP 503 (test)")
        val untyped = assertFailsWith<KindredException.RelayUnavailable> {
            bob.relaySync(groupId, FailingPuts(store, typed = false))
        }
        assertContains(untyped.detail, "connection reset (test)")
        assertEquals(1, bob.pendingJoins().size, "nothing lost")

        // The same when a member has a post to put; the profiles stay usable, and rounds with a working store finish
        // everything.
        assertFalse(bob.relaySync(groupId, store).joined)
        assertEquals(1, alice.relaySync(groupId, store).admitted.size)
        assertTrue(bob.relaySync(groupId, store).joined)
        val posted = group.post("Said while the network was down")
        assertFailsWith<KindredException.RelayUnavailable> { alice.relaySync(groupId, FailingPuts(store, typed = true)) }
        alice.relaySync(groupId, store)
        bob.relaySync(groupId, store)
        assertEquals(posted.id, bob.group(groupId).messages().last().id)
    }
}
