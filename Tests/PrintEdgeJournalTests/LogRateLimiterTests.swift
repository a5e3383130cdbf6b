import Foundation
import Logging
@testable import PrintEdgeJournal
import Testing

/// A flapping port cannot flood the journal: the first lines of a kind go out, the rest are
/// counted, and the count is written before the next line once the window has passed.
@Suite struct LogRateLimiterTests {
    /// A clock the test moves by hand.
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let start = Instant(offset: .zero)

    @Test func theFirstLinesOfAKindGoOutAndTheRestAreCountedUntilTheWindowEnds() {
        var limiter = LogRateLimiter<Instant, Int>(policy: .init(linesPerWindow: 3, window: .seconds(60)))
        let actions = (1...5).map { limiter.message($0, key: "flap", at: start.advanced(by: .seconds($0))) }
        #expect(actions == [.write(after: []), .write(after: []), .write(after: []), .suppress(after: []), .suppress(after: [])])
        // Another kind is not held back by the first.
        #expect(limiter.message(100, key: "other", at: start.advanced(by: .seconds(10))) == .write(after: []))
        // One tick before the window's end: still suppressed; at its end, the count goes first.
        #expect(limiter.message(6, key: "flap", at: start.advanced(by: .seconds(61) - .nanoseconds(1))) == .suppress(after: []))
        let counted = LogRateLimiter<Instant, Int>.Suppression(key: "flap", count: 3, example: 6, window: .seconds(60))
        #expect(limiter.message(7, key: "flap", at: start.advanced(by: .seconds(61))) == .write(after: [counted]))
        // The new window starts with that line.
        #expect(limiter.message(8, key: "flap", at: start.advanced(by: .seconds(62))) == .write(after: []))
    }

    @Test func aCountIsWrittenBeforeTheNextLineOfAnyKind() {
        var limiter = LogRateLimiter<Instant, Int>(policy: .init(linesPerWindow: 1, window: .seconds(60)))
        _ = limiter.message(1, key: "flap", at: start)
        #expect(limiter.message(2, key: "flap", at: start.advanced(by: .seconds(5))) == .suppress(after: []))
        let counted = LogRateLimiter<Instant, Int>.Suppression(key: "flap", count: 1, example: 2, window: .seconds(60))
        #expect(limiter.message(3, key: "quiet", at: start.advanced(by: .seconds(90))) == .write(after: [counted]))
        #expect(limiter.message(4, key: "flap", at: start.advanced(by: .seconds(91))) == .write(after: []), "counted once only")
    }

    @Test func beyondItsKeysNewKindsAreWrittenUnlimited() {
        var limiter = LogRateLimiter<Instant, Int>(policy: .init(linesPerWindow: 1, window: .seconds(60), maxKeys: 2))
        _ = limiter.message(1, key: "a", at: start)
        _ = limiter.message(2, key: "b", at: start)
        for index in 0..<5 {
            #expect(limiter.message(3, key: "c", at: start.advanced(by: .seconds(index))) == .write(after: []))
        }
        #expect(limiter.message(4, key: "a", at: start.advanced(by: .seconds(6))) == .suppress(after: []))
    }

    @Test func theWriterGroupsMessagesThatDifferOnlyInTheirNumbers() {
        let first = LogRecord(level: .warning, text: "cannot open /dev/ttyUSB0: reconnecting in 2 s (attempt 41)", fields: [LogField("printer", "ender")])
        var second = first
        second.text = "cannot open /dev/ttyUSB1: reconnecting in 16 s (attempt 42)"
        #expect(JournalWriter.key(first) == JournalWriter.key(second))
        var other = first
        other.fields = [LogField("printer", "mk3s")]
        #expect(JournalWriter.key(first) != JournalWriter.key(other), "another printer's trouble is its own")
        var error = first
        error.level = .error
        #expect(JournalWriter.key(first) != JournalWriter.key(error))
    }
}
