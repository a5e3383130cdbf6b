@testable import PrintEdgeStore
import Testing

@Suite("Retention")
struct RetentionTests {
    @Test("a row limit deletes the oldest telemetry down to the limit")
    func byRows() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        try store.appendTelemetry(hotendSamples(count: 1_000))

        let report = try store.enforceRetention(.init(maxTelemetryRows: 300), nowMS: 1_000_000)

        #expect(report.telemetryRowsDeleted == 700)
        #expect(report.limitsMet)
        let kept = try store.telemetry(printerID: "mk4", sinceMS: 0, limit: 10_000)
        #expect(kept.count == 300)
        #expect(kept.first?.atMS == 700_000)
    }

    @Test("an age limit deletes older telemetry and delivered messages, keeping each printer's newest")
    func byAge() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        try store.appendTelemetry(hotendSamples(count: 100))
        let jobID = try #require(try fixture.submitJob(atMS: 0).id)
        let statuses = try (0..<4).map { index in
            try store.appendOutbox(
                printerID: "mk4", kind: .init(rawValue: "status"), payload: "{}", atMS: Int64(index) * 1_000)
        }
        try store.markDelivered(ids: statuses.compactMap(\.id), atMS: 5_000)

        let report = try store.enforceRetention(.init(maxAge: .seconds(60)), nowMS: 100_000)

        #expect(report.telemetryRowsDeleted == 40, "samples before 40 s are older than a minute")
        #expect(try store.telemetry(printerID: "mk4", sinceMS: 0).first?.atMS == 40_000)
        #expect(report.deliveredMessagesDeleted == 3, "the newest delivered one carries the sequence")
        #expect(try store.undeliveredOutbox(printerID: "mk4").map(\.sequence) == [1, 2],
                "the job's undelivered submission and record stay, whatever their age")
        #expect(try store.events(jobID: jobID).count == 1)
        let next = try store.appendOutbox(
            printerID: "mk4", kind: .init(rawValue: "status"), payload: "{}", atMS: 100_000)
        #expect(next.sequence == 7)
    }

    @Test("a size limit deletes the oldest telemetry until the file fits, and the file shrinks")
    func byBytes() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let jobID = try #require(try fixture.submitJob().id)
        for batch in 0..<10 {
            try store.appendTelemetry(hotendSamples(count: 5_000, startMS: Int64(batch) * 5_000_000))
        }
        let before = try store.databaseBytes()
        let limit: Int64 = 512 * 1_024
        #expect(before > 4 * limit)

        let report = try store.enforceRetention(.init(maxDatabaseBytes: limit), nowMS: 0)

        #expect(report.limitsMet)
        #expect(report.databaseBytesBefore == before)
        #expect(report.databaseBytesAfter <= limit)
        #expect(try store.databaseBytes() == report.databaseBytesAfter)
        let remaining = try store.telemetry(printerID: "mk4", sinceMS: 0, limit: 100_000)
        #expect(!remaining.isEmpty, "only as much as needed goes")
        #expect(remaining.count == 50_000 - report.telemetryRowsDeleted)
        let newestMS: Int64 = 9 * 5_000_000 + 4_999_000
        #expect(remaining.last?.atMS == newestMS, "the newest stay")
        #expect(try fileSize(fixture.databasePath) <= limit, "freed pages went back to the filesystem")
        #expect(try store.events(jobID: jobID).count == 1)
        #expect(try store.undeliveredOutbox(printerID: "mk4").count == 2)
        #expect(try store.integrityCheck() == "ok")
    }

    @Test("a size limit that only undelivered messages and job history exceed is reported, and they stay")
    func byBytesShortfall() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let jobID = try #require(try fixture.submitJob().id)
        let padding = String(repeating: "x", count: 2_000)
        for index in 0..<300 {
            try store.appendOutbox(
                printerID: "mk4", kind: .init(rawValue: "status"), payload: #"{"pad":"\#(padding)"}"#,
                atMS: Int64(index))
        }
        try store.appendTelemetry(hotendSamples(count: 2_000))

        let report = try store.enforceRetention(.init(maxDatabaseBytes: 64 * 1_024), nowMS: 0)

        #expect(report.telemetryRowsDeleted == 2_000)
        #expect(!report.limitsMet)
        #expect(report.shortfall?.contains("302 undelivered fleet messages are never deleted") == true)
        #expect(try store.undeliveredOutbox(printerID: "mk4", limit: 1_000).count == 302)
        #expect(try store.events(jobID: jobID).count == 1)
        #expect(report.description.contains("retention deleted 2000 telemetry rows"))
    }

    @Test("the schema itself refuses to delete job events or undelivered messages")
    func schemaProtectsHistory() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        try fixture.submitJob()

        for sql in ["DELETE FROM job_event", "UPDATE job_event SET detail = 'x'", "DELETE FROM outbox"] {
            let error = #expect(throws: StoreError.self) {
                try store.write { db in try db.execute(sql: sql) }
            }
            guard case .constraintViolated = error else {
                Issue.record("\(sql): expected .constraintViolated, got \(String(describing: error))")
                continue
            }
        }
        #expect(try store.undeliveredOutbox(printerID: "mk4").count == 2)
    }
}
