import Foundation
import PrintEdgeFixtures
import PrintEdgeStore
import PrintEdgeTestSupport
import Testing

/// printedged end to end: real processes (the daemon, its `printedge-sim` printers, the CLI),
/// a real SQLite file, a real `kill -9`.
@Suite(.serialized) struct DaemonIntegrationTests {
    static let cube = repositoryRoot.appendingPathComponent("hardware/samples/calibration-cube.gcode").path

    /// What the simulator executed of the file: the host's own housekeeping left out, and the
    /// `M400`s the daemon adds (after each layer's first extrusion, the proof the layer printed
    /// at its height; at the end of a park). The sample files have none of their own.
    static func printed(_ executed: [String]) -> [String] {
        executed.filter { !ExecutionComparison.housekeeping.contains($0) && !$0.hasPrefix("M155") && $0 != "M400" }
    }

    @Test func twoPrintersPrintTheirJobsToCompletionAndTheHistoryIsInSQLite() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["left", "right"])
        let small = scratch.file("small.gcode")
        try SampleGCode.write(SampleGCode.calibrationPrint(layers: 3), to: small)

        let submitted = try await daemon.cli(["jobs", "submit", Self.cube, "--printer", "left", "--start", "--json"])
        #expect(submitted.status == 0, "\(submitted.standardError)")
        let other = try await daemon.cli(["jobs", "submit", small, "--printer", "right", "--start", "--json"])
        #expect(other.status == 0, "\(other.standardError)")

        let status = try await daemon.cli(["status"])
        #expect(status.standardOutput.contains("left  printing"))
        #expect(status.standardOutput.contains("right  "))

        let right = try await daemon.waitForJob(2)
        let left = try await daemon.waitForJob(1)
        #expect(left["state"] as? String == "completed", "\(left) \(daemon.logText)")
        #expect(right["state"] as? String == "completed", "\(right)")
        await daemon.terminate()

        let executed = Self.printed(try Simulator.readLog(daemon.execLogPath("left")))
        #expect(executed == (try normalisedCommands(ofFile: Self.cube)))
        #expect(Self.printed(try Simulator.readLog(daemon.execLogPath("right"))) == (try normalisedCommands(ofFile: small)))

        let store = try Store(path: daemon.stateDirectory + "/printedge.sqlite")
        #expect(try store.integrityCheck() == "ok")
        #expect(try store.events(jobID: 1).map(\.kind.rawValue) == ["submitted", "started", "completed"])
        #expect(try store.telemetry(printerID: "left", sinceMS: 0).isEmpty == false)

        let list = try await runPrintedge(["jobs", "list", "--socket", daemon.socketPath])
        #expect(list.status == 69)
        #expect(list.standardError.contains("printedged is not running"))
    }

    @Test func aJobKilledWithTheDaemonIsInterruptedAndRecoversFromItsLayer() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"], speedup: 20)
        let started = try await daemon.cli(["jobs", "submit", Self.cube, "--start"])
        #expect(started.status == 0, "\(started.standardError)")
        // Well into the print: a few layers done.
        let deadline = ContinuousClock.now + .seconds(180)
        while ContinuousClock.now < deadline, (try await daemon.jobJSON(1)["layer"] as? Int ?? 0) < 4 {
            try await Task.sleep(for: .milliseconds(200))
        }
        let databasePath = daemon.stateDirectory + "/printedge.sqlite"
        await daemon.killHard()

        // The simulator notices its parent died, flushes its log and removes its link.
        let link = daemon.stateDirectory + "/mk.tty"
        let gone = ContinuousClock.now + .seconds(10)
        while FileManager.default.fileExists(atPath: link), ContinuousClock.now < gone { try await Task.sleep(for: .milliseconds(100)) }
        let firstRun = Self.printed(try Simulator.readLog(daemon.execLogPath("mk")))

        let afterKill = try Store(path: databasePath)
        #expect(try afterKill.integrityCheck() == "ok")
        let samplesBefore = try afterKill.telemetry(printerID: "mk", sinceMS: 0, limit: 1_000_000)
        #expect(!samplesBefore.isEmpty)

        try await daemon.start()
        let job = try await daemon.jobJSON(1)
        #expect(job["state"] as? String == "interrupted")
        let acknowledged = job["acknowledged_source_line"] as? Int ?? 0
        #expect(acknowledged > 0)
        let samplesAfter = try afterKill.telemetry(printerID: "mk", sinceMS: 0, limit: 1_000_000)
        #expect(Set(samplesBefore.map(\.atMS)).isSubset(of: Set(samplesAfter.map(\.atMS))))

        let recover = try await daemon.cli(["jobs", "recover", "1", "--yes"])
        #expect(recover.status == 0, "\(recover.standardError)")
        let finished = try await daemon.waitForJob(1)
        #expect(finished["state"] as? String == "completed", "\(finished) \(daemon.logText)")
        await daemon.terminate()

        let file = try normalisedCommands(ofFile: Self.cube)
        let secondRun = Self.printed(try Simulator.readLog(daemon.execLogPath("mk")))
        // The recovered run ends with the file from some line j on: its longest common tail.
        var matched = 0
        while matched < min(secondRun.count, file.count), secondRun[secondRun.count - 1 - matched] == file[file.count - 1 - matched] {
            matched += 1
        }
        let restartIndex = file.count - matched
        #expect(Array(firstRun) == Array(file.prefix(firstRun.count)), "the first run executed the file's start in order")
        #expect(restartIndex <= firstRun.count, "nothing is skipped: the restart is at or before what was executed")
        let repeated = file[restartIndex..<firstRun.count]
        #expect(repeated.filter { $0.contains(" Z") }.count <= 2, "only the recovered layer is repeated: \(repeated.count) commands")
        let prologue = secondRun.prefix(secondRun.count - matched)
        #expect(prologue.contains { $0.hasPrefix("G28") && !$0.contains("Z") }, "X and Y are homed, never Z: \(prologue)")
    }

    @Test func aBadConfigurationExitsWith78AndSaysWhere() async throws {
        let scratch = try TemporaryDirectory()
        let path = scratch.file("bad.toml")
        try "[daemon]\nstate_dir = \"x\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        let run = try await ToolRun(productsDirectory.appendingPathComponent("printedged").path, ["--config", path, "--check-config"])
        let message = run.standardError
        #expect(run.status == 78)
        #expect(message.contains("bad.toml:2"), "\(message)")
        #expect(message.contains("state_dir"), "\(message)")
    }
}

extension Simulator {
    static func readLog(_ path: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }
}
