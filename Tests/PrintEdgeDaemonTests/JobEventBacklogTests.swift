import Foundation
@testable import PrintEdgeDaemon
import PrintEdgeStore
import Testing

/// Job steps the store refused for now wait in order, and nothing the printer did is lost.
@Suite struct JobEventBacklogTests {
    /// A real store whose writes fail as on a full disk while `isFull` is set.
    private final class Disk {
        let directory: String
        let store: Store
        var isFull = false
        var attempts = 0

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("printedge-backlog-\(UUID().uuidString)").path
            store = try Store(directory: directory)
            try store.upsertPrinter(PrinterRecord(id: "mk", name: "mk", port: "/dev/ttyACM0", profile: "marlin-generic",
                                                  state: "idle", updatedAtMS: 0))
        }

        deinit {
            try? FileManager.default.removeItem(atPath: directory)
        }

        func submit() throws -> Int64 {
            let job = JobRecord(printerID: "mk", name: "cube.gcode", spoolPath: "\(directory)/cube.gcode",
                                sha256: String(repeating: "ab", count: 32), sizeBytes: 100, commands: 10, sourceLines: 10,
                                layerCount: 1, submittedAtMS: 1_000)
            return try #require(try store.submitJob(job, layers: []).id)
        }

        func transition(_ step: JobEventBacklog.Step) throws(StoreError) -> JobRecord {
            attempts += 1
            if isFull { throw .diskFull(path: store.path) }
            return try store.transition(jobID: step.jobID, to: step.state, kind: step.kind, detail: step.detail, atMS: step.atMS)
        }
    }

    @Test func stepsRefusedByAFullDiskWaitAndAreWrittenInOrderWithTheirOwnTimes() throws {
        let disk = try Disk()
        let job = try disk.submit()
        _ = try disk.store.transition(jobID: job, to: .printing, atMS: 2_000)
        var backlog = JobEventBacklog()
        disk.isFull = true

        backlog.append(.init(jobID: job, state: .paused, kind: .paused, detail: "paused from the printer's screen", atMS: 3_000))
        #expect(backlog.write(disk.transition).recorded.isEmpty)
        backlog.append(.init(jobID: job, state: .cancelled, kind: .cancelled, detail: "cancelled by the user", atMS: 4_000))
        #expect(backlog.write(disk.transition).recorded.isEmpty)
        #expect(backlog.count == 2)
        #expect(backlog.refusal == .diskFull(path: disk.store.path))
        #expect(disk.attempts == 2, "the oldest step goes first; a later one never jumps it")
        #expect(try disk.store.job(id: job)?.state == .printing)

        disk.isFull = false
        let outcome = backlog.write(disk.transition)
        #expect(outcome.recorded.map(\.state) == [.paused, .cancelled])
        #expect(outcome.rejected.isEmpty)
        #expect(backlog.isEmpty)
        #expect(backlog.refusal == nil)
        let events = try disk.store.events(jobID: job)
        #expect(events.map(\.kind.rawValue) == ["submitted", "started", "paused", "cancelled"])
        #expect(events.suffix(2).map(\.atMS) == [3_000, 4_000])
    }

    @Test func aStepTheStoreWillNeverTakeIsHandedBackWithoutHoldingUpTheNextOnes() throws {
        let disk = try Disk()
        let job = try disk.submit()
        var backlog = JobEventBacklog()
        backlog.append(.init(jobID: job, state: .completed, kind: nil, detail: nil, atMS: 2_000))
        backlog.append(.init(jobID: job, state: .printing, kind: .started, detail: nil, atMS: 3_000))

        let outcome = backlog.write(disk.transition)
        #expect(outcome.rejected.map(\.step.state) == [.completed])
        #expect(outcome.rejected.first?.error == .illegalTransition(job: job, from: .queued, to: .completed))
        #expect(outcome.recorded.map(\.state) == [.printing])
        #expect(backlog.isEmpty)
    }
}
