import PrintEdgeStore
import Testing

/// A real SQLITE_FULL: the store's size limit (`PRAGMA max_page_count`) is set just above
/// the file's size and telemetry fills the rest, so the next page SQLite needs is refused.
@Suite("A full disk")
struct DiskFullTests {
    @Test("telemetry waits in memory while the disk is full and is all written once space returns")
    func telemetryIsBufferedAndRetried() async throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let prefilled = try fillUntilFull(store)
        let recorder = TelemetryRecorder(
            store: store, policy: .init(batchMaxRows: 100, batchMaxAge: .seconds(1), bufferLimit: 10_000))
        let startMS: Int64 = 1_000_000_000
        let samples = hotendSamples(count: 1_500, startMS: startMS)

        await recorder.record(Array(samples[..<1_000]), atMS: 10_000)
        #expect(try await recorder.flushIfDue(nowMS: 10_000) == 0)
        #expect(await recorder.condition == .diskFull(sinceMS: 10_000, buffered: 1_000, dropped: 0))

        await recorder.record(Array(samples[1_000...]), atMS: 10_500)
        #expect(await recorder.isFlushDue(nowMS: 10_999) == false, "retries wait batchMaxAge")
        #expect(await recorder.isFlushDue(nowMS: 11_000))
        #expect(try await recorder.flushIfDue(nowMS: 11_000) == 0)
        #expect(await recorder.condition == .diskFull(sinceMS: 10_000, buffered: 1_500, dropped: 0))

        try store.setSizeLimit(maxBytes: nil)
        #expect(try await recorder.flushIfDue(nowMS: 12_000) == 1_500)

        #expect(await recorder.condition == .recording)
        #expect(await recorder.bufferedCount == 0)
        let stored = try store.telemetry(printerID: "mk4", sinceMS: startMS)
        #expect(stored.count == 1_500)
        #expect(stored == samples, "none lost, none reordered")
        #expect(try store.telemetry(printerID: "mk4", sinceMS: 0, limit: 100_000).count == prefilled + 1_500)
    }

    @Test("past the buffer limit the oldest samples are dropped and counted")
    func bufferDropsOldest() async throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        _ = try fillUntilFull(store)
        let recorder = TelemetryRecorder(
            store: store, policy: .init(batchMaxRows: 50, batchMaxAge: .seconds(1), bufferLimit: 100))
        let startMS: Int64 = 1_000_000_000
        let samples = hotendSamples(count: 150, startMS: startMS)

        await recorder.record(Array(samples[..<80]), atMS: 0)
        try await recorder.flush(nowMS: 0)
        await recorder.record(Array(samples[80...]), atMS: 500)

        #expect(await recorder.condition == .diskFull(sinceMS: 0, buffered: 100, dropped: 50))
        #expect(await recorder.droppedTotal == 50)
        try store.setSizeLimit(maxBytes: nil)
        #expect(try await recorder.flush(nowMS: 1_000) == 100)
        let stored = try store.telemetry(printerID: "mk4", sinceMS: startMS)
        #expect(stored.first?.value == 50, "the 50 oldest went")
        #expect(stored == Array(samples[50...]))
    }

    @Test("a job step on a full disk throws diskFull with what to do, and writes nothing")
    func transitionReportsDiskFull() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let jobID = try #require(try fixture.submitJob().id)
        let printing = try store.transition(jobID: jobID, to: .printing, atMS: 2_000)
        _ = try fillUntilFull(store)
        let eventsBefore = try store.events(jobID: jobID)
        let outboxBefore = try store.undeliveredOutbox(printerID: "mk4")
        // The failure carries the serial log's tail: its event row needs new pages.
        let serialTail = String(repeating: "echo:busy: processing\n", count: 800)

        let error = #expect(throws: StoreError.self) {
            try store.transition(jobID: jobID, to: .failed, detail: serialTail, atMS: 3_000)
        }

        #expect(error == .diskFull(path: fixture.databasePath))
        #expect(error.map(String.init(describing:))?.contains("free space") == true)
        #expect(try store.job(id: jobID) == printing)
        #expect(try store.events(jobID: jobID) == eventsBefore)
        #expect(try store.undeliveredOutbox(printerID: "mk4") == outboxBefore)

        try store.setSizeLimit(maxBytes: nil)
        let failed = try store.transition(jobID: jobID, to: .failed, detail: serialTail, atMS: 4_000)
        #expect(failed.state == .failed)
        #expect(try store.events(jobID: jobID).count == eventsBefore.count + 1)
        #expect(try store.integrityCheck() == "ok")
    }

    /// Caps the store 64 KiB above its size, then appends telemetry in shrinking batches
    /// until even one row is refused; returns the rows written.
    private func fillUntilFull(_ store: Store) throws -> Int {
        try store.setSizeLimit(maxBytes: try store.databaseBytes() + 64 * 1_024)
        var written = 0
        for batchSize in [500, 50, 5, 1] {
            while true {
                do {
                    written += try store.appendTelemetry(
                        hotendSamples(count: batchSize, startMS: Int64(written) * 1_000))
                } catch .diskFull {
                    break
                }
            }
        }
        return written
    }
}

@Suite("Telemetry batching")
struct TelemetryRecorderTests {
    @Test("a batch is written once it holds batchMaxRows samples")
    func flushesOnRowCount() async throws {
        let fixture = try StoreFixture()
        let recorder = TelemetryRecorder(
            store: fixture.store, policy: .init(batchMaxRows: 10, batchMaxAge: .seconds(60)))

        let samples = hotendSamples(count: 10)

        await recorder.record(Array(samples[..<9]), atMS: 0)
        #expect(try await recorder.flushIfDue(nowMS: 0) == 0)
        await recorder.record(samples[9], atMS: 0)
        #expect(try await recorder.flushIfDue(nowMS: 0) == 10)

        #expect(try fixture.store.telemetry(printerID: "mk4", sinceMS: 0) == samples)
        #expect(await recorder.writtenTotal == 10)
    }

    @Test("a batch is written when its oldest sample has waited batchMaxAge, not a millisecond before")
    func flushesOnAge() async throws {
        let fixture = try StoreFixture()
        let recorder = TelemetryRecorder(
            store: fixture.store, policy: .init(batchMaxRows: 500, batchMaxAge: .seconds(2)))

        await recorder.record(hotendSamples(count: 1), atMS: 1_000)
        await recorder.record(hotendSamples(count: 1, startMS: 1_000), atMS: 2_500)

        #expect(try await recorder.flushIfDue(nowMS: 2_999) == 0)
        #expect(await recorder.bufferedCount == 2)
        #expect(try await recorder.flushIfDue(nowMS: 3_000) == 2)
        #expect(await recorder.isFlushDue(nowMS: 10_000) == false, "nothing left to write")
    }

    @Test("flush writes a partial batch at once, as at shutdown")
    func flushWritesEverything() async throws {
        let fixture = try StoreFixture()
        let recorder = TelemetryRecorder(store: fixture.store)

        await recorder.record(hotendSamples(count: 3), atMS: 0)

        #expect(try await recorder.flush(nowMS: 0) == 3)
        #expect(try fixture.store.telemetry(printerID: "mk4", sinceMS: 0).count == 3)
    }
}
