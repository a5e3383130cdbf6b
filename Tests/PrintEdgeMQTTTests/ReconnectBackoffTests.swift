import PrintEdgeMQTT
import Testing

/// Returns the same 64 random bits every time: 0 means "no jitter taken", `.max` "all of it".
private struct FixedRandom: RandomNumberGenerator {
    var value: UInt64

    mutating func next() -> UInt64 { value }
}

/// Plays back a list of random draws.
private struct ScriptedRandom: RandomNumberGenerator {
    var draws: [UInt64]

    mutating func next() -> UInt64 { draws.removeFirst() }
}

@Suite("Reconnect backoff")
struct ReconnectBackoffTests {
    @Test("without jitter the delay doubles from the initial delay and stops at the maximum")
    func doublesUpToTheMaximum() {
        var backoff = ReconnectBackoff(initialDelay: .milliseconds(500), maximumDelay: .seconds(5), jitterRatio: 0)
        var random = FixedRandom(value: .max)

        let delays = (0..<7).map { _ in backoff.nextDelay(using: &random) }

        #expect(delays == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(5), .seconds(5), .seconds(5)])
        #expect(backoff.consecutiveFailures == 7)
    }

    @Test("jitter takes up to jitterRatio of each step off, as the random source says")
    func jitterStaysWithinItsShareOfTheStep() {
        var backoff = ReconnectBackoff(initialDelay: .seconds(1), maximumDelay: .seconds(8), jitterRatio: 0.5)
        // The top bits of a draw are the fraction of the jitter taken: 1 << 63 is a half, 1 << 62 a quarter.
        var random = ScriptedRandom(draws: [0, 1 << 63, .max, 1 << 62])

        let delays = (0..<4).map { _ in backoff.nextDelay(using: &random) }

        #expect(delays[0] == .seconds(1), "no jitter drawn: the full step")
        #expect(delays[1] == .milliseconds(1_500), "half the jitter of a 2 s step")
        #expect(delays[2] > .seconds(2) && delays[2] <= .nanoseconds(2_000_000_001), "almost all jitter of a 4 s step: \(delays[2])")
        #expect(delays[3] == .seconds(7), "a quarter of the jitter of an 8 s step")
    }

    @Test("full jitter spreads a step over 0 up to the step")
    func fullJitter() {
        var backoff = ReconnectBackoff(initialDelay: .seconds(2), maximumDelay: .seconds(2), jitterRatio: 1)
        var half = FixedRandom(value: 1 << 63)
        #expect(backoff.nextDelay(using: &half) == .seconds(1))
        var none = FixedRandom(value: 0)
        #expect(backoff.nextDelay(using: &none) == .seconds(2))
    }

    @Test("a connection that outlived the maximum delay resets the backoff; a short-lived one does not")
    func healthyConnectionResets() {
        var backoff = ReconnectBackoff(initialDelay: .seconds(1), maximumDelay: .seconds(30), jitterRatio: 0)
        var random = FixedRandom(value: 0)
        for _ in 0..<4 { _ = backoff.nextDelay(using: &random) }

        backoff.connectionEnded(afterUptime: .seconds(29))
        #expect(backoff.nextStep == .seconds(16), "flapping right after CONNACK keeps backing off")

        backoff.connectionEnded(afterUptime: .seconds(30))
        #expect(backoff.consecutiveFailures == 0)
        #expect(backoff.nextDelay(using: &random) == .seconds(1))
    }

    @Test("hundreds of failures neither overflow nor exceed the maximum")
    func manyFailuresStayAtTheMaximum() {
        var backoff = ReconnectBackoff(initialDelay: .seconds(3), maximumDelay: .seconds(86_400), jitterRatio: 0)
        var random = FixedRandom(value: 0)
        for _ in 0..<200 { _ = backoff.nextDelay(using: &random) }
        #expect(backoff.nextDelay(using: &random) == .seconds(86_400))
    }
}
