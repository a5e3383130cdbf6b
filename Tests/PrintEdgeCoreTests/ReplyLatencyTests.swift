import Testing
@testable import PrintEdgeCore

/// The reply latency: from a line's write to its own `ok`, on the harness's manual clock.
@Suite struct ReplyLatencyTests {
    /// Counts and sums added since `before`, by bucket bound in milliseconds (nil: overflow).
    private func added(_ after: ReplyLatencyHistogram, since before: ReplyLatencyHistogram) -> [(boundMS: Int64?, count: Int, sumMS: Int64)] {
        after.counts.indices.compactMap { bucket in
            let count = after.counts[bucket] - before.counts[bucket]
            guard count > 0 else { return nil }
            let bound = bucket < ReplyLatencyHistogram.boundsNanoseconds.count ? ReplyLatencyHistogram.boundsNanoseconds[bucket] / 1_000_000 : nil
            return (bound, count, (after.sumsNanoseconds[bucket] - before.sumsNanoseconds[bucket]) / 1_000_000)
        }
    }

    @Test func eachOkMeasuresItsLineFromItsWrite() {
        var harness = ProtocolHarness { $0.flow = .fixed(.window) }
        harness.handshake()
        let before = harness.host.progress.replyLatency
        harness.enqueue(["G1 X1", "G1 X2"], finish: false)
        #expect(harness.flush().count == 2)
        harness.advance(by: .milliseconds(3))
        harness.reply("ok")
        harness.advance(by: .milliseconds(7))
        harness.reply("ok")
        let buckets = added(harness.host.progress.replyLatency, since: before)
        #expect(buckets.map(\.boundMS) == [5, 10], "3 ms falls in (2.5, 5], 10 ms in (5, 10]: bounds hold their own value")
        #expect(buckets.map(\.count) == [1, 1])
        #expect(buckets.map(\.sumMS) == [3, 10])
    }

    @Test func anOkThatProvesLostOnesMeasuresOnlyItsOwnLine() {
        var harness = ProtocolHarness { $0.flow = .fixed(.window) }
        harness.handshake()
        let before = harness.host.progress.replyLatency
        harness.enqueue(["G1 X1", "M105"], finish: false)
        #expect(harness.flush().count == 2)
        harness.advance(by: .milliseconds(20))
        // The first line's ok was lost on the wire; M105's `ok T:` proves both were taken.
        harness.reply("ok T:20.0 /0.0 B:20.0 /0.0")
        let buckets = added(harness.host.progress.replyLatency, since: before)
        #expect(buckets.map(\.count) == [1], "one ok, one observation: \(buckets)")
        #expect(buckets.first?.boundMS == 25)
        #expect(buckets.first?.sumMS == 20)
    }

    @Test func aLatencyBeyondTheLastBoundCountsInTheOverflowBucket() {
        var histogram = ReplyLatencyHistogram()
        histogram.record(.seconds(10))
        histogram.record(.milliseconds(10_001))
        #expect(histogram.counts[ReplyLatencyHistogram.boundsNanoseconds.count - 1] == 1)
        #expect(histogram.counts[ReplyLatencyHistogram.boundsNanoseconds.count] == 1)
        #expect(histogram.count == 2)
    }
}
