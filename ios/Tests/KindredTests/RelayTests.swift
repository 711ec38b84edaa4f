// The relay mailbox's tests, against a real S3 server (SeaweedFS; ios/run-linux-tests.sh starts one unless
// KINDRED_S3_ENDPOINT names one).
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking     // URLSession on Linux (swift-corelibs-foundation, over libcurl)
#endif
#if canImport(FoundationXML)
import FoundationXML            // XMLParser on Linux
#endif
import XCTest
import Kindred

/// A ``RelayStore`` over plain HTTP to an S3-compatible server that takes anonymous requests (SeaweedFS with no
/// identities configured), with `URLSession`: the shape of an app's store, minus request signing (an app signs each
/// request with SigV4 before sending it; see ios/README.md, "Relay mailbox"). The store's calls are synchronous (the
/// core makes them from the thread running the round), so each waits for its data task with a semaphore.
final class S3TestStore: RelayStore {
    let base: String
    let bucket: String
    let session: URLSession

    init(endpoint: String, bucket: String) {
        base = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.bucket = bucket
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 60
        configuration.timeoutIntervalForResource = 120
        session = URLSession(configuration: configuration)
    }

    /// Creates the bucket (`PUT /bucket`); one that exists already is fine.
    func createBucket() throws {
        let (status, _) = try send("create bucket", "PUT", "/\(bucket)", body: Data())
        guard (200..<300).contains(status) || status == 409 else {
            throw RelayStoreError.Failed(reason: "create bucket: HTTP \(status)")
        }
    }

    func put(name: String, bytes: Data) throws {
        let (status, _) = try send("PUT", "PUT", objectPath(name), body: bytes)
        guard (200..<300).contains(status) else { throw RelayStoreError.Failed(reason: "PUT: HTTP \(status)") }
    }

    func get(name: String) throws -> Data? {
        let (status, body) = try send("GET", "GET", objectPath(name))
        if status == 404 { return nil }
        guard (200..<300).contains(status) else { throw RelayStoreError.Failed(reason: "GET: HTTP \(status)") }
        return body
    }

    func list(prefix: String, after: String?) throws -> StoreListing {
        var query = "list-type=2&prefix=\(Self.encode(prefix, keepingSlash: false))"
        if let after { query += "&start-after=\(Self.encode(after, keepingSlash: false))" }
        let (status, body) = try send("LIST", "GET", "/\(bucket)?\(query)")
        guard (200..<300).contains(status) else { throw RelayStoreError.Failed(reason: "LIST: HTTP \(status)") }
        return try ListingParser.parse(body)
    }

    func delete(name: String) throws {
        let (status, _) = try send("DELETE", "DELETE", objectPath(name))
        guard (200..<300).contains(status) || status == 404 else {
            throw RelayStoreError.Failed(reason: "DELETE: HTTP \(status)")
        }
    }

    private func objectPath(_ name: String) -> String { "/\(bucket)/\(Self.encode(name, keepingSlash: true))" }

    /// One request, waited for: its status and body. A response over the 32 MiB cap is refused.
    private func send(_ what: String, _ method: String, _ pathAndQuery: String, body: Data? = nil) throws -> (Int, Data) {
        guard let url = URL(string: base + pathAndQuery) else { throw RelayStoreError.Failed(reason: "\(what): bad URL") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        let task = session.dataTask(with: request) { data, response, error in
            outcome.set(data, response, error)
            done.signal()
        }
        task.resume()
        done.wait()
        let (data, response, error) = outcome.get()
        if let error { throw RelayStoreError.Failed(reason: "\(what): \(error.localizedDescription)") }
        guard let http = response as? HTTPURLResponse else { throw RelayStoreError.Failed(reason: "\(what): no HTTP response") }
        let bytes = data ?? Data()
        if http.expectedContentLength > Kindred.relayMaxObjectBytes || bytes.count > Kindred.relayMaxObjectBytes {
            throw RelayStoreError.Failed(reason: "\(what): larger than \(Kindred.relayMaxObjectBytes) bytes")
        }
        return (http.statusCode, bytes)
    }

    /// What a data task's completion handler was given, handed to the waiting thread.
    private final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var value: (Data?, URLResponse?, (any Error)?) = (nil, nil, nil)
        func set(_ data: Data?, _ response: URLResponse?, _ error: (any Error)?) {
            lock.lock(); defer { lock.unlock() }
            value = (data, response, error)
        }
        func get() -> (Data?, URLResponse?, (any Error)?) {
            lock.lock(); defer { lock.unlock() }
            return value
        }
    }

    /// S3's URI encoding (what SigV4 signs): every byte of the UTF-8 text but `A-Z a-z 0-9 - _ . ~` as `%XX`, and `/`
    /// kept as it is in an object's path (the names have `/` in them) but encoded in a query.
    static func encode(_ text: String, keepingSlash: Bool) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            case UInt8(ascii: "/") where keepingSlash:
                out.append("/")
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}

/// A ListObjectsV2 answer: each `<Contents>`'s `Key` and `Size`, and `IsTruncated`.
final class ListingParser: NSObject, XMLParserDelegate {
    private var objects: [StoredObject] = []
    private var truncated = false
    private var inContents = false
    private var text = ""
    private var key: String?
    private var size: UInt64?
    private var bad = false

    static func parse(_ xml: Data) throws -> StoreListing {
        let delegate = ListingParser()
        let parser = XMLParser(data: xml)
        parser.delegate = delegate
        guard parser.parse(), !delegate.bad else { throw RelayStoreError.Failed(reason: "LIST: an answer that does not parse") }
        return StoreListing(objects: delegate.objects, more: delegate.truncated)
    }

    func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        text = ""
        if element == "Contents" { inContents = true; key = nil; size = nil }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
        switch element {
        case "Key" where inContents: key = text
        case "Size" where inContents: size = UInt64(text)
        case "Contents":
            inContents = false
            if let key, let size { objects.append(StoredObject(name: key, size: size)) } else { bad = true }
        case "IsTruncated": truncated = text == "true"
        default: break
        }
    }
}

/// `store`, except that every put fails: with ``RelayStoreError``, or with an error uniffi does not know.
final class FailingPuts: RelayStore {
    struct ConnectionReset: Error, CustomStringConvertible { var description: String { "connection reset (test)" } }
    let store: S3TestStore
    let typed: Bool
    init(_ store: S3TestStore, typed: Bool) { self.store = store; self.typed = typed }
    func put(name: String, bytes: Data) throws {
        if typed { throw RelayStoreError.Failed(reason: "PUT: HTTP 503 (test)") }
        throw ConnectionReset()
    }
    func get(name: String) throws -> Data? { try store.get(name: name) }
    func list(prefix: String, after: String?) throws -> StoreListing { try store.list(prefix: prefix, after: after) }
    func delete(name: String) throws { try store.delete(name: name) }
}

final class RelayTests: XCTestCase {
    func testTheTestStoreStoresListsAfterACursorFetchesAndDeletesNamesWithSlashes() throws {
        let store = try bucket()
        let names = ["kindred/a b+c/1", "kindred/a b+c/2", "kindred/é~x", "other/1"]
        for (i, name) in names.enumerated() { try store.put(name: name, bytes: Data(repeating: UInt8(i), count: i + 1)) }
        XCTAssertEqual(try store.get(name: "kindred/a b+c/2"), Data([1, 1]))
        XCTAssertNil(try store.get(name: "kindred/nothing"))
        let all = try store.list(prefix: "kindred/", after: nil)
        XCTAssertEqual(all.objects, [StoredObject(name: "kindred/a b+c/1", size: 1),
                                     StoredObject(name: "kindred/a b+c/2", size: 2),
                                     StoredObject(name: "kindred/é~x", size: 3)])
        XCTAssertFalse(all.more)
        XCTAssertEqual(try store.list(prefix: "kindred/", after: "kindred/a b+c/2").objects.map(\.name), ["kindred/é~x"])
        try store.delete(name: "kindred/a b+c/1")
        try store.delete(name: "kindred/a b+c/1")
        XCTAssertNil(try store.get(name: "kindred/a b+c/1"))
        XCTAssertEqual(try store.list(prefix: "kindred/", after: nil).objects.count, 2)
    }

    func testTwoPhonesThatNeverMeetConvergeThroughARealBucketJoiningThroughItToo() async throws {
        let store = try bucket()
        let (alice, _) = try await makeProfile(self, name: "Alice")
        let (bob, _) = try await makeProfile(self, name: "Bob")
        let group = try await alice.createGroup(name: "Far apart", guidelines: "Be kind.")
        try await bob.joinGroup(code: try await group.createInvite(validFor: 3600))
        try await assertEqual(try await bob.groups().count, 0)

        // Bob's first round leaves a join request sealed to Alice; hers admits him and leaves the history; his next
        // takes it in.
        let asked = try await bob.relaySync(groupId: group.id, store: store)
        XCTAssertFalse(asked.joined, "\(asked)")
        XCTAssertTrue(asked.puts >= 1 && asked.bytesSent > 0, "\(asked)")
        let admitting = try await alice.relaySync(groupId: group.id, store: store)
        XCTAssertEqual(admitting.admitted, [try bob.info.memberId], "\(admitting)")
        XCTAssertTrue(admitting.puts >= 1 && admitting.objectsTaken >= 1, "\(admitting)")
        let joining = try await bob.relaySync(groupId: group.id, store: store)
        XCTAssertTrue(joining.joined, "\(joining)")
        XCTAssertTrue(joining.applied > 0 && joining.bytesReceived > 0, "\(joining)")
        try await assertEqual(try await bob.groups().map(\.id), [group.id])
        try await assertEqual(try await bob.pendingJoins().count, 0)
        try await assertEqual(try await bob.group(group.id).details().guidelines, "Be kind.")

        // Alice posts; after her round and Bob's, he has it.
        let posted = try await group.post("Hello from far away")
        try await alice.relaySync(groupId: group.id, store: store)
        let taking = try await bob.relaySync(groupId: group.id, store: store)
        XCTAssertTrue(taking.objectsTaken >= 1 && taking.bodies >= 1, "\(taking)")
        let messages = try await bob.group(group.id).messages()
        XCTAssertEqual(messages.map(\.id), [posted.id])
        XCTAssertEqual(messages.map(\.text), ["Hello from far away"])
        XCTAssertEqual(messages.map(\.authorName), ["Alice"])

        // Once the acknowledgements are read (they ask for none back), nothing is new: one listing request each.
        try await alice.relaySync(groupId: group.id, store: store)
        try await bob.relaySync(groupId: group.id, store: store)
        for (who, phone) in [("alice", alice), ("bob", bob)] {
            let quiet: RelayReport = try await phone.relaySync(groupId: group.id, store: store)
            XCTAssertEqual(quiet.requests, 1, "\(who): \(quiet)")
            XCTAssertEqual(quiet.lists, 1, "\(who): \(quiet)")
            XCTAssertEqual(quiet.puts + quiet.gets + quiet.deletes, 0, "\(who): \(quiet)")
        }
    }

    func testAStoreWhosePutsFailIsATypedRelayUnavailableAndTheNextRoundDelivers() async throws {
        let store = try bucket()
        let (alice, _) = try await makeProfile(self, name: "Alice")
        let (bob, _) = try await makeProfile(self, name: "Bob")
        let group = try await alice.createGroup(name: "Flaky network")
        try await bob.joinGroup(code: try await group.createInvite(validFor: 3600))

        // Bob's first round has a join request to put: with the typed error and with any other error, the round
        // ends in KindredError.RelayUnavailable carrying the store's reason.
        await assertKindredError(try await bob.relaySync(groupId: group.id, store: FailingPuts(store, typed: true)),
                                 "RelayUnavailable with the store's reason") {
            if case .RelayUnavailable(let detail) = $0 { return detail.contains("PUT: HTTP 503 (test)") }
            return false
        }
        do {
            try await bob.relaySync(groupId: group.id, store: FailingPuts(store, typed: false))
            XCTFail("a failing store must fail the round")
        } catch KindredError.RelayUnavailable(let detail) {
            XCTAssertTrue(detail.contains("connection reset (test)"), detail)
        }
        try await assertEqual(try await bob.pendingJoins().count, 1, "nothing lost")

        // The same when a member has a post to put; the profiles stay usable, and rounds with a working store finish
        // everything.
        try await assertEqual(try await bob.relaySync(groupId: group.id, store: store).joined, false)
        try await assertEqual(try await alice.relaySync(groupId: group.id, store: store).admitted.count, 1)
        try await assertEqual(try await bob.relaySync(groupId: group.id, store: store).joined, true)
        let posted = try await group.post("Said while the network was down")
        await assertKindredError(try await alice.relaySync(groupId: group.id, store: FailingPuts(store, typed: true)),
                                 "RelayUnavailable") {
            if case .RelayUnavailable = $0 { return true }
            return false
        }
        try await alice.relaySync(groupId: group.id, store: store)
        try await bob.relaySync(groupId: group.id, store: store)
        try await assertEqual(try await bob.group(group.id).messages().last?.id, posted.id)
    }

    /// A new, empty bucket of this test's own on the server run-linux-tests.sh started (KINDRED_S3_ENDPOINT); a
    /// missing endpoint fails the test.
    private func bucket(file: StaticString = #filePath, line: UInt = #line) throws -> S3TestStore {
        guard let endpoint = ProcessInfo.processInfo.environment["KINDRED_S3_ENDPOINT"], !endpoint.isEmpty else {
            XCTFail("no S3 endpoint: run through ios/run-linux-tests.sh, or set KINDRED_S3_ENDPOINT", file: file, line: line)
            throw RelayStoreError.Failed(reason: "no KINDRED_S3_ENDPOINT")
        }
        let tag = (0..<6).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let store = S3TestStore(endpoint: endpoint, bucket: "kindred-swift-\(tag)")
        try store.createBucket()
        return store
    }
}
