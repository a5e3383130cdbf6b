import Foundation
import PrintEdgeStore
import PrintEdgeCore
import PrintEdgeFixtures
import PrintEdgeTestSupport
import Testing

/// `printedged` killed with SIGKILL at many points of a print, against a `printedge-sim` the
/// test runs itself, so the printer keeps running through the host's crashes as a real one
/// does; then `printedge jobs recover`. The simulator's motion log (physical positions) is the
/// witness that the nozzle never went below what was printed and that each layer was printed
/// at its own height.
@Suite(.serialized) struct CrashRecoveryTests {
    /// Real seconds the firmware waits at each kill point (`M0 S<n>`, a wait for the user that
    /// the simulator does not speed up): the window in which the test kills the daemon.
    static let window = 10
    static let layerHeightMM = 0.2
    static let layers = 8

    /// A small print with a wait at each kill point, and the file line of each wait:
    /// - `startScript`: the start script lifted to Z5 and came back down to the first layer,
    ///   but nothing was extruded (the case that drove the nozzle into the bed);
    /// - `midLayer`: half way round layer 2;
    /// - `layerChange`: after layer 3's last line, before layer 4's first;
    /// - `reset`: half way round layer 6 (the printer is then reset: its position is lost).
    static func print() -> (lines: [String], waits: [String: Int]) {
        var lines = ["M140 S60", "M104 S200", "G21", "G90", "M83", "G28", "M190 S60", "M109 S200", "G92 E0",
                     "G1 Z5 F3000", "G1 X20 Y20 Z0.2 F3000"]
        var waits: [String: Int] = [:]
        func wait(_ name: String) {
            lines.append("M0 S\(window)")
            waits[name] = lines.count
        }
        wait("startScript")
        lines += ["G1 X20 Y60 E4 F1200", "G1 X20.4 Y60 F3000", "G1 X20.4 Y20 E4 F1200"]
        for layer in 0..<layers {
            let z = Double(layer + 1) * layerHeightMM
            if layer > 0 { lines.append("G1 Z\(GCodeDecimal.text(z)) F600") }
            lines.append("G1 X40 Y40 F6000")
            for (index, corner) in [(80.0, 40.0), (80, 80), (40, 80), (40, 40)].enumerated() {
                lines.append("G1 X\(GCodeDecimal.text(corner.0)) Y\(GCodeDecimal.text(corner.1)) E1.33 F1800")
                if index == 1, layer == 2 { wait("midLayer") }
                if index == 1, layer == 6 { wait("reset") }
            }
            // Infill, so a layer takes a while even at the simulator's speed.
            for row in 0..<19 {
                let y = 42.0 + Double(row) * 2
                let (from, to) = row % 2 == 0 ? (42.0, 78.0) : (78.0, 42.0)
                lines.append("G1 X\(GCodeDecimal.text(from)) Y\(GCodeDecimal.text(y)) F6000")
                lines.append("G1 X\(GCodeDecimal.text(to)) Y\(GCodeDecimal.text(y)) E1.2 F2400")
            }
            if layer == 3 { wait("layerChange") }
        }
        lines += ["G1 Z20 F600", "M104 S0", "M140 S0"]
        return (lines, waits)
    }

    @Test func aPrintSurvivesKillsAtEveryStageAndTheNozzleNeverGoesBelowWhatWasPrinted() async throws {
        let scratch = try TemporaryDirectory()
        let (lines, waits) = Self.print()
        let file = scratch.file("crash.gcode")
        try SampleGCode.write(lines, to: file)
        let motionLog = scratch.file("motion.log")
        let simulator = try await Simulator(in: scratch, arguments: ["--speedup", "20", "--motion-log", motionLog])
        let daemon = try await DaemonProcess(in: scratch, printers: [], ports: ["p1": simulator.link])

        // 1. Killed in the start script, after the descent to the first layer, before anything
        // was extruded: nothing to recover, and recovery says so instead of guessing a height.
        #expect(try await daemon.cli(["jobs", "submit", file, "--start"]).status == 0)
        try await Self.killWhileWaiting(at: waits["startScript"]!, job: 1, daemon)
        try await daemon.start()
        let refused = try await daemon.cli(["jobs", "recover", "1", "--yes"])
        #expect(refused.status == 75, "refused in this state: EX_TEMPFAIL")
        #expect(refused.standardError.contains("before the first layer's first extrusion"), "\(refused.standardError)")
        let dismissed = try await daemon.cli(["jobs", "cancel", "1"])
        #expect(dismissed.status == 0, "an interrupted job can be dismissed: \(dismissed.standardError)")
        #expect(try await daemon.jobJSON(1)["state"] as? String == "cancelled")

        // 2. The same print again, killed mid-layer, at a layer change, while paused and
        // mid-layer with the printer reset afterwards; recovered each time.
        let second = try await daemon.cli(["jobs", "submit", file, "--start"])
        #expect(second.status == 0, "\(second.standardError)")
        try await Self.killWhileWaiting(at: waits["midLayer"]!, job: 2, daemon)
        try await Self.restartAndRecover(2, daemon, expecting: "kept its position")

        try await Self.killWhileWaiting(at: waits["layerChange"]!, job: 2, daemon)
        try await Self.restartAndRecover(2, daemon, expecting: "kept its position")

        try await daemon.waitUntil("job 2 prints layer 5") {
            (try await daemon.jobJSON(2)["layer"] as? Int ?? 0) >= 5
        }
        #expect(try await daemon.cli(["jobs", "pause", "2"]).status == 0)
        try await daemon.waitUntil("the printer is paused and parked") {
            try await daemon.printerJSON("p1")["state"] as? String == "paused"
        }
        await daemon.killHard()
        try await Self.restartAndRecover(2, daemon, expecting: "kept its position")

        try await Self.killWhileWaiting(at: waits["reset"]!, job: 2, daemon)
        kill(simulator.pid, SIGUSR1)  // the board resets: its position is lost
        try await daemon.waitUntil("the simulator logs its reset") {
            (try? MotionLog(path: motionLog).resets) == 1
        }
        try await Self.restartAndRecover(2, daemon, expecting: "declaring the height of the last layer printed, layer 6")

        let finished = try await daemon.waitForJob(2)
        #expect(finished["state"] as? String == "completed", "\(finished) \(daemon.logText)")
        await daemon.terminate()
        await simulator.stop()

        // Job 2 is everything after its start script's G28 (the last time Z was homed): a
        // recovery never homes Z, and the dismissed job 1 may have left a purge on the bed.
        let log = try MotionLog(path: motionLog)
        #expect(log.resets == 1)
        #expect(log.zHomings == 2, "once per job started, never in a recovery")
        #expect(try simulator.statistics()["nozzle_below_bed"] as? Int == 0)
        var printed = -Double.infinity
        for move in log.movesSinceLastZHoming {
            #expect(min(move.startZ, move.endZ) >= printed - 0.001,
                    "a move went below what was printed (\(printed) mm): \(move.text)")
            if move.extrudes {
                #expect(abs(move.endZ - move.logicalZ) < 0.001, "printed at \(move.endZ) mm where the file says \(move.logicalZ): \(move.text)")
                printed = max(printed, move.endZ)
            }
        }
        #expect(abs(printed - Double(Self.layers) * Self.layerHeightMM) < 0.001, "the last layer was printed at its height")
    }

    /// Waits until the printer is in the wait at `waitLine` (every line before it handled,
    /// none after) and the database has recorded it, then kills the daemon there. (`jobs list`
    /// shows the printer's live progress, ahead of what is recorded: the store is read here.)
    static func killWhileWaiting(at waitLine: Int, job: Int, _ daemon: DaemonProcess) async throws {
        let store = try Store(path: daemon.stateDirectory + "/printedge.sqlite")
        try await daemon.waitUntil("job \(job) waits at line \(waitLine)") {
            let acknowledged = try store.job(id: Int64(job))?.lastAckedSourceLine ?? 0
            return acknowledged >= waitLine - 1
        }
        await daemon.killHard()
    }

    static func restartAndRecover(_ job: Int, _ daemon: DaemonProcess, expecting detail: String) async throws {
        try await daemon.start()
        #expect(try await daemon.jobJSON(job)["state"] as? String == "interrupted")
        let recovered = try await daemon.cli(["jobs", "recover", "\(job)", "--yes"])
        #expect(recovered.status == 0, "\(recovered.standardError)")
        #expect(daemon.logText.contains(detail) || recovered.standardOutput.contains(detail),
                "recovery took the path where the printer \(detail)")
    }
}

/// What `printedge-sim --motion-log` recorded: where the nozzle physically went.
struct MotionLog {
    struct Move {
        var text: String
        var startZ: Double
        var endZ: Double
        /// The Z the G-code believed it was at (its `G92` shift included).
        var logicalZ: Double
        /// Pushed filament forward: a printing move.
        var extrudes: Bool
    }

    var moves: [Move] = []
    var resets = 0
    var zHomings = 0
    /// The moves after the last `G28` that homed Z.
    var movesSinceLastZHoming: [Move] = []

    init(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for line in text.split(separator: "\n") {
            if line.hasPrefix("reset ") { resets += 1 }
            if line.hasPrefix("home "), line.split(separator: " ").contains("Z") {
                zHomings += 1
                movesSinceLastZHoming.removeAll()
            }
            guard line.hasPrefix("move ") else { continue }
            var fields: [Substring: Double] = [:]
            for field in line.split(separator: " ") {
                guard let equals = field.firstIndex(of: "=") else { continue }
                fields[field[..<equals]] = Double(field[field.index(after: equals)...])
            }
            guard let z0 = fields["z0"], let z1 = fields["z1"], let lz = fields["lz"], let e = fields["e"] else {
                throw SimulatorError(description: "unreadable motion log line: \(line)")
            }
            let move = Move(text: String(line), startZ: z0, endZ: z1, logicalZ: lz, extrudes: e > 0)
            moves.append(move)
            movesSinceLastZHoming.append(move)
        }
    }
}
