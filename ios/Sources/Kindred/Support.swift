import Foundation
internal import KindredCore

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

/// Runs a generated call on a background thread and awaits it: the generated calls block while they do their disk
/// work, so the caller's task (the main actor's, too) is suspended instead of blocked. Errors as ``bridge(_:)``.
func bridgeAsync<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws(KindredError) -> T {
    let result: Result<T, KindredError> = await withCheckedContinuation { continuation in
        DispatchQueue.global(qos: .userInitiated).async {
            continuation.resume(returning: Result { () throws(KindredError) -> T in try bridge(body) })
        }
    }
    return try result.get()
}

/// Milliseconds since the Unix epoch, as Kindred stores times. Out of range dates are clamped rather than trapping
/// (see `kindredMillis(interval:)`).
func kindredMillis(_ date: Date) -> Int64 {
    kindredMillis(interval: date.timeIntervalSince1970)
}

/// A duration in milliseconds, as Kindred takes durations. Out-of-range values (NaN, infinities, beyond `Int64`) are
/// clamped rather than trapping, so Rust reports them as invalid input.
func kindredMillis(interval: TimeInterval) -> Int64 {
    let millis = (interval * 1000).rounded()
    if millis.isNaN { return 0 }
    if millis >= 9.2e18 { return .max }
    if millis <= -9.2e18 { return .min }
    return Int64(millis)
}

/// The `Date` of a Kindred time in milliseconds since the Unix epoch.
func kindredDate(_ millis: Int64) -> Date {
    Date(timeIntervalSince1970: TimeInterval(millis) / 1000)
}
