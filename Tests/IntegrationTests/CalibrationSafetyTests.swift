import Foundation
import PrintEdgeStore
import PrintEdgeTestSupport
import Testing

/// A calibration in a person's hands: Ctrl-C in the middle of any run leaves the printer safe
/// (what it heated off, what it moved stopped) before the command exits 130; a printing
/// printer is never calibrated, a calibrating one takes no job and no manual G-code; a
/// firmware that cannot keep settings is told so before anything is sent.
@Suite(.serialized) struct CalibrationSafetyTests {
    /// What each kind is doing when Ctrl-C comes, as `printedge status --json` shows it.
    struct Interruption: Sendable, CustomStringConvertible {
        var arguments: [String]
        /// The printer's status once the run is in the middle of it.
        var midway: @Sendable ([String: Any]) -> Bool
        /// Heats: the heater-off line must have reached the firmware after the interruption.
        var heaterOff: String?
        /// The virtual printer's own options for this run.
        var simulator: [String] = []
        /// Runs that end by themselves (a tune, probing) go slowly: the interrupt has to come
        /// while they run, and a test process the machine starves for seconds must not find
        /// the run already finished. Runs that wait for a person need no such margin.
        var speedup = CalibrationIntegrationTests.speedup
        var description: String { arguments.joined(separator: " ") }
    }

    static let interruptions: [Interruption] = [
        Interruption(arguments: ["pid", "--temp", "220", "--cycles", "20"], midway: { step(in: $0)?.contains("tuning") == true }, heaterOff: "M104 T0 S0", speedup: 2),
        Interruption(arguments: ["pid", "--heater", "bed", "--temp", "80", "--cycles", "20"], midway: { step(in: $0)?.contains("tuning") == true }, heaterOff: "M140 S0", speedup: 2),
        Interruption(arguments: ["esteps", "--temp", "210"], midway: { status in
            (status["temperatures"] as? [[String: Any]] ?? []).contains { $0["heater"] as? String == "T0" && ($0["target_c"] as? Double ?? 0) > 0 }
        }, heaterOff: "M104 T0 S0"),
        Interruption(arguments: ["mesh"], midway: { step(in: $0)?.contains("probing") == true }, speedup: 2),
        // A tilted bed: after its first round the run asks for screws to be turned, so it is
        // still running when Ctrl-C comes however late that is (a level bed is done at once).
        Interruption(arguments: ["tramming"], midway: { status in
            step(in: status)?.contains("probing the bed") == true
                || (status["calibrating"] as? [String: Any])?["waiting_for_answer"] as? Bool == true
        }, simulator: ["--bed-shape", "tilt-x=0.2,tilt-y=-0.1"]),
        Interruption(arguments: ["probe-accuracy", "--samples", "50"], midway: { step(in: $0)?.contains("probing") == true }, speedup: 2),
        Interruption(arguments: ["zoffset"], midway: { ($0["calibrating"] as? [String: Any])?["waiting_for_answer"] as? Bool == true }),
    ]

    static func step(in status: [String: Any]) -> String? {
        (status["calibrating"] as? [String: Any])?["step"] as? String
    }

    @Test(arguments: interruptions)
    func ctrlCInTheMiddleLeavesHeatersOffAndMotionStopped(_ interruption: Interruption) async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"], speedup: interruption.speedup,
                                             extraSimulatorArguments: ["mk": interruption.simulator])
        // Its standard input stays open and silent: a question waits, as for a person thinking.
        let person = try CalibrationOperator(interruption.arguments + ["--printer", "mk"], socket: daemon.socketPath)
        // A run's reports (a tune's cycle, a probe) also show in the command's own events, which
        // a status poll between two of them cannot miss on a busy machine. E-steps, the Z offset
        // and tramming ask a person: their status says when.
        try await daemon.waitUntil("the run is midway (\(interruption))") {
            interruption.midway(try await daemon.printerJSON("mk"))
                || (!["esteps", "zoffset", "tramming"].contains(interruption.arguments[0]) && person.events.contains { $0["type"] as? String == "progress" })
        }
        person.interrupt()
        #expect(await person.finish() == 130, "\(person.events.suffix(3)) \(person.standardError)")
        let end = try #require(person.events.last)
        #expect(end["type"] as? String == "failed" && end[path: "failure", "cause"] as? String == "cancelled", "\(end)")
        let stop = (end[path: "failure", "safe_stop", "emergency_lines"] as? [String] ?? []) + (end[path: "failure", "safe_stop", "lines"] as? [String] ?? [])
        // Safe before the command ended: idle, and no heater with a target.
        let status = try await daemon.printerJSON("mk")
        #expect(status["calibrating"] is NSNull, "no calibration runs")
        #expect(status["state"] as? String == "idle")
        try await daemon.waitUntil("every heater's target is 0") {
            let temperatures = try await daemon.printerJSON("mk")["temperatures"] as? [[String: Any]] ?? []
            return !temperatures.isEmpty && temperatures.allSatisfy { ($0["target_c"] as? Double ?? 0) == 0 }
        }
        await daemon.terminate()
        let store = try Store(path: daemon.stateDirectory + "/printedge.sqlite")
        let record = try #require(try store.calibrations(printerID: "mk").first)
        #expect(record.outcome == .cancelled)
        if let heaterOff = interruption.heaterOff {
            #expect(stop.contains("M108") && stop.contains(heaterOff), "\(stop)")
            let executed = try Simulator.readLog(daemon.execLogPath("mk"))
            let lastHeaterCommand = executed.last { $0 == heaterOff || $0.hasPrefix("M303") || $0.hasPrefix("M109") || $0.hasPrefix("M104") || $0.hasPrefix("M140") }
            #expect(lastHeaterCommand == heaterOff, "the heater-off line is the last heater command the firmware ran: \(executed.suffix(8))")
        } else if person.events.last(where: { ["question", "step", "progress"].contains($0["type"] as? String) })?["type"] as? String == "question" {
            // Interrupted while it waited for a person (tramming's screws): nothing moved then.
            #expect(stop.isEmpty || stop.contains("M410"), "\(stop)")
        } else {
            #expect(stop.contains("M410"), "motion is stopped: \(stop)")
        }
    }

    @Test func aLinkLostDuringATuneSendsTheHeaterOffFirstWhenThePrinterIsBack() async throws {
        let scratch = try TemporaryDirectory()
        var simulator = try await Simulator(in: scratch, arguments: ["--speedup", "50"])
        let daemon = try await DaemonProcess(in: scratch, printers: [], ports: ["mk": simulator.link])
        let person = try CalibrationOperator(["pid", "--printer", "mk", "--temp", "220", "--cycles", "8"], socket: daemon.socketPath)
        try await daemon.waitUntil("the tune runs") { Self.step(in: try await daemon.printerJSON("mk"))?.contains("tuning") == true }
        await simulator.kill()
        #expect(await person.finish() == 75, "\(person.standardError)")
        #expect(person.events.last?[path: "failure", "cause"] as? String == "link_lost")
        // The printer comes back (a fresh board): before anything else, the stop lines.
        simulator = try await Simulator(in: scratch, arguments: ["--speedup", "50"])
        try await daemon.waitUntil("the heater-off line reached the printer again") {
            ((try? simulator.executedCommands()) ?? []).contains("M104 T0 S0")
        }
        let executed = try simulator.executedCommands()
        #expect(DaemonIntegrationTests.printed(executed).prefix(2) == ["M108", "M104 T0 S0"], "the stop lines come first: \(executed)")
        await daemon.terminate()
        await simulator.stop()
    }

    @Test func aDaemonStoppingDuringACalibrationTurnsItsHeaterOffFirst() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"], speedup: CalibrationIntegrationTests.speedup)
        let person = try CalibrationOperator(["esteps", "--printer", "mk", "--temp", "210"], socket: daemon.socketPath)
        _ = try await person.waitFor("question")
        await daemon.terminate()
        #expect(await person.finish() != 0)
        let executed = try Simulator.readLog(daemon.execLogPath("mk"))
        #expect(executed.last { $0.hasPrefix("M104") || $0.hasPrefix("M109") } == "M104 T0 S0", "\(executed.suffix(6))")
    }

    @Test func aPrintingPrinterIsNotCalibratedAndACalibratingOneTakesNoJobNorGCode() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"], speedup: DaemonJobControlTests.speedup)
        let job = try DaemonJobControlTests.job(in: scratch)
        #expect(try await daemon.cli(["jobs", "submit", job.path, "--start"]).status == 0)
        try await DaemonJobControlTests.waitUntilPrinting(job: 1, pastLine: 50, daemon)
        let refused = try await daemon.cli(["calibrate", "mesh", "--printer", "mk"])
        #expect(refused.status == 75, "\(refused.standardError)")
        #expect(refused.standardError.contains("is printing job 1: a calibration needs an idle printer"), "\(refused.standardError)")
        #expect(try await daemon.cli(["jobs", "cancel", "1"]).status == 0)
        try await daemon.waitUntil("the printer is idle") { try await daemon.printerJSON("mk")["state"] as? String == "idle" }

        let person = try CalibrationOperator(["zoffset", "--printer", "mk"], socket: daemon.socketPath)
        _ = try await person.waitFor("question")
        let send = try await daemon.cli(["send", "--printer", "mk", "G28"])
        #expect(send.status != 0)
        #expect(send.standardError.contains("is running a z_offset calibration (waiting for an answer)"), "\(send.standardError)")
        let second = try await daemon.cli(["jobs", "submit", job.path, "--start"])
        #expect(second.status != 0)
        #expect(second.standardError.contains("is running a z_offset calibration"), "\(second.standardError)")
        let another = try await daemon.cli(["calibrate", "mesh", "--printer", "mk"])
        #expect(another.status == 75)
        person.interrupt()
        #expect(await person.finish() == 130)
        await daemon.terminate()
    }

    @Test func withoutEEPROMSaveIsRefusedBeforeAnythingIsSent() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"], extraSimulatorArguments: ["mk": ["--no-eeprom"]])
        let run = try await daemon.cli(["calibrate", "pid", "--printer", "mk", "--temp", "200", "--save"])
        #expect(run.status == 78, "\(run.standardError)")
        #expect(run.standardError.contains("built without EEPROM_SETTINGS"), "\(run.standardError)")
        #expect(run.standardError.contains("--save cannot persist anything"))
        await daemon.terminate()
        let executed = try Simulator.readLog(daemon.execLogPath("mk"))
        #expect(!executed.contains { $0.hasPrefix("M303") || $0.hasPrefix("M503") }, "\(executed)")
    }

    @Test func probeAccuracyFlowThePaperTestAndAssistedTrammingRunEndToEnd() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"], speedup: CalibrationIntegrationTests.speedup)
        let probe = try await daemon.cli(["calibrate", "probe-accuracy", "--printer", "mk", "--samples", "10", "--json"])
        #expect(probe.status == 0, "\(probe.standardError)")
        let verdict = try jsonObject(probe.standardOutput)[path: "result", "verdict"] as? [String: Any]
        #expect(verdict?["accurate_enough"] as? Bool == true, "the simulated probe scatters 0.002 mm")

        let flow = try await daemon.cli(["calibrate", "flow", "--printer", "mk", "--expected-wall", "0.45", "--measured-wall", "0.48"])
        #expect(flow.status == 0, "\(flow.standardError)")
        #expect(flow.standardOutput.contains("flow 100 % → 93.75 %"), "\(flow.standardOutput)")

        // TESTZ: down 4 mm, then halfway steps; each question shows `lo --> cur <-- hi`.
        let person = try CalibrationOperator(["zoffset", "--printer", "mk", "--mode", "paper"], socket: daemon.socketPath)
        var displays: [String] = []
        for (number, move) in ["-4", "-", "+", "accept"].enumerated() {
            let question = try await person.waitFor("question", number: number + 1)
            displays.append(question[path: "question", "position"] as? String ?? "")
            person.answer(move)
        }
        #expect(await person.finish() == 0, "\(person.standardError)")
        #expect(displays == ["Z position: ?????? --> 5.000 <-- ??????", "Z position: ?????? --> 1.000 <-- 5.000",
                             "Z position: ?????? --> 0.800 <-- 1.000", "Z position: 0.800 --> 0.900 <-- 1.000"], "\(displays)")
        #expect(person.events.last?[path: "result", "new_offset_mm"] as? Double == 0.9)

        // The firmware's own tramming (G35) on a level bed: one round, nothing turned, nothing stale.
        let assisted = try await daemon.cli(["calibrate", "tramming", "--printer", "mk", "--method", "assisted", "--json"])
        #expect(assisted.status == 0, "\(assisted.standardError)")
        let tramming = try jsonObject(assisted.standardOutput)
        #expect(tramming[path: "result", "method"] as? String == "assisted")
        #expect(tramming[path: "result", "within_tolerance"] as? Bool == true)
        #expect(tramming["invalidates"] as? [String] == [])
        await daemon.terminate()
    }
}
