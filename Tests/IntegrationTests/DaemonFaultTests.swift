import Foundation
import PrintEdgeFixtures
import PrintEdgeStore
import PrintEdgeTestSupport
import Testing

/// What goes wrong on a print farm, with real processes: a firmware that resets, a cable
/// pulled, a full disk, a file sliced for another printer.
@Suite(.serialized) struct DaemonFaultTests {
    @Test func aFirmwareResetMidPrintFailsTheJobAndThePrinterComesBackForTheNext() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"], extraSimulatorArguments: ["mk": ["--reset-after-lines", "300"]])
        let first = scratch.file("first.gcode")
        try SampleGCode.write(SampleGCode.distinctMoves(count: 1_000), to: first)
        let second = scratch.file("second.gcode")
        try SampleGCode.write(SampleGCode.calibrationPrint(layers: 2), to: second)

        #expect(try await daemon.cli(["jobs", "submit", first, "--start"]).status == 0)
        let failed = try await daemon.waitForJob(1)
        #expect(failed["state"] as? String == "failed", "\(failed)")
        let reason = failed["failure_reason"] as? String ?? ""
        #expect(reason.contains("the printer reset"), "\(reason)")
        try await daemon.waitUntil("the printer reconnects and is idle") { try await daemon.printerJSON("mk")["state"] as? String == "idle" }

        let next = try await daemon.cli(["jobs", "submit", second, "--start"])
        #expect(next.status == 0, "\(next.standardError)")
        #expect(try await daemon.waitForJob(2)["state"] as? String == "completed")
        await daemon.terminate()

        let executed = DaemonIntegrationTests.printed(try Simulator.readLog(daemon.execLogPath("mk")))
        let secondCommands = try normalisedCommands(ofFile: second)
        #expect(Array(executed.suffix(secondCommands.count)) == secondCommands, "the next job prints whole after the reset")
        let store = try Store(path: daemon.stateDirectory + "/printedge.sqlite")
        #expect(try store.events(jobID: 1).map(\.kind.rawValue) == ["submitted", "started", "failed"])
    }

    @Test func anUnpluggedPrinterFailsItsJobWhileTheOtherPrintsOnAndItComesBackWhenReplugged() async throws {
        let scratch = try TemporaryDirectory()
        var simulator = try await Simulator(in: scratch, arguments: ["--speedup", "20"])
        let daemon = try await DaemonProcess(in: scratch, printers: ["right"], speedup: 20, ports: ["left": simulator.link])
        let leftFile = scratch.file("left.gcode")
        try SampleGCode.write(SampleGCode.distinctMoves(count: 3_000), to: leftFile)
        let rightFile = scratch.file("right.gcode")
        try SampleGCode.write(SampleGCode.calibrationPrint(layers: 8), to: rightFile)

        #expect(try await daemon.cli(["jobs", "submit", leftFile, "--printer", "left", "--start"]).status == 0)
        #expect(try await daemon.cli(["jobs", "submit", rightFile, "--printer", "right", "--start"]).status == 0)
        try await DaemonJobControlTests.waitUntilPrinting(job: 1, pastLine: 200, daemon)

        await simulator.kill()  // SIGKILL: the pty goes with the process, as a pulled cable takes the tty
        let failed = try await daemon.waitForJob(1, limit: .seconds(60))
        #expect(failed["state"] as? String == "failed", "\(failed)")
        let reason = failed["failure_reason"] as? String ?? ""
        #expect(reason.contains("disconnected") || reason.contains("unplugged"), "\(reason)")
        #expect(try await daemon.jobJSON(2)["state"] as? String == "printing", "the other printer prints on")
        #expect(try await daemon.printerJSON("left")["state"] as? String != "idle")

        simulator = try await Simulator(in: scratch, arguments: ["--speedup", "20"])
        try await daemon.waitUntil("the replugged printer reconnects and is idle") {
            try await daemon.printerJSON("left")["state"] as? String == "idle"
        }
        #expect(try await daemon.waitForJob(2)["state"] as? String == "completed")
        let small = scratch.file("small.gcode")
        try SampleGCode.write(SampleGCode.distinctMoves(count: 100), to: small)
        #expect(try await daemon.cli(["jobs", "submit", small, "--printer", "left", "--start"]).status == 0)
        #expect(try await daemon.waitForJob(3)["state"] as? String == "completed")
        await daemon.terminate()
        await simulator.stop()

        let right = DaemonIntegrationTests.printed(try Simulator.readLog(daemon.execLogPath("right")))
        #expect(right == (try normalisedCommands(ofFile: rightFile)), "the other printer's job is exactly its file")
        #expect(DaemonIntegrationTests.printed(try simulator.executedCommands()) == (try normalisedCommands(ofFile: small)))
    }

    @Test func aFullDiskKeepsThePrintGoingHoldsItsJobEventsAndRecordsAgainWhenSpaceReturns() async throws {
        let scratch = try TemporaryDirectory()
        // The cap equals the retention limit, so retention finds nothing to trim by size: the
        // test decides when space returns. A fleet link whose broker is unreachable (no one
        // listens on the port) makes each job event write its fleet message too, as on a farm
        // host whose network is down as well.
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"], speedup: 20, configuration: """
            [retention]
            max_database_mb = 2
            database_hard_limit_mb = 2

            [mqtt]
            host = "127.0.0.1"
            port = \(try freePort())
            fleet = "farm"

            """)
        let job = try DaemonJobControlTests.job(in: scratch)
        let next = scratch.file("next.gcode")
        try SampleGCode.write(SampleGCode.distinctMoves(count: 50), to: next)
        #expect(try await daemon.cli(["jobs", "submit", job.path, "--start"]).status == 0)
        #expect(try await daemon.cli(["jobs", "submit", next]).status == 0)
        try await DaemonJobControlTests.waitUntilPrinting(job: 1, pastLine: 200, daemon)

        let disk = try DatabaseBallast(path: daemon.stateDirectory + "/printedge.sqlite", printerID: "mk", limitBytes: 2 << 20)
        try disk.fill()
        try await daemon.waitUntil("status reports the full disk") { try await daemon.cli(["status"]).standardOutput.contains("storage: the disk is full") }
        let lineWhenFull = Self.acknowledgedLine(try await daemon.printerJSON("mk"))
        try await daemon.waitUntil("the job prints on") { Self.acknowledgedLine(try await daemon.printerJSON("mk")) > lineWhenFull + 50 }

        // A stop never waits for the disk; its event is held, not dropped.
        let paused = try await daemon.cli(["jobs", "pause", "1"])
        #expect(paused.status == 0, "\(paused.standardError)")
        _ = try await DaemonJobControlTests.waitUntilParked(daemon, log: daemon.execLogPath("mk"))
        #expect(try await daemon.cli(["status"]).standardOutput.contains("1 job event held in memory"))
        #expect(try disk.store.job(id: 1)?.state == .printing, "the pause is held, not yet written")
        let refused = try await daemon.cli(["jobs", "resume", "1"])
        #expect(refused.status == 74, "the database refused: EX_IOERR")
        #expect(refused.standardError.contains("waiting to be written") && refused.standardError.contains("disk is full"), "\(refused.standardError)")

        let freedAtMS = try disk.free()
        try await daemon.waitUntil("the held pause is written") { try disk.store.job(id: 1)?.state == .paused }
        try await daemon.waitUntil("status no longer reports the disk") { !(try await daemon.cli(["status"]).standardOutput.contains("storage:")) }
        let resumed = try await daemon.cli(["jobs", "resume", "1"])
        #expect(resumed.status == 0, "\(resumed.standardError)")

        try disk.fill()
        try await daemon.waitUntil("the job runs to its end on the full disk") { try await daemon.printerJSON("mk")["state"] as? String == "idle" }
        #expect(try disk.store.job(id: 1)?.state == .printing, "the completion is held, not yet written")
        let start = try await daemon.cli(["jobs", "start", "2"])
        #expect(start.status == 74, "no job starts while earlier events wait")
        #expect(start.standardError.contains("waiting to be written"), "\(start.standardError)")

        let refreedAtMS = try disk.free()
        try await daemon.waitUntil("the held completion is written") { try disk.store.job(id: 1)?.state == .completed }
        try await daemon.waitUntil("telemetry is recorded again") {
            try disk.store.telemetry(printerID: "mk", sinceMS: refreedAtMS).contains { $0.channel == .bed }
        }
        let events = try disk.store.events(jobID: 1)
        #expect(events.map(\.kind.rawValue) == ["submitted", "started", "paused", "resumed", "completed"])
        let samples = try disk.store.telemetry(printerID: "mk", sinceMS: 0, limit: 1_000_000)
        #expect(samples.contains { $0.atMS > freedAtMS - 1_000 && $0.atMS < freedAtMS }, "samples held while the disk was full are written")
        await daemon.terminate()
        #expect(try disk.store.integrityCheck() == "ok")
    }

    @Test func aJobOutsideTheBuildVolumeIsRefusedWithTheReasonUnlessForced() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"])
        let path = scratch.file("too-wide.gcode")
        try SampleGCode.write(["G21", "G90", "G28", "G1 X100 Y100 F6000", "; the next move is 10.5 mm too far", "G1 X230.5 Y100"], to: path)

        let refused = try await daemon.cli(["jobs", "submit", path])
        #expect(refused.status == 65, "a refused file is EX_DATAERR")
        #expect(refused.standardError.contains("line 6: G1 X230.5 Y100 leaves the build volume (X 0…220 mm) at X 230.5 mm, 10.5 mm past the maximum"),
                "\(refused.standardError)")
        #expect(refused.standardError.contains("--force"))
        #expect(try await daemon.jobJSON(1).isEmpty, "nothing is queued")
        let spool = (try? FileManager.default.contentsOfDirectory(atPath: daemon.stateDirectory + "/spool")) ?? []
        #expect(spool.isEmpty, "nothing is left in the spool: \(spool)")

        let forced = try await daemon.cli(["jobs", "submit", path, "--force", "--json"])
        #expect(forced.status == 0, "\(forced.standardError)")
        #expect(try await daemon.jobJSON(1)["state"] as? String == "queued")
    }

    /// The job's last acknowledged line, as status shows it (what the printer did, whether or
    /// not the disk took the progress).
    static func acknowledgedLine(_ printer: [String: Any]) -> Int {
        (printer["job"] as? [String: Any])?["acknowledged_source_line"] as? Int ?? 0
    }
}
