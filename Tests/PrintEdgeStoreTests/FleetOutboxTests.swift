import Foundation
import GRDB
@testable import PrintEdgeStore
import PrintEdgeTestSupport
import Testing

@Suite("The fleet outbox")
struct FleetOutboxTests {
    /// A store that enqueues job records, as the daemon opens it with `[mqtt]`.
    private func fleetStore(_ scratch: TemporaryDirectory, printers: [String] = ["mk4"]) throws -> Store {
        let store = try Store(directory: scratch.file("store"), feedsFleet: true)
        for id in printers { try store.upsertPrinter(printer(id)) }
        return store
    }

    private func payload<T: Decodable>(_ type: T.Type, _ message: OutboxMessage) throws -> T {
        try JSONDecoder().decode(type, from: Data(message.payload.utf8))
    }

    @Test("each job step enqueues its event and then the job's record, numbered in one sequence")
    func jobStepsEnqueueRecords() throws {
        let scratch = try TemporaryDirectory()
        let store = try fleetStore(scratch)
        let job = try store.submitJob(sampleJob(), layers: [])
        let id = try #require(job.id)
        try store.transition(jobID: id, to: .printing, atMS: 2_000)
        try store.recordProgress(jobID: id, lastAckedSourceLine: 300, lastAckedByte: 9_000, ackedCommands: 280, zMM: 0.6, layer: 2)
        try store.transition(jobID: id, to: .completed, atMS: 3_000)

        let messages = try store.outbox(printerID: "mk4")
        #expect(messages.map(\.kind) == [.jobEvent, .jobRecord, .jobEvent, .jobRecord, .jobEvent, .jobRecord])
        #expect(messages.map(\.sequence) == [1, 2, 3, 4, 5, 6])
        let final = try payload(JobRecordPayload.self, messages[5])
        #expect(final.jobID == id)
        #expect(final.state == .completed)
        #expect(final.endedAtMS == 3_000)
        #expect(final.progress.lastAckedSourceLine == 300)
        #expect(final.progress.layer == 2)
        #expect(!messages[5].payload.contains("spool"), "the spool path stays on the host")
    }

    @Test("without a fleet link job steps enqueue nothing, and their events are still recorded")
    func nothingQueuedWithoutFleet() throws {
        let fixture = try StoreFixture(feedsFleet: false)
        let job = try fixture.submitJob()
        let id = try #require(job.id)
        try fixture.store.transition(jobID: id, to: .printing, atMS: 2_000)
        #expect(try fixture.store.outbox(printerID: "mk4").isEmpty)
        #expect(try fixture.store.events(jobID: id).map(\.toState) == [.queued, .printing])
    }

    @Test("interrupting unfinished jobs at start-up enqueues their records too")
    func interruptedRecords() throws {
        let scratch = try TemporaryDirectory()
        let store = try fleetStore(scratch)
        let job = try store.submitJob(sampleJob(), layers: [])
        try store.transition(jobID: try #require(job.id), to: .printing, atMS: 2_000)
        _ = try store.markUnfinishedJobsInterrupted(atMS: 5_000)
        let last = try #require(try store.outbox(printerID: "mk4").last)
        #expect(last.kind == .jobRecord)
        #expect(try payload(JobRecordPayload.self, last).state == .interrupted)
    }

    @Test("a state change with a status snapshot writes both in one transaction; without one, no message")
    func statusWithState() throws {
        let fixture = try StoreFixture()
        try fixture.store.setPrinterState(id: "mk4", state: "printing", atMS: 10, fleetStatus: #"{"state":"printing"}"#)
        try fixture.store.setPrinterState(id: "mk4", state: "idle", atMS: 20)
        let messages = try fixture.store.outbox(printerID: "mk4")
        #expect(messages.map(\.kind) == [.status])
        #expect(messages.first?.payload == #"{"state":"printing"}"#)
        #expect(try fixture.store.printer(id: "mk4")?.state == "idle")

        #expect(throws: StoreError.printerNotFound(id: "nope")) {
            try fixture.store.setPrinterState(id: "nope", state: "idle", atMS: 30, fleetStatus: "{}")
        }
    }

    @Test("the window reads after a sequence; durability covers every row so far")
    func windowAndDurability() throws {
        let fixture = try StoreFixture()
        for index in 0..<5 {
            try fixture.store.appendOutbox(printerID: "mk4", kind: .status, payload: "{}", atMS: Int64(index))
        }
        #expect(try fixture.store.undeliveredOutbox(printerID: "mk4", afterSequence: 3).map(\.sequence) == [4, 5])
        let durable = try fixture.store.makeOutboxDurable(atMS: 99)
        #expect(durable == (try fixture.store.outbox(printerID: "mk4").last?.id))
        let synchronous = try fixture.store.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(synchronous == 1, "back to NORMAL for everything else")
    }

    @Test("pruning deletes delivered messages acknowledged before the cutoff, never undelivered ones nor the newest")
    func pruning() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let ids = try (0..<6).map { index in
            try #require(try store.appendOutbox(printerID: "mk4", kind: .status, payload: "{}", atMS: Int64(index)).id)
        }
        try store.markDelivered(ids: Array(ids[0..<3]), atMS: 1_000)
        try store.markDelivered(ids: [ids[5]], atMS: 5_000)

        #expect(try store.deleteDeliveredOutbox(deliveredBeforeMS: 2_000) == 3)
        #expect(try store.outbox(printerID: "mk4").map(\.sequence) == [4, 5, 6])
        #expect(try store.deleteDeliveredOutbox(deliveredBeforeMS: 10_000) == 0, "seq 6 is the newest")
        #expect(try store.outboxBacklog(printerID: "mk4").waiting == 2)
    }

    @Test("a refused message is set aside, kept, counted, and queued again by a retry")
    func refusedMessages() throws {
        let fixture = try StoreFixture(printers: ["mk4", "voron"])
        let store = fixture.store
        let ids = try (0..<3).map { index in
            try #require(try store.appendOutbox(printerID: "mk4", kind: .status, payload: "{}", atMS: 100 + Int64(index)).id)
        }
        try store.appendOutbox(printerID: "voron", kind: .status, payload: "{}", atMS: 50)
        let voronRow = try #require(try store.outbox(printerID: "voron").first?.id)
        try store.markRefused(id: ids[0], refusal: "not authorized (0x87)", atMS: 200)
        try store.markRefused(id: voronRow, refusal: "not authorized (0x87)", atMS: 201)

        #expect(try store.undeliveredOutbox(printerID: "mk4").map(\.sequence) == [2, 3])
        #expect(try store.outboxBacklog(printerID: "mk4") == OutboxBacklog(
            waiting: 2, oldestWaitingAtMS: 101, refused: 1, latestRefusal: "message 1 (status): not authorized (0x87)"))
        #expect(throws: StoreError.self, "a refused message is the fleet's data: never deleted") {
            try store.write { db in try db.execute(sql: "DELETE FROM outbox WHERE id = ?", arguments: [ids[0]]) }
        }
        try store.markDelivered(ids: [ids[1]], atMS: 300)
        try store.markRefused(id: ids[1], refusal: "late", atMS: 301)
        #expect(try store.outbox(printerID: "mk4")[1].refusedAtMS == nil, "a delivered message stays delivered")

        #expect(try store.retryRefusedOutbox(printerID: "mk4") == 1)
        #expect(try store.undeliveredOutbox(printerID: "mk4").map(\.sequence) == [1, 3])
        #expect(try store.outboxBacklog(printerID: "voron").refused == 1, "another printer's stay set aside")
        #expect(try store.retryRefusedOutbox(printerID: nil) == 1)
        #expect(try store.outboxBacklog(printerID: "voron") == OutboxBacklog(waiting: 1, oldestWaitingAtMS: 50, refused: 0, latestRefusal: nil))
    }

    @Test("new rows wake the fleet link; delivery marks do not")
    func changesAreObserved() async throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let message = try store.appendOutbox(printerID: "mk4", kind: .status, payload: "{}", atMS: 1)
        var changes = store.outboxChanges().makeAsyncIterator()
        try store.markDelivered(ids: [try #require(message.id)], atMS: 2)
        try store.appendOutbox(printerID: "mk4", kind: .status, payload: "{}", atMS: 3)
        #expect(await changes.next() != nil)
        let undelivered = try store.undeliveredOutbox(printerID: "mk4")
        #expect(undelivered.map(\.sequence) == [2], "the wake-up came from the insert")
    }
}

@Suite("Telemetry for the fleet")
struct FleetTelemetryTests {
    private let limits = FleetTelemetryLimits(maxSamples: 4, maxAge: .seconds(10))

    private func messages(_ store: Store, printer: String = "mk4") throws -> [TelemetryMessagePayload] {
        try store.outbox(printerID: printer).filter { $0.kind == .telemetry }.map {
            try JSONDecoder().decode(TelemetryMessagePayload.self, from: Data($0.payload.utf8))
        }
    }

    @Test("full messages go out with the batch that completes them; the rest waits for its age")
    func splitsAtTheSampleLimit() async throws {
        let fixture = try StoreFixture()
        let written = try await fixture.store.writeTelemetry(hotendSamples(count: 10, startMS: 100_000), fleet: limits, nowMS: 105_000)
        #expect(written.written == 10)
        let sent = try messages(fixture.store)
        #expect(sent.map(\.count) == [4, 4])
        #expect(sent.first?.startMS == 100_000)
        #expect(sent.first?.channels["T0"]?.offsetMS == [0, 1_000, 2_000, 3_000])
        #expect(sent.first?.channels["T0"]?.value == [0, 1, 2, 3])
        #expect(sent.first?.channels["T0"]?.target == [215, 215, 215, 215])
        #expect(written.backlog == ["mk4": 108_000], "samples 8 and 9 wait")

        // No new sample, but the oldest waiting one is 10 s old now.
        _ = try await fixture.store.writeTelemetry([], fleet: limits, nowMS: 118_000)
        #expect(try messages(fixture.store).map(\.count) == [4, 4, 2])
    }

    @Test("a message holds one job's samples; targets are left out of series without any")
    func splitsAtJobs() async throws {
        let fixture = try StoreFixture()
        let samples = [
            TelemetrySample(printerID: "mk4", atMS: 0, channel: .progress, value: 0.9, jobID: 1),
            TelemetrySample(printerID: "mk4", atMS: 500, channel: .progress, value: 1.0, jobID: 1),
            TelemetrySample(printerID: "mk4", atMS: 1_000, channel: .bed, value: 60, target: nil),
        ]
        _ = try await fixture.store.writeTelemetry(samples, fleet: limits, nowMS: 20_000)
        let sent = try messages(fixture.store)
        #expect(sent.map(\.jobID) == [1, nil])
        #expect(sent.first?.channels["progress"]?.target == nil)
        #expect(sent.last?.channels["B"]?.value == [60])
        let text = try #require(try fixture.store.outbox(printerID: "mk4").first?.payload)
        #expect(!text.contains("target"))
    }

    @Test("samples written before a crash without their message go out with the next write")
    func catchesUpAfterACrash() async throws {
        let fixture = try StoreFixture()
        _ = try await fixture.store.writeTelemetry(hotendSamples(count: 2, startMS: 0), fleet: limits, nowMS: 1_000)
        #expect(try messages(fixture.store).isEmpty)

        let reopened = try Store(directory: fixture.scratch.file("store"))
        _ = try await reopened.writeTelemetry(hotendSamples(count: 2, startMS: 2_000), fleet: limits, nowMS: 3_000)
        #expect(try messages(reopened).map(\.count) == [4])
    }

    @Test("samples of a printer the store does not know stay local and fail nothing")
    func unknownPrinter() async throws {
        let fixture = try StoreFixture()
        let written = try await fixture.store.writeTelemetry(
            hotendSamples(printerID: "ghost", count: 5) + hotendSamples(count: 4), fleet: limits, nowMS: 100_000)
        #expect(written.written == 9)
        #expect(try messages(fixture.store).map(\.count) == [4])
    }

    @Test("forgetting the cursors starts the next fleet messages with the next samples")
    func forgettingCursors() async throws {
        let fixture = try StoreFixture()
        _ = try await fixture.store.writeTelemetry(hotendSamples(count: 2), fleet: limits, nowMS: 1_000)
        try fixture.store.forgetFleetTelemetryCursors()
        _ = try await fixture.store.writeTelemetry(hotendSamples(count: 4, startMS: 50_000), fleet: limits, nowMS: 51_000)
        #expect(try messages(fixture.store).map(\.startMS) == [50_000])
    }

    @Test("the rows after a cursor are read by rowid range, never by scanning the printer's history")
    func cursorReadUsesTheRowid() throws {
        let fixture = try StoreFixture()
        let plan = try fixture.store.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + FleetTelemetryRow.afterCursorSQL, arguments: [5, "mk4"])
                .map { $0["detail"] as String? ?? "" }
        }
        #expect(plan == ["SEARCH telemetry USING INTEGER PRIMARY KEY (rowid>?)"])
    }

    @Test("the recorder flushes a waiting fleet message once it is old enough, with no new sample")
    func recorderFlushesByAge() async throws {
        let fixture = try StoreFixture()
        let recorder = TelemetryRecorder(store: fixture.store, policy: .init(
            batchMaxRows: 100, batchMaxAge: .seconds(1), fleetMessages: limits))
        await recorder.record(hotendSamples(count: 2, startMS: 0), atMS: 0)
        #expect(await recorder.isFlushDue(nowMS: 999) == false)
        #expect(try await recorder.flushIfDue(nowMS: 1_000) == 2)
        #expect(try messages(fixture.store).isEmpty)
        #expect(await recorder.isFlushDue(nowMS: 9_999) == false)
        #expect(await recorder.isFlushDue(nowMS: 10_000))
        _ = try await recorder.flushIfDue(nowMS: 10_000)
        #expect(try messages(fixture.store).map(\.count) == [2])
        #expect(await recorder.isFlushDue(nowMS: 60_000) == false)
    }
}
