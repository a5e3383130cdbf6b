@testable import PrintEdgeStore
import Testing

@Suite("Telemetry rows")
struct TelemetryTests {
    @Test("appended samples come back per printer from a time on, oldest first")
    func appendAndQuery() throws {
        let fixture = try StoreFixture(printers: ["mk4", "voron"])
        let store = fixture.store

        #expect(try store.appendTelemetry(hotendSamples(count: 10)) == 10)
        try store.appendTelemetry(hotendSamples(printerID: "voron", count: 3))

        let since = try store.telemetry(printerID: "mk4", sinceMS: 7_000)
        #expect(since.map(\.value) == [7, 8, 9])
        #expect(since.first == TelemetrySample(
            printerID: "mk4", atMS: 7_000, channel: .hotend(0), value: 7, target: 215))
        #expect(try store.telemetry(printerID: "mk4", sinceMS: 0, limit: 4).count == 4)
        #expect(try store.telemetry(printerID: "voron", sinceMS: 0).count == 3)
    }

    @Test("the latest sample of each live channel, leaving out channels silent for a minute")
    func latestPerChannel() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        try store.appendTelemetry([
            TelemetrySample(printerID: "mk4", atMS: 0, channel: .chamber, value: 30),
            TelemetrySample(printerID: "mk4", atMS: 100_000, channel: .hotend(0), value: 200, target: 215),
            TelemetrySample(printerID: "mk4", atMS: 100_000, channel: .bed, value: 58, target: 60),
            TelemetrySample(printerID: "mk4", atMS: 101_000, channel: .hotend(0), value: 205, target: 215),
            TelemetrySample(printerID: "mk4", atMS: 101_500, channel: .progress, value: 0.25, jobID: 7),
        ])

        let latest = try store.latestTelemetry(printerID: "mk4")

        #expect(latest.map(\.channel) == [.bed, .hotend(0), .progress])
        #expect(latest.map(\.value) == [58, 205, 0.25])
        #expect(latest.last?.jobID == 7)
        #expect(try store.latestTelemetry(printerID: "voron").isEmpty)
    }

    @Test("a sample that is not a number is skipped instead of failing its batch")
    func nonFiniteValuesAreSkipped() throws {
        let fixture = try StoreFixture()
        var samples = hotendSamples(count: 3)
        samples[1].value = .nan
        samples[2].target = .infinity

        #expect(try fixture.store.appendTelemetry(samples) == 2)

        let stored = try fixture.store.telemetry(printerID: "mk4", sinceMS: 0)
        #expect(stored.map(\.value) == [0, 2])
        #expect(stored.last?.target == nil)
    }

    @Test("a reader sees the last committed state while a write transaction is open, and never waits")
    func readerDuringWrite() throws {
        let fixture = try StoreFixture()
        let writer = fixture.store
        let reader = try Store(path: fixture.databasePath)
        try writer.appendTelemetry(hotendSamples(count: 100))

        let seenDuringWrite = try writer.pool.write { db in
            _ = try Store.insertTelemetry(hotendSamples(count: 50, startMS: 100_000), db)
            return try reader.telemetry(printerID: "mk4", sinceMS: 0).count
        }

        #expect(seenDuringWrite == 100, "uncommitted rows are invisible, committed ones readable")
        #expect(try reader.telemetry(printerID: "mk4", sinceMS: 0).count == 150)
    }
}
