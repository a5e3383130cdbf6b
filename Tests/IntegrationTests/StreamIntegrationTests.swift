import Foundation
import PrintEdgeFixtures
import PrintEdgeTestSupport
import Testing

/// `printedge stream` against `printedge-sim`, both real processes, through a real pty.
/// Serialized: each test already keeps both cores busy, and the sim paces bytes in real time.
@Suite(.serialized) struct StreamIntegrationTests {
    /// Fast wire, fast motion: these tests are about exactness, not speed.
    private static let quick = ["--baud", "1000000", "--speedup", "1000"]

    private func writeMoves(_ count: Int, in scratch: TemporaryDirectory) throws -> String {
        let path = scratch.file("job.gcode")
        try SampleGCode.write(SampleGCode.distinctMoves(count: count), to: path)
        return path
    }

    /// Every command of the file ran exactly once, in order; with `noise`, a rare line damaged
    /// in a way Marlin's checksum cannot see is tolerated (see `ExecutionComparison`).
    private func expectExactExecution(of file: String, by simulator: Simulator, noise: Bool = false) throws {
        let comparison = ExecutionComparison(executed: try simulator.executedCommands(), expected: try normalisedCommands(ofFile: file))
        #expect(comparison.firstMismatch == nil, "\(comparison.firstMismatch ?? "")")
        #expect(comparison.silentlyDamaged <= (noise ? 3 : 0), "\(comparison.silentlyDamaged) lines ran silently damaged")
    }

    @Test(arguments: [("ping-pong", 1), ("ping-pong", 2), ("window", 1), ("window", 2), ("window", 3),
                      ("advanced-ok", 1), ("advanced-ok", 2), ("advanced-ok", 3)])
    func noisyCableStillExecutesEveryLineExactlyOnceInOrder(flow: String, seed: Int) async throws {
        let scratch = try TemporaryDirectory()
        let file = try writeMoves(20_000, in: scratch)
        var simulatorArguments = Self.quick + ["--noise-rx", "1e-4", "--noise-tx", "1e-4", "--seed", "\(seed)"]
        if flow == "advanced-ok" { simulatorArguments.append("--advanced-ok") }
        let simulator = try await Simulator(in: scratch, arguments: simulatorArguments)
        let result = try await runPrintedge(["stream", file, "--port", simulator.link, "--baud", "1000000", "--flow", flow, "--json"])
        await simulator.stop()
        #expect(result.status == 0, "\(result.standardError)")
        let summary = try jsonObject(result.standardOutput)
        #expect(summary["completed"] as? Bool == true)
        #expect(summary["flow"] as? String == flow)
        try expectExactExecution(of: file, by: simulator, noise: true)
        let stats = try simulator.statistics()
        // The noise really hit: lines were damaged and resent, and still nothing ran twice.
        let damaged = (stats["checksum_errors"] as? Int ?? 0) + (stats["line_number_errors"] as? Int ?? 0)
            + (stats["no_checksum_errors"] as? Int ?? 0)
        #expect(damaged > 0)
        #expect((summary["resends"] as? Int ?? 0) > 0)
    }

    @Test func droppedOksStillCompleteExactly() async throws {
        let scratch = try TemporaryDirectory()
        let file = try writeMoves(20_000, in: scratch)
        let simulator = try await Simulator(in: scratch, arguments: Self.quick + ["--drop-ok", "0.01", "--seed", "7"])
        let result = try await runPrintedge(["stream", file, "--port", simulator.link, "--baud", "1000000", "--flow", "window", "--json"])
        await simulator.stop()
        #expect(result.status == 0, "\(result.standardError)")
        try expectExactExecution(of: file, by: simulator)
        #expect((try simulator.statistics()["oks_dropped"] as? Int ?? 0) > 100)
    }

    @Test func aFirmwareResetStopsTheStreamWithAClearError() async throws {
        let scratch = try TemporaryDirectory()
        let file = try writeMoves(5_000, in: scratch)
        let simulator = try await Simulator(in: scratch, arguments: Self.quick + ["--reset-after-lines", "1000"])
        let result = try await runPrintedge(["stream", file, "--port", simulator.link, "--baud", "1000000", "--json"])
        await simulator.stop()
        #expect(result.status == 1)
        #expect(result.standardError.contains("the printer reset in the middle of the stream"))
        let summary = try jsonObject(result.standardOutput)
        #expect(summary["completed"] as? Bool == false)
        // Nothing was sent after the reset: the fresh firmware executed no numbered line, and
        // what ran before it is the file's beginning.
        let executed = try simulator.executedCommands().filter { !ExecutionComparison.housekeeping.contains($0) }
        #expect(executed.count > 950 && executed.count <= 1000)
        #expect(executed == Array(try normalisedCommands(ofFile: file).prefix(executed.count)))
    }

    @Test func aKilledSimulatorIsReportedAsDisconnected() async throws {
        let scratch = try TemporaryDirectory()
        let file = try writeMoves(20_000, in: scratch)
        let simulator = try await Simulator(in: scratch, arguments: ["--baud", "115200", "--speedup", "1000"])
        let started = ContinuousClock.now
        let result = try await runPrintedge(["stream", file, "--port", simulator.link, "--baud", "115200"], limit: .seconds(60)) { _ in
            try? await Task.sleep(for: .milliseconds(1500))
            await simulator.kill()
        }
        #expect(result.status == 1)
        #expect(result.standardError.contains("printer disconnected"), "\(result.standardError)")
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test func aPortWhoseDeviceNodeVanishesIsReportedAsDisconnected() async throws {
        let scratch = try TemporaryDirectory()
        let file = try writeMoves(20_000, in: scratch)
        let simulator = try await Simulator(in: scratch, arguments: ["--baud", "115200", "--speedup", "1000"])
        let result = try await runPrintedge(["stream", file, "--port", simulator.link, "--baud", "115200"], limit: .seconds(60)) { _ in
            try? await Task.sleep(for: .milliseconds(1500))
            try? FileManager.default.removeItem(atPath: simulator.link)  // as udev removes a by-id link on unplug
        }
        await simulator.stop()
        #expect(result.status == 1)
        #expect(result.standardError.contains("printer disconnected"), "\(result.standardError)")
        #expect(result.standardError.contains("disappeared"))
    }

    @Test func ctrlCStopsBetweenTwoLines() async throws {
        let scratch = try TemporaryDirectory()
        let file = try writeMoves(20_000, in: scratch)
        let simulator = try await Simulator(in: scratch, arguments: ["--baud", "115200", "--speedup", "1000"])
        let interrupted = try await runPrintedge(["stream", file, "--port", simulator.link, "--baud", "115200"]) { pid in
            try? await Task.sleep(for: .milliseconds(1500))
            kill(pid, SIGINT)
        }
        #expect(interrupted.status == 130)
        #expect(interrupted.standardError.contains("stopped by request"))
        // A half-written line would merge with the next session's first bytes into a damaged line.
        let second = scratch.file("second.gcode")
        try SampleGCode.write(["G28", "G1 X10 Y10 F3000", "M400"], to: second)
        let next = try await runPrintedge(["stream", second, "--port", simulator.link, "--baud", "115200", "--json"])
        await simulator.stop()
        #expect(next.status == 0, "\(next.standardError)")
        let stats = try simulator.statistics()
        #expect(stats["checksum_errors"] as? Int == 0)
        #expect(stats["line_number_errors"] as? Int == 0)
        #expect(stats["no_checksum_errors"] as? Int == 0)
    }

    @Test func aLineTooLongForTheFirmwareIsRefusedBeforeAnythingIsSent() async throws {
        let scratch = try TemporaryDirectory()
        let file = scratch.file("long.gcode")
        try SampleGCode.write(["G28", "; fine", "M117 " + String(repeating: "x", count: 90), "G1 X1"], to: file)
        let simulator = try await Simulator(in: scratch, arguments: Self.quick)
        let result = try await runPrintedge(["stream", file, "--port", simulator.link, "--baud", "1000000"])
        await simulator.stop()
        #expect(result.status == 65)
        #expect(result.standardError.contains("line 3:"), "\(result.standardError)")
        #expect(try simulator.statistics()["bytes_received"] as? Int == 0)
    }

    @Test func aNonASCIIByteOutsideCommentsIsRefusedWithItsLine() async throws {
        let scratch = try TemporaryDirectory()
        let file = scratch.file("utf8.gcode")
        try SampleGCode.write(["; made with a slicer — comments may hold anything", "G28", "M117 Température"], to: file)
        let simulator = try await Simulator(in: scratch, arguments: Self.quick)
        let result = try await runPrintedge(["stream", file, "--port", simulator.link, "--baud", "1000000"])
        await simulator.stop()
        #expect(result.status == 65)
        #expect(result.standardError.contains("line 3, column 10"), "\(result.standardError)")
    }

    @Test func missingFileAndMissingPortHaveTheirOwnExitStatus() async throws {
        let scratch = try TemporaryDirectory()
        let missing = try await runPrintedge(["stream", scratch.file("nope.gcode"), "--port", "/dev/null"])
        #expect(missing.status == 66)
        #expect(missing.standardError.contains("nope.gcode"))
        let file = try writeMoves(10, in: scratch)
        let noPort = try await runPrintedge(["stream", file, "--port", scratch.file("ttyNOPE")])
        #expect(noPort.status == 69)
        #expect(noPort.standardError.contains("ttyNOPE"))
        let badFlow = try await runPrintedge(["stream", file, "--port", scratch.file("ttyNOPE"), "--flow", "fast"])
        #expect(badFlow.status == 64)
        #expect(badFlow.standardError.contains("--flow must be one of"))
    }

    @Test func theSerialLogShowsEveryExchangeWithTheFilesOwnText() async throws {
        let scratch = try TemporaryDirectory()
        let file = scratch.file("logged.gcode")
        try SampleGCode.write(["; start", "G28 ; home all axes", "G1 X10 Y10 F3000 ; first move"], to: file)
        let log = scratch.file("serial.log")
        let simulator = try await Simulator(in: scratch, arguments: Self.quick)
        let result = try await runPrintedge(["stream", file, "--port", simulator.link, "--baud", "1000000", "--log", log])
        await simulator.stop()
        #expect(result.status == 0, "\(result.standardError)")
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("> N0 M110 N0*125"))
        #expect(text.contains("< FIRMWARE_NAME:Marlin"))
        #expect(text.contains("; 2: G28 ; home all axes"))
        #expect(text.contains("; 3: G1 X10 Y10 F3000 ; first move"))
        #expect(text.contains("< ok T:"))
        let unwritable = try await runPrintedge(["stream", file, "--port", simulator.link, "--log", scratch.file("missing/dir/serial.log")])
        #expect(unwritable.status == 73)
        #expect(unwritable.standardError.contains("cannot create the serial log"))
    }

    @Test func theSampleCalibrationPrintStreamsAtRealisticSpeed() async throws {
        let scratch = try TemporaryDirectory()
        let file = scratch.file("calibration.gcode")
        try SampleGCode.write(SampleGCode.calibrationPrint(layers: 4), to: file)
        let simulator = try await Simulator(in: scratch, arguments: ["--baud", "250000", "--speedup", "50"])
        let result = try await runPrintedge(["stream", file, "--port", simulator.link, "--baud", "250000", "--json"])
        await simulator.stop()
        #expect(result.status == 0, "\(result.standardError)")
        try expectExactExecution(of: file, by: simulator)
        #expect(result.standardError.contains("printer: Marlin"))
    }
}
