import Foundation
import PrintEdgeFixtures
import PrintEdgeStore
import PrintEdgeTestSupport
import Testing

/// Pause, resume and cancel mid-print, asked through the CLI or from the printer's own screen
/// (`//action:`): real processes, the simulator's execution log as the witness.
@Suite(.serialized) struct DaemonJobControlTests {
    /// The printedge-sim profile's scripts: `GCodeScripts.defaults` for its 220 × 220 mm bed.
    static let pauseScript = ["G91", "G1 Z10 F600", "G90", "G1 X0 Y220 F6000"]
    /// The park as `DaemonIntegrationTests.printed` shows it: the pause script (the `M400`
    /// printedge adds after it, so that a job shows paused only once its head is parked, is
    /// left out with the other host `M400`s).
    static let parkScript = pauseScript
    static let cancelScript = ["M104 S0", "M140 S0", "M106 S0", "G91", "G1 Z10 F600", "G90", "G1 X0 Y220 F6000", "M84 X Y E"]

    /// A job of distinct moves (a skipped or repeated line shows), long enough at this speedup
    /// for a pause or cancel to land mid-print; it heats without waiting, so targets show.
    static let speedup = 20.0
    static func job(in scratch: TemporaryDirectory, name: String = "job.gcode") throws -> (path: String, commands: [String]) {
        let path = scratch.file(name)
        try SampleGCode.write(["M140 S60", "M104 S200"] + SampleGCode.distinctMoves(count: 1_500), to: path)
        return (path, try normalisedCommands(ofFile: path))
    }

    @Test func aPausedJobParksThenResumesFromTheExactNextLine() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"], speedup: Self.speedup)
        let job = try Self.job(in: scratch)
        let started = try await daemon.cli(["jobs", "submit", job.path, "--start"])
        #expect(started.status == 0, "\(started.standardError)")
        try await Self.waitUntilPrinting(job: 1, pastLine: 200, daemon)

        let paused = try await daemon.cli(["jobs", "pause", "1"])
        #expect(paused.status == 0, "\(paused.standardError)")
        let whilePaused = try await Self.waitUntilParked(daemon, log: daemon.execLogPath("mk"))
        let resumed = try await daemon.cli(["jobs", "resume", "1"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(try await daemon.waitForJob(1, toLeave: ["printing", "paused"])["state"] as? String == "completed")
        await daemon.terminate()

        let executed = DaemonIntegrationTests.printed(try Simulator.readLog(daemon.execLogPath("mk")))
        Self.expectParkedAndResumedExactly(whilePaused: whilePaused, executed: executed, file: job.commands)
        let store = try Store(path: daemon.stateDirectory + "/printedge.sqlite")
        #expect(try store.events(jobID: 1).map(\.kind.rawValue) == ["submitted", "started", "paused", "resumed", "completed"])
    }

    @Test func aCancelledJobRunsTheCancelScriptAndLeavesTheHeatersOff() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"], speedup: Self.speedup)
        let job = try Self.job(in: scratch)
        #expect(try await daemon.cli(["jobs", "submit", job.path, "--start"]).status == 0)
        try await Self.waitUntilPrinting(job: 1, pastLine: 200, daemon)
        try await daemon.waitUntil("the heaters show the job's targets") { Self.targets(try await daemon.printerJSON("mk")) == [200, 60] }

        let cancelled = try await daemon.cli(["jobs", "cancel", "1"])
        #expect(cancelled.status == 0, "\(cancelled.standardError)")
        #expect(try await daemon.waitForJob(1, toLeave: ["printing"])["state"] as? String == "cancelled")
        try await daemon.waitUntil("status shows every heater's target at 0") { Self.targets(try await daemon.printerJSON("mk")) == [0, 0] }
        try await Self.waitUntilCancelScriptRan(log: daemon.execLogPath("mk"), daemon)
        await daemon.terminate()

        let executed = DaemonIntegrationTests.printed(try Simulator.readLog(daemon.execLogPath("mk")))
        Self.expectCancelledExactly(executed: executed, file: job.commands)
        let store = try Store(path: daemon.stateDirectory + "/printedge.sqlite")
        #expect(try store.events(jobID: 1).map(\.kind.rawValue) == ["submitted", "started", "cancelled"])
    }

    @Test func thePrintersScreenPausesResumesAndCancelsAsTheUserWould() async throws {
        let scratch = try TemporaryDirectory()
        let screen = scratch.file("screen")
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"], speedup: Self.speedup,
                                       extraSimulatorArguments: ["mk": ["--host-action-file", screen]])
        let job = try Self.job(in: scratch)
        let log = daemon.execLogPath("mk")
        #expect(try await daemon.cli(["jobs", "submit", job.path, "--start"]).status == 0)
        try await Self.waitUntilPrinting(job: 1, pastLine: 200, daemon)

        try Self.press("pause", on: screen)
        let whilePaused = try await Self.waitUntilParked(daemon, log: log)
        try Self.press("resume", on: screen)
        #expect(try await daemon.waitForJob(1, toLeave: ["printing", "paused"])["state"] as? String == "completed")
        var firstJob: [String] = []
        try await daemon.waitUntil("the simulator's log holds all of the first job") {
            firstJob = DaemonIntegrationTests.printed(try Simulator.readLog(log))
            return firstJob.last == job.commands.last
        }
        Self.expectParkedAndResumedExactly(whilePaused: whilePaused, executed: firstJob, file: job.commands)

        // Resume pressed while the head is still parking: it waits for the park.
        #expect(try await daemon.cli(["jobs", "submit", job.path, "--start"]).status == 0)
        try await Self.waitUntilPrinting(job: 2, pastLine: 200, daemon)
        try Self.press("pause\nresume", on: screen)
        #expect(try await daemon.waitForJob(2, toLeave: ["printing", "paused"])["state"] as? String == "completed")
        var secondJob: [String] = []
        try await daemon.waitUntil("the simulator's log holds all of the second job") {
            secondJob = Array(DaemonIntegrationTests.printed(try Simulator.readLog(log)).dropFirst(firstJob.count))
            return secondJob.count > job.commands.count && secondJob.last == job.commands.last
        }
        let parkEnd = Self.end(of: Self.parkScript, in: secondJob)
        #expect(parkEnd != nil, "the second job was parked: \(secondJob.count) commands")
        Self.expectParkedAndResumedExactly(whilePaused: Array(secondJob.prefix(parkEnd ?? 0)), executed: secondJob, file: job.commands)

        #expect(try await daemon.cli(["jobs", "submit", job.path, "--start"]).status == 0)
        try await Self.waitUntilPrinting(job: 3, pastLine: 200, daemon)
        try Self.press("cancel", on: screen)
        #expect(try await daemon.waitForJob(3, toLeave: ["printing"])["state"] as? String == "cancelled")
        try await Self.waitUntilCancelScriptRan(log: log, daemon)
        await daemon.terminate()

        let executed = DaemonIntegrationTests.printed(try Simulator.readLog(log))
        #expect(Array(executed.prefix(firstJob.count + secondJob.count)) == firstJob + secondJob)
        Self.expectCancelledExactly(executed: Array(executed.dropFirst(firstJob.count + secondJob.count)), file: job.commands)
        let store = try Store(path: daemon.stateDirectory + "/printedge.sqlite")
        for id: Int64 in [1, 2] {
            let events = try store.events(jobID: id)
            #expect(events.map(\.kind.rawValue) == ["submitted", "started", "paused", "resumed", "completed"], "job \(id)")
            #expect(events.compactMap(\.detail).contains("paused from the printer's screen"), "job \(id)")
            #expect(events.compactMap(\.detail).contains("resumed from the printer's screen"), "job \(id)")
        }
        let third = try store.events(jobID: 3)
        #expect(third.map(\.kind.rawValue) == ["submitted", "started", "cancelled"])
        #expect(third.last?.detail == "cancelled from the printer's screen")
    }

    // MARK: - Helpers

    /// Appends a button press to the simulator's `--host-action-file`.
    static func press(_ action: String, on screen: String) throws {
        if !FileManager.default.fileExists(atPath: screen), !FileManager.default.createFile(atPath: screen, contents: nil) {
            throw SimulatorError(description: "cannot create \(screen)")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: screen))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("\(action)\n".utf8))
    }

    static func waitUntilPrinting(job id: Int, pastLine line: Int, _ daemon: DaemonProcess) async throws {
        try await daemon.waitUntil("job \(id) has passed line \(line)") {
            let job = try await daemon.jobJSON(id)
            #expect(job["state"] as? String != "completed", "the job ended before it could be interrupted: make it longer")
            return job["state"] as? String == "printing" && (job["acknowledged_source_line"] as? Int ?? 0) >= line
        }
    }

    /// Waits until the printer is paused and its park script executed; returns the log then.
    static func waitUntilParked(_ daemon: DaemonProcess, log: String) async throws -> [String] {
        var executed: [String] = []
        try await daemon.waitUntil("the printer is paused and parked") {
            guard try await daemon.printerJSON("mk")["state"] as? String == "paused" else { return false }
            executed = DaemonIntegrationTests.printed(try Simulator.readLog(log))
            return executed.suffix(parkScript.count) == parkScript[...]
        }
        return executed
    }

    /// A cancel script's moves are acknowledged before the simulator has run them, and stopping
    /// the daemon stops its simulator: a test reading the log after the stop waits for them.
    static func waitUntilCancelScriptRan(log: String, _ daemon: DaemonProcess) async throws {
        try await daemon.waitUntil("the simulator ran the cancel script") {
            DaemonIntegrationTests.printed(try Simulator.readLog(log)).suffix(cancelScript.count) == cancelScript[...]
        }
    }

    /// Where the first run of `script` in `executed` ends.
    static func end(of script: [String], in executed: [String]) -> Int? {
        guard executed.count >= script.count else { return nil }
        return (script.count...executed.count).first { executed[($0 - script.count)..<$0].elementsEqual(script) }
    }

    /// Hotend and bed targets in °C, as status shows them.
    static func targets(_ printer: [String: Any]) -> [Double] {
        let heaters = printer["temperatures"] as? [[String: Any]] ?? []
        return ["T0", "B"].map { name in heaters.first { $0["heater"] as? String == name }?["target_c"] as? Double ?? -1 }
    }

    /// The file up to some line, the park script and nothing else while paused; then the
    /// resume prologue, then the file from the exact next line: no gap, no repeat.
    static func expectParkedAndResumedExactly(whilePaused: [String], executed: [String], file: [String]) {
        let stoppedAt = whilePaused.count - parkScript.count
        #expect(stoppedAt > 0 && stoppedAt < file.count, "paused mid-print (after \(stoppedAt) of \(file.count) commands)")
        guard stoppedAt > 0, stoppedAt < file.count, executed.count > whilePaused.count + file.count - stoppedAt else {
            Issue.record("the run is too short to hold the pause: \(executed.count) commands")
            return
        }
        #expect(Array(whilePaused.prefix(stoppedAt)) == Array(file.prefix(stoppedAt)), "before the pause: the file in order")
        #expect(Array(executed.prefix(whilePaused.count)) == whilePaused, "nothing ran between the park and the resume")
        let rest = Array(executed.suffix(file.count - stoppedAt))
        let prologue = executed[whilePaused.count..<(executed.count - rest.count)]
        #expect(prologue.contains { $0.hasPrefix("G1 X") && $0.contains(" Y") }, "the resume goes back to where it stopped: \(prologue)")
        #expect(!prologue.contains { $0.hasPrefix("G28") }, "a resume never homes: \(prologue)")
        let comparison = ExecutionComparison(executed: Array(whilePaused.prefix(stoppedAt)) + rest, expected: file)
        #expect(comparison.isExact, "\(comparison.firstMismatch ?? "")")
    }

    /// The file up to some line, then the cancel script, and nothing after it.
    static func expectCancelledExactly(executed: [String], file: [String]) {
        #expect(executed.suffix(cancelScript.count) == cancelScript[...], "the cancel script ends the run: \(executed.suffix(12))")
        let stoppedAt = executed.count - cancelScript.count
        #expect(stoppedAt > 0 && stoppedAt < file.count, "cancelled mid-print (after \(stoppedAt) of \(file.count) commands)")
        #expect(Array(executed.prefix(stoppedAt)) == Array(file.prefix(max(0, stoppedAt))), "before the cancel: the file in order")
    }
}
