import Foundation
import GRDB
@testable import PrintEdgeStore
import Testing

@Suite("Jobs, their events and the fleet outbox")
struct JobLifecycleTests {
    @Test("submitting queues the job with its layers, a submitted event and a fleet message")
    func submitWritesJobLayersEventAndMessage() throws {
        let fixture = try StoreFixture()
        let store = fixture.store

        let job = try fixture.submitJob(atMS: 5_000)

        let jobID = try #require(job.id)
        #expect(job.state == .queued)
        #expect(job.queuePosition == 1)
        #expect(try store.job(id: jobID) == job)
        let layers = try store.layers(jobID: jobID)
        #expect(layers.map(\.layer) == [0, 1, 2, 3, 4])
        #expect(layers.allSatisfy { $0.jobID == jobID })
        let events = try store.events(jobID: jobID)
        #expect(events.map(\.kind) == [.submitted])
        #expect(events.first?.fromState == nil)
        #expect(events.first?.toState == .queued)
        let outbox = try store.undeliveredOutbox(printerID: "mk4")
        #expect(outbox.map(\.sequence) == [1, 2])
        #expect(outbox.map(\.kind) == [.jobEvent, .jobRecord])
        let payload = try JSONDecoder().decode(
            JobEventPayload.self, from: Data(try #require(outbox.first).payload.utf8))
        #expect(payload.jobID == jobID)
        #expect(payload.eventID == events.first?.id)
        #expect(payload.kind == .submitted)
        #expect(payload.to == .queued)
        #expect(payload.atMS == 5_000)
    }

    @Test("a printing job gets its layers' start offsets alone, in layer order")
    func layerStartsAreInLayerOrder() throws {
        let fixture = try StoreFixture()
        let jobID = try #require(try fixture.submitJob().id)
        let starts = try fixture.store.layerStarts(jobID: jobID)
        #expect(starts.map(\.layer) == [0, 1, 2, 3, 4])
        #expect(starts.last?.byteOffset == 12_200)
        #expect(zip(starts, starts.dropFirst()).allSatisfy { $0.byteOffset < $1.byteOffset })
    }

    @Test("a print's steps each write one event, and its message and the job's record numbered consecutively for the fleet")
    func lifecycleRecordsEveryStep() throws {
        let fixture = try StoreFixture(printers: ["mk4", "voron"])
        let store = fixture.store
        let jobID = try #require(try fixture.submitJob(atMS: 1_000).id)
        let otherID = try #require(try fixture.submitJob(printerID: "voron", atMS: 1_500).id)

        try store.transition(jobID: jobID, to: .printing, atMS: 2_000)
        try store.transition(jobID: otherID, to: .printing, atMS: 2_100)
        try store.transition(jobID: jobID, to: .paused, detail: "operator", atMS: 3_000)
        let resumed = try store.transition(jobID: jobID, to: .printing, atMS: 4_000)
        let completed = try store.transition(jobID: jobID, to: .completed, atMS: 9_000)

        #expect(resumed.startedAtMS == 2_000, "a resume keeps the first start")
        #expect(completed.state == .completed)
        #expect(completed.endedAtMS == 9_000)
        #expect(try store.job(id: jobID) == completed)
        let events = try store.events(jobID: jobID)
        #expect(events.map(\.kind) == [.submitted, .started, .paused, .resumed, .completed])
        #expect(events.map(\.fromState) == [nil, .queued, .printing, .paused, .printing])
        #expect(events.map(\.atMS) == [1_000, 2_000, 3_000, 4_000, 9_000])
        #expect(events[2].detail == "operator")
        let messages = try store.undeliveredOutbox(printerID: "mk4")
        #expect(messages.map(\.sequence) == Array(1...10))
        let payloads = try messages.filter { $0.kind == .jobEvent }.map {
            try JSONDecoder().decode(JobEventPayload.self, from: Data($0.payload.utf8))
        }
        #expect(payloads.map(\.eventID) == events.map(\.id))
        #expect(try store.undeliveredOutbox(printerID: "voron").map(\.sequence) == [1, 2, 3, 4])
    }

    @Test("an illegal step throws, naming the allowed ones, and writes no state, event or message")
    func illegalTransitionWritesNothing() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let jobID = try #require(try fixture.submitJob().id)
        try store.transition(jobID: jobID, to: .printing, atMS: 2_000)
        let completed = try store.transition(jobID: jobID, to: .completed, atMS: 3_000)
        let eventsBefore = try store.events(jobID: jobID)
        let outboxBefore = try store.undeliveredOutbox(printerID: "mk4")

        let error = #expect(throws: StoreError.self) {
            try store.transition(jobID: jobID, to: .printing, atMS: 4_000)
        }

        #expect(error == .illegalTransition(job: jobID, from: .completed, to: .printing))
        #expect(error.map(String.init(describing:))?.contains("nothing was changed") == true)
        #expect(try store.job(id: jobID) == completed)
        #expect(try store.events(jobID: jobID) == eventsBefore)
        #expect(try store.undeliveredOutbox(printerID: "mk4") == outboxBefore)
    }

    @Test("a printer runs one job at a time: starting a second is refused and writes nothing")
    func secondRunningJobIsRefused() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let first = try #require(try fixture.submitJob(name: "a.gcode").id)
        let second = try #require(try fixture.submitJob(name: "b.gcode").id)
        try store.transition(jobID: first, to: .printing, atMS: 2_000)

        #expect(throws: StoreError.printerBusy(printerID: "mk4", activeJob: first)) {
            try store.transition(jobID: second, to: .printing, atMS: 2_500)
        }

        #expect(try store.job(id: second)?.state == .queued)
        #expect(try store.events(jobID: second).count == 1)
        #expect(try store.undeliveredOutbox(printerID: "mk4").count == 6, "two jobs submitted, one started: an event and a record each")
    }

    @Test("a failure keeps its reason; a requeue clears it and goes to the back of the queue")
    func failAndRequeue() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let failing = try #require(try fixture.submitJob(name: "a.gcode").id)
        let waiting = try fixture.submitJob(name: "b.gcode")
        try store.transition(jobID: failing, to: .printing, atMS: 2_000)
        try store.recordProgress(
            jobID: failing, lastAckedSourceLine: 300, lastAckedByte: 9_000, ackedCommands: 280,
            zMM: 0.6, layer: 2)

        let failed = try store.transition(
            jobID: failing, to: .failed, detail: "Error:Thermal Runaway, system stopped! Heater_ID: 0",
            atMS: 3_000)
        #expect(failed.failureReason == "Error:Thermal Runaway, system stopped! Heater_ID: 0")
        #expect(failed.endedAtMS == 3_000)

        let requeued = try store.transition(jobID: failing, to: .queued, atMS: 4_000)
        #expect(requeued.failureReason == nil)
        #expect(requeued.startedAtMS == nil)
        #expect(requeued.endedAtMS == nil)
        #expect(requeued.lastAckedSourceLine == 0)
        #expect(requeued.currentLayer == nil)
        #expect(requeued.queuePosition > waiting.queuePosition)
        #expect(try store.nextQueuedJob(printerID: "mk4")?.id == waiting.id)
        #expect(try store.events(jobID: failing).last?.kind == .requeued)
    }

    @Test("at start-up, printing and paused jobs become interrupted with the last acknowledged line")
    func unfinishedJobsBecomeInterrupted() throws {
        let fixture = try StoreFixture(printers: ["mk4", "voron"])
        let store = fixture.store
        let printing = try #require(try fixture.submitJob(printerID: "mk4").id)
        let paused = try #require(try fixture.submitJob(printerID: "voron").id)
        let queued = try #require(try fixture.submitJob(printerID: "mk4", name: "next.gcode").id)
        try store.transition(jobID: printing, to: .printing, atMS: 2_000)
        try store.recordProgress(
            jobID: printing, lastAckedSourceLine: 1_234, lastAckedByte: 40_000, ackedCommands: 1_100,
            zMM: 0.8, layer: 3)
        try store.transition(jobID: paused, to: .printing, atMS: 2_000)
        try store.transition(jobID: paused, to: .paused, atMS: 2_500)

        let interrupted = try store.markUnfinishedJobsInterrupted(atMS: 10_000)

        #expect(interrupted.map(\.id) == [printing, paused])
        #expect(interrupted.allSatisfy { $0.state == .interrupted })
        #expect(interrupted.first?.lastAckedSourceLine == 1_234, "progress is what recovery starts from")
        let event = try #require(try store.events(jobID: printing).last)
        #expect(event.kind == .interrupted)
        #expect(event.fromState == .printing)
        #expect(event.detail == "the daemon stopped while printing (crash or power loss); "
            + "last acknowledged line 1234")
        #expect(try store.events(jobID: paused).last?.fromState == .paused)
        #expect(try store.job(id: queued)?.state == .queued)
        #expect(try store.markUnfinishedJobsInterrupted(atMS: 11_000).isEmpty)
    }

    @Test("recovery reads one layer with its resume state")
    func layerByIndex() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let jobID = try #require(try fixture.submitJob().id)

        #expect(try store.layer(0, jobID: jobID)?.sourceLine == 10)
        let last = try store.layer(4, jobID: jobID)
        #expect(last?.byteOffset == 12_200)
        #expect(last?.resumeJSON == #"{"e":4}"#)
        #expect(try store.layer(5, jobID: jobID) == nil)
    }

    @Test("a parked head's height is kept until the job prints again")
    func parkedHeight() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let jobID = try #require(try fixture.submitJob().id)
        try store.transition(jobID: jobID, to: .printing, atMS: 1_000)
        try store.transition(jobID: jobID, to: .paused, atMS: 2_000)
        try store.recordParkedHeight(jobID: jobID, zMM: 17.75)
        let interrupted = try store.markUnfinishedJobsInterrupted(atMS: 3_000)
        #expect(interrupted.first?.parkedZMM == 17.75, "a crash while parked keeps where the head is")
        try store.transition(jobID: jobID, to: .printing, kind: .recovered, atMS: 4_000)
        #expect(try store.job(id: jobID)?.parkedZMM == nil)
    }

    @Test("the last layer printed survives a crash and a requeue forgets it")
    func printedLayer() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let jobID = try #require(try fixture.submitJob().id)
        try store.transition(jobID: jobID, to: .printing, atMS: 1_000)
        try store.recordPrintedLayer(jobID: jobID, layer: 3)
        let interrupted = try store.markUnfinishedJobsInterrupted(atMS: 2_000)
        #expect(interrupted.first?.printedLayer == 3)
        #expect(try store.layerStarts(jobID: jobID).map(\.layer) == [0, 1, 2, 3, 4])
        #expect(throws: StoreError.self) { try store.recordPrintedLayer(jobID: 999, layer: 1) }
    }

    @Test("progress is saved on the job row")
    func progressIsSaved() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let jobID = try #require(try fixture.submitJob().id)

        try store.recordProgress(
            jobID: jobID, lastAckedSourceLine: 250, lastAckedByte: 7_777, ackedCommands: 240,
            zMM: 0.6, layer: 2)

        let job = try #require(try store.job(id: jobID))
        #expect(job.lastAckedSourceLine == 250)
        #expect(job.lastAckedByte == 7_777)
        #expect(job.ackedCommands == 240)
        #expect(job.currentZMM == 0.6)
        #expect(job.currentLayer == 2)
    }

    @Test("unknown printers and jobs are reported by id")
    func unknownIDsAreReported() throws {
        let fixture = try StoreFixture()
        let store = fixture.store

        #expect(throws: StoreError.printerNotFound(id: "ender")) {
            _ = try store.submitJob(sampleJob(printerID: "ender"), layers: [])
        }
        #expect(throws: StoreError.jobNotFound(id: 42)) {
            try store.transition(jobID: 42, to: .printing, atMS: 1)
        }
        #expect(throws: StoreError.jobNotFound(id: 42)) {
            try store.recordProgress(
                jobID: 42, lastAckedSourceLine: 1, lastAckedByte: 1, ackedCommands: 1, zMM: nil, layer: nil)
        }
        #expect(throws: StoreError.printerNotFound(id: "ender")) {
            try store.setPrinterState(id: "ender", state: "idle", atMS: 1)
        }
        #expect(try store.events(jobID: 42).isEmpty)
    }

    @Test("a job the schema rejects (bad checksum text) is refused as a constraint, with nothing written")
    func schemaRejectsMalformedJob() throws {
        let fixture = try StoreFixture()
        var job = sampleJob()
        job.sha256 = "not-a-sha"

        let error = #expect(throws: StoreError.self) {
            _ = try fixture.store.submitJob(job, layers: [])
        }
        guard case .constraintViolated = error else {
            Issue.record("expected .constraintViolated, got \(String(describing: error))")
            return
        }
        #expect(try fixture.store.jobs().isEmpty)
        #expect(try fixture.store.undeliveredOutbox(printerID: "mk4").isEmpty)
    }

    @Test("jobs list newest first, filtered by printer and state; the queue head is the oldest queued")
    func listingJobs() throws {
        let fixture = try StoreFixture(printers: ["mk4", "voron"])
        let store = fixture.store
        let first = try #require(try fixture.submitJob(name: "1.gcode").id)
        let second = try #require(try fixture.submitJob(name: "2.gcode").id)
        let other = try #require(try fixture.submitJob(printerID: "voron").id)
        try store.transition(jobID: first, to: .printing, atMS: 2_000)

        #expect(try store.jobs().map(\.id) == [other, second, first])
        #expect(try store.jobs(printerID: "mk4").map(\.id) == [second, first])
        #expect(try store.jobs(printerID: "mk4", states: [.queued]).map(\.id) == [second])
        #expect(try store.jobs(limit: 1).map(\.id) == [other])
        #expect(try store.nextQueuedJob(printerID: "mk4")?.id == second)
        #expect(try store.nextQueuedJob(printerID: "voron")?.id == other)
    }

    @Test("the fleet link marks messages delivered once; they leave the undelivered list")
    func markingDelivered() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let jobID = try #require(try fixture.submitJob().id)
        try store.transition(jobID: jobID, to: .printing, atMS: 2_000)
        let status = try store.appendOutbox(
            printerID: "mk4", kind: .init(rawValue: "status"), payload: #"{"state":"printing"}"#,
            atMS: 2_001)
        #expect(status.sequence == 5)
        let messages = try store.undeliveredOutbox(printerID: "mk4")

        #expect(try store.markDelivered(ids: messages.prefix(4).compactMap(\.id), atMS: 3_000) == 4)
        #expect(try store.markDelivered(ids: messages.prefix(4).compactMap(\.id), atMS: 4_000) == 0)

        #expect(try store.undeliveredOutbox(printerID: "mk4").map(\.sequence) == [5])
    }

    @Test("printers are upserted from the configuration and keep their state separately")
    func printersAreUpserted() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        var renamed = printer("mk4")
        renamed.name = "MK4 by the window"

        try store.upsertPrinter(renamed)
        try store.setPrinterState(id: "mk4", state: "printing", atMS: 7_000)

        let stored = try #require(try store.printer(id: "mk4"))
        #expect(stored.name == "MK4 by the window")
        #expect(stored.state == "printing")
        #expect(stored.updatedAtMS == 7_000)
        #expect(try store.printers().map(\.id) == ["mk4"])
    }

    @Test("the latest calibration of a kind is the newest one")
    func latestCalibration() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        try store.recordCalibration(.init(printerID: "mk4", kind: "pid_hotend", dataJSON: #"{"p":20}"#, atMS: 1))
        try store.recordCalibration(.init(printerID: "mk4", kind: "pid_hotend", dataJSON: #"{"p":22}"#, atMS: 2))
        try store.recordCalibration(.init(printerID: "mk4", kind: "z_offset", dataJSON: #"{"z":-0.8}"#, atMS: 3))

        #expect(try store.latestCalibration(printerID: "mk4", kind: "pid_hotend")?.dataJSON == #"{"p":22}"#)
        #expect(try store.latestCalibration(printerID: "mk4", kind: "bed_mesh") == nil)
    }
}

@Suite struct CalibrationRunTests {
    @Test func everyRunIsKeptButOnlyCompletedOnesAreTheLatest() throws {
        let store = try StoreFixture().store
        let good = try store.recordCalibration(.init(printerID: "mk4", kind: "z_offset", dataJSON: #"{"new_offset_mm":-0.8}"#, atMS: 1))
        try store.recordCalibration(.init(printerID: "mk4", kind: "z_offset", dataJSON: #"{"failure":{"cause":"cancelled"}}"#, atMS: 2, outcome: .cancelled))
        #expect(try store.latestCalibration(printerID: "mk4", kind: "z_offset")?.id == good.id)
        #expect(try store.calibrations(printerID: "mk4").map(\.outcome) == [.cancelled, .completed])
        #expect(try store.calibrations(printerID: nil, kinds: ["bed_mesh"]).isEmpty)
        #expect(try store.calibration(id: good.id ?? 0)?.dataJSON == #"{"new_offset_mm":-0.8}"#)
    }

    @Test func trammingMakesTheZOffsetAndTheMeshStaleUntilTheyRunAgain() throws {
        let store = try StoreFixture().store
        try store.recordCalibration(.init(printerID: "mk4", kind: "z_offset", dataJSON: "{}", atMS: 1, invalidates: ["bed_mesh"]))
        try store.recordCalibration(.init(printerID: "mk4", kind: "bed_mesh", dataJSON: "{}", atMS: 2))
        #expect(try store.calibrationStandings(printerID: "mk4").allSatisfy { !$0.isStale })
        let tramming = try store.recordCalibration(.init(printerID: "mk4", kind: "tramming", dataJSON: "{}", atMS: 3, invalidates: ["z_offset", "bed_mesh"]))
        // A failed run changes nothing.
        try store.recordCalibration(.init(printerID: "mk4", kind: "z_offset", dataJSON: "{}", atMS: 4, outcome: .failed))
        var standings = Dictionary(uniqueKeysWithValues: try store.calibrationStandings(printerID: "mk4").map { ($0.kind, $0) })
        #expect(standings["z_offset"]?.staleSince?.kind == "tramming" && standings["z_offset"]?.staleSince?.recordID == tramming.id)
        #expect(standings["bed_mesh"]?.isStale == true)
        #expect(standings["tramming"]?.isStale == false)
        try store.recordCalibration(.init(printerID: "mk4", kind: "z_offset", dataJSON: "{}", atMS: 5, invalidates: ["bed_mesh"]))
        standings = Dictionary(uniqueKeysWithValues: try store.calibrationStandings(printerID: "mk4").map { ($0.kind, $0) })
        #expect(standings["z_offset"]?.isStale == false)
        #expect(standings["bed_mesh"]?.staleSince?.kind == "tramming", "the first run that made it stale")
        try store.recordCalibration(.init(printerID: "mk4", kind: "bed_mesh", dataJSON: "{}", atMS: 6))
        #expect(try store.calibrationStandings(printerID: "mk4").allSatisfy { !$0.isStale })
    }

    @Test func withAFleetLinkARunIsQueuedForTheFleetInTheSameTransaction() throws {
        let store = try StoreFixture(feedsFleet: true).store
        let record = try store.recordCalibration(.init(printerID: "mk4", kind: "bed_mesh", dataJSON: "{}", atMS: 9)) { saved in
            #"{"calibration_id":\#(saved.id ?? 0)}"#
        }
        let message = try #require(try store.undeliveredOutbox(printerID: "mk4").last)
        #expect(message.kind == .calibration)
        #expect(message.payload == #"{"calibration_id":\#(record.id ?? 0)}"#)
    }

    @Test func theSchemaRefusesAnUnknownOutcome() throws {
        let store = try StoreFixture().store
        #expect(throws: StoreError.self) {
            try store.recordCalibration(.init(printerID: "mk4", kind: "tramming", dataJSON: "{}", atMS: 1, invalidates: []))
            try store.write { db in try db.execute(sql: "UPDATE calibration SET outcome = 'maybe'") }
        }
    }
}
