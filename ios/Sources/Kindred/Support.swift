import Foundation
import KindredCore

/// Runs a generated call, keeping its ``KindredError`` and wrapping anything else (which would be a bug in the
/// bindings) as ``KindredError/Internal(detail:)``, so every error the layer throws is a `KindredError`.
func bridge<T>(_ body: () throws -> T) throws(KindredError) -> T {
    do {
        return try body()
    } catch let error as KindredError {
        throw error
    } catch {
        throw KindredError.Internal(detail: String(describing: error))
    }
}

/// ``bridge(_:)`` for async calls.
func bridgeAsync<T>(_ body: () async throws -> T) async throws(KindredError) -> T {
    do {
        return try await body()
    } catch let error as KindredError {
        throw error
    } catch {
        throw KindredError.Internal(detail: String(describing: error))
    }
}

/// Milliseconds since the Unix epoch, as Kindred stores times.
func kindredMillis(_ date: Date) -> Int64 {
    Int64((date.timeIntervalSince1970 * 1000).rounded())
}

/// The `Date` of a Kindred time in milliseconds since the Unix epoch.
func kindredDate(_ millis: Int64) -> Date {
    Date(timeIntervalSince1970: TimeInterval(millis) / 1000)
}

extension Message {
    /// When it was posted.
    public var createdDate: Date { kindredDate(createdAt) }
    /// When it was last edited, if ever.
    public var editedDate: Date? { editedAt.map(kindredDate) }
    /// Where to page back from when this is the first message shown: pass it as `before`.
    public var cursor: MessageCursor { MessageCursor(createdAt: createdAt, id: id) }
}

extension Checkin {
    /// When it was recorded (or back-dated to).
    public var date: Date { kindredDate(at) }
}

extension ProgressEntry {
    /// When the step was taken.
    public var date: Date { kindredDate(at) }
}
