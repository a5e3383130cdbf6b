import Foundation
import PrintEdgeCalibration
@testable import PrintEdgeSimulator
import PrintEdgeStore
import PrintEdgeTestSupport
import Testing

/// Each calibration end to end: `printedge calibrate` against `printedged` and its virtual
/// printer, with the operator's answers scripted from what the simulator says physically
/// happened (its statistics and motion log), and the results checked against the simulator's
/// own truth: the heater plant, the extruder's error, the bed's surface, its screws, its
/// EEPROM file.
@Suite(.serialized) struct CalibrationIntegrationTests {
    static let speedup = 50.0

    static func daemon(_ scratch: TemporaryDirectory, simulator arguments: [String]) async throws -> DaemonProcess {
        try await DaemonProcess(in: scratch, printers: ["mk"], speedup: speedup,
                                extraSimulatorArguments: ["mk": ["--stats", scratch.file("mk.stats")] + arguments])
    }

    /// The simulator's `--stats` once `condition` holds (it is rewritten every 0.5 s).
    static func statistics(_ scratch: TemporaryDirectory, until condition: ([String: Any]) -> Bool = { _ in true }) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let data = FileManager.default.contents(atPath: scratch.file("mk.stats")),
               let stats = try? JSONSerialization.jsonObject(with: data) as? [String: Any], condition(stats) {
                return stats
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw SimulatorError(description: "the simulator's statistics never showed what was awaited")
    }

    static func lastEvent(_ run: ToolRun) throws -> [String: Any] {
        try jsonObject(run.standardOutput)
    }

    @Test func aPIDTuneGivesItsConstantsAndTheirSpreadWithTheWireToItself() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await Self.daemon(scratch, simulator: [])
        let run = try await daemon.cli(["calibrate", "pid", "--printer", "mk", "--temp", "210", "--cycles", "6", "--save", "--json"])
        #expect(run.status == 0, "\(run.standardError)")
        let finished = try Self.lastEvent(run)
        #expect(finished["type"] as? String == "finished")
        let result = try #require(finished["result"] as? [String: Any])
        let statistics = try #require(result["statistics"] as? [String: Any])
        let count = try #require(statistics["cycle_count"] as? Int)
        #expect(count >= 3, "Marlin gives constants from the third cycle on")
        var spreads: [String] = []
        for name in ["kp", "ki", "kd"] {
            let spread = try #require(statistics[name] as? [String: Any])
            let percent = try #require(spread["percent_of_median"] as? Double)
            #expect(percent < 10, "\(name) varies \(percent) % over the cycles of a steady plant")
            spreads.append("\(name) \(spread["minimum"] ?? "?")…\(spread["maximum"] ?? "?") (\(String(format: "%.2f", percent)) %)")
        }
        let constants = try #require(result["firmware_constants"] as? [String: Any])
        #expect(result["applied"] as? [String: Double] == constants as? [String: Double])
        #expect(result["persistence"] as? String == "verified")
        let after = try #require((result[path: "settings_after", "commands"] ?? result["settings_after"]) as Any?)
        #expect("\(after)".contains("M301"), "the settings after the tune are kept with it")
        print("PID figures: \(count) cycles with constants; Kp \(constants["kp"] ?? "?") Ki \(constants["ki"] ?? "?") Kd \(constants["kd"] ?? "?"); spread \(spreads.joined(separator: ", "))")
        let standing = try await daemon.printerJSON("mk")["calibrations"] as? [[String: Any]] ?? []
        #expect(standing.contains { $0["kind"] as? String == "pid_hotend" && $0["stale"] as? Bool == false })
        await daemon.terminate()
        let stats = try await Self.statistics(scratch)
        #expect(stats["bytes_received_during_autotune"] as? Int == 0, "nothing may reach the firmware while M303 runs (STM32 boards flush it)")
        let store = try Store(path: daemon.stateDirectory + "/printedge.sqlite")
        let record = try #require(try store.latestCalibration(printerID: "mk", kind: "pid_hotend"))
        #expect(record.dataJSON.contains("\"settings_before\"") && record.dataJSON.contains("\"settings_after\""))
    }

    @Test func extruderStepsRecoverTheSimulatedErrorWithinOnePercent() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await Self.daemon(scratch, simulator: ["--esteps-error", "5"])
        let person = try CalibrationOperator(["esteps", "--printer", "mk", "--temp", "200"], socket: daemon.socketPath)
        _ = try await person.waitFor("question")
        person.answer("yes")
        _ = try await person.waitFor("question", number: 2)
        // The extrusion was seen through (M400) before the length was asked: the simulator's
        // count is what a ruler would find.
        let pushed = try #require(try await Self.statistics(scratch) { ($0["filament_pushed_mm"] as? Double ?? 0) > 0 }["filament_pushed_mm"] as? Double)
        person.answer(String(format: "%.2f", 120 - pushed))
        #expect(await person.finish() == 0, "\(person.standardError)")
        let result = try #require(person.events.last?["result"] as? [String: Any])
        let steps = try #require(result[path: "calculation", "new_steps_per_mm"] as? Double)
        // The same 100 mm again, with the new steps per mm: the ruler's check.
        #expect(try await daemon.cli(["send", "--printer", "mk", "M83", "G1 E100 F3000", "M400"]).status == 0)
        let second = try #require(try await Self.statistics(scratch) { ($0["filament_pushed_mm"] as? Double ?? 0) > pushed + 50 }["filament_pushed_mm"] as? Double)
        let error = abs(second - pushed - 100) / 100 * 100
        print("e-steps figures: pushed \(pushed) mm of 100 (5 % error simulated); new steps \(steps)/mm (93 before); then \(String(format: "%.3f", second - pushed)) mm for 100 mm: \(String(format: "%.3f", error)) % off")
        #expect(error < 1)
        await daemon.terminate()
    }

    @Test func theMeshIsTheSimulatedSurfaceInEveryFormatTheRightWayRound() async throws {
        let scratch = try TemporaryDirectory()
        let shape = "tilt-x=0.2,tilt-y=-0.1,bow=0.05,noise=0.01"
        let daemon = try await Self.daemon(scratch, simulator: ["--bed-shape", shape, "--seed", "7"])
        let png = scratch.file("mesh.png")
        let probed = try await daemon.cli(["calibrate", "mesh", "--printer", "mk", "--out", png, "--json"])
        #expect(probed.status == 0, "\(probed.standardError)")
        let result = try #require(try Self.lastEvent(probed)["result"] as? [String: Any])
        let mesh = try JSONDecoder().decode(BedMesh.self, from: JSONSerialization.data(withJSONObject: result["mesh"] as Any))
        #expect(mesh.columnCount == 5 && mesh.rowCount == 5)
        #expect(mesh.columnXMM == [10, 60, 110, 160, 210] && mesh.rowYMM == [10, 60, 110, 160, 210])

        // Against the surface itself, up to the height the probe homed at.
        let surface = try BedSurface(specification: shape)
        var residuals: [Double] = []
        for point in mesh.probedPoints {
            let truth = surface.height(atX: point.xMM ?? 0, y: point.yMM ?? 0, width: 220, depth: 220, seed: 7)
            residuals.append(point.zMM - truth)
        }
        let offset = residuals.reduce(0, +) / Double(residuals.count)
        let worst = residuals.map { abs($0 - offset) }.max() ?? 0
        print("mesh figures: largest difference from the simulated surface \(String(format: "%.4f", worst)) mm over \(residuals.count) points (probe scatter 0.002 mm, 3 decimals)")
        #expect(worst < 0.01)

        // Right way round: higher to the right (+X) and to the front (−Y).
        let analysis = try #require(BedMeshAnalysis(mesh))
        #expect(analysis.highest.column == 4 && analysis.highest.row == 0, "front right")
        #expect(analysis.lowest.row == 4, "at the back")

        // The PNG, decoded by zlib (python3): its size, and the colours of the extreme cells
        // where a top view puts them.
        let scale = MeshColourScale()
        let highCentre = MeshPNGImage.centre(column: analysis.highest.column, row: analysis.highest.row, of: mesh)
        let lowCentre = MeshPNGImage.centre(column: analysis.lowest.column, row: analysis.lowest.row, of: mesh)
        #expect(highCentre.x > lowCentre.x ? analysis.lowest.column < analysis.highest.column : true)
        #expect(highCentre.y > lowCentre.y, "the front row is drawn at the bottom")
        let decoded = try await PNGProbe.read(png, pixels: [highCentre, lowCentre])
        #expect(decoded.width == MeshPNGImage.size(of: mesh).width && decoded.height == MeshPNGImage.size(of: mesh).height)
        let expected: [[Int]] = [scale.colour(for: analysis.highest.zMM), scale.colour(for: analysis.lowest.zMM)].map { colour in
            [Int(colour.red), Int(colour.green), Int(colour.blue)]
        }
        #expect(decoded.pixels == expected)

        // The stored mesh as SVG: the same cells in the same places.
        let svgPath = scratch.file("mesh.svg")
        let stored = try await daemon.cli(["calibrate", "mesh", "--printer", "mk", "--from-stored", "--out", svgPath, "--json"])
        #expect(stored.status == 0, "\(stored.standardError)")
        let svg = try String(contentsOfFile: svgPath, encoding: .utf8)
        #expect(svg.contains("width=\"600\" height=\"482\""))
        // Cells are 64 px from (90, 70); row 0 (front) at the bottom.
        func cellFill(column: Int, row: Int) -> String? {
            let marker = "<rect x=\"\(90 + column * 64)\" y=\"\(70 + (4 - row) * 64)\" width=\"64\" height=\"64\" fill=\""
            guard let range = svg.range(of: marker) else { return nil }
            return String(svg[range.upperBound...].prefix(7))
        }
        #expect(cellFill(column: analysis.highest.column, row: analysis.highest.row) == scale.colour(for: analysis.highest.zMM).hex)
        #expect(cellFill(column: analysis.lowest.column, row: analysis.lowest.row) == scale.colour(for: analysis.lowest.zMM).hex)

        // The terminal: the back row first, with the mesh's own coordinates.
        let table = try await daemon.cli(["calibrate", "mesh", "--printer", "mk", "--from-stored"])
        #expect(table.status == 0)
        let lines = table.standardOutput.split(separator: "\n").map(String.init)
        let header = try #require(lines.firstIndex { $0.contains("10.0") && $0.contains("210.0") && $0.contains("X mm") })
        #expect(lines[header + 1].hasPrefix("Y 210.0"), "the back row on top: \(lines)")
        #expect(lines[header + 5].hasPrefix("Y  10.0"))
        #expect(table.standardOutput.contains("highest") && table.standardOutput.contains("at the front right (X 210.0 Y 10.0)"))
        #expect(!table.standardOutput.contains("\u{1B}["), "no colour when piped")
        await daemon.terminate()
    }

    @Test func trammingATiltedBedConvergesWithinThreeRoundsAndMakesTheMeshStale() async throws {
        let scratch = try TemporaryDirectory()
        let screws = scratch.file("screws")
        let daemon = try await Self.daemon(scratch, simulator: ["--bed-shape", "tilt-x=0.2,tilt-y=-0.1", "--bed-screws-file", screws])
        #expect(try await daemon.cli(["calibrate", "mesh", "--printer", "mk"]).status == 0)
        let person = try CalibrationOperator(["tramming", "--printer", "mk"], socket: daemon.socketPath)
        var round = 0
        var turned = 0
        while true {
            round += 1
            let report = try await person.waitFor("progress", number: 2 * round)
            guard let adjustments = report[path: "progress", "result", "adjustments"] as? [[String: Any]] else {
                Issue.record("round \(round) without its adjustments: \(report)")
                break
            }
            if adjustments.allSatisfy({ $0["direction"] == nil }) { break }
            // A person turns a little less than asked: 80 %.
            var turns = ""
            for adjustment in adjustments {
                guard let direction = adjustment["direction"] as? String, let amount = adjustment["turns"] as? Double, let name = adjustment["screw"] as? String else { continue }
                turns += "\(name) \(direction == "clockwise" ? "cw" : "ccw") \(String(format: "%.4f", amount * 0.8))\n"
                turned += 1
            }
            _ = try await person.waitFor("question", number: round)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: screws, isDirectory: false).creatingIfMissing())
            handle.seekToEndOfFile()
            handle.write(Data(turns.utf8))
            try handle.close()
            // "Turned": once the simulator has applied every turn so far.
            _ = try await Self.statistics(scratch) { $0["bed_screw_turns"] as? Int == turned }
            person.answer("yes")
        }
        #expect(await person.finish() == 0, "\(person.standardError)")
        let result = try #require(person.events.last?["result"] as? [String: Any])
        let rounds = try #require(result["rounds"] as? [[String: Any]])
        print("tramming figures: \(rounds.count) rounds; largest difference per round \(rounds.map { String(format: "%.3f", $0["largest_difference_mm"] as? Double ?? -1) })")
        #expect(rounds.count <= 3)
        #expect(result["within_tolerance"] as? Bool == true)
        #expect(person.events.last?["invalidates"] as? [String] == ["z_offset", "bed_mesh"])
        let standing = try await daemon.printerJSON("mk")["calibrations"] as? [[String: Any]] ?? []
        let mesh = try #require(standing.first { $0["kind"] as? String == "bed_mesh" })
        #expect(mesh["stale"] as? Bool == true && mesh["stale_since_kind"] as? String == "tramming")
        let text = try await daemon.cli(["status"])
        #expect(text.standardOutput.contains("bed_mesh #1 STALE (since tramming #2)"), "\(text.standardOutput)")
        await daemon.terminate()
    }

    @Test func theZOffsetFoundByBabysteppingIsKeptAcrossASimulatorRestartInItsEEPROM() async throws {
        let scratch = try TemporaryDirectory()
        let motion = scratch.file("motion.log")
        let daemon = try await Self.daemon(scratch, simulator: ["--z-offset-error", "0.3", "--eeprom", scratch.file("eeprom.txt"), "--motion-log", motion])
        let person = try CalibrationOperator(["zoffset", "--printer", "mk", "--save"], socket: daemon.socketPath)
        // Over the bed's centre at the start height: where the nozzle really is, from the motion log.
        _ = try await person.waitFor("question")
        var gap = try await NozzleLog.last(motion) { $0.hasPrefix("move") && $0.contains("x=110.000 y=110.000") }
        var asked = 1
        while abs(gap) >= 0.015 && asked < 5 {
            let babysteps = NozzleLog.lines(motion).filter { $0.hasPrefix("babystep") }.count
            person.answer(String(format: "%.3f", -gap))
            asked += 1
            _ = try await person.waitFor("question", number: asked)
            gap = try await NozzleLog.last(motion, after: babysteps) { $0.hasPrefix("babystep") }
        }
        #expect(abs(gap) < 0.015, "babystepping did not bring the nozzle to the bed")
        person.answer("accept")
        #expect(await person.finish() == 0, "\(person.standardError)")
        let result = try #require(person.events.last?["result"] as? [String: Any])
        let offset = try #require(result["new_offset_mm"] as? Double)
        print("z offset figures: new offset \(offset) mm for a compiled-in offset 0.3 mm off")
        #expect(abs(offset - -0.3) <= 0.02)
        #expect(result["persistence"] as? String == "verified")

        // A restart of the daemon restarts the simulator, which boots from its EEPROM file.
        await daemon.terminate()
        try await daemon.start()
        let backup = try await daemon.cli(["calibrate", "settings", "backup", "--printer", "mk", "--json"])
        #expect(backup.status == 0, "\(backup.standardError)")
        #expect(backup.standardOutput.contains("M851 X10.00 Y10.00 Z\(String(format: "%.2f", offset))"), "\(backup.standardOutput)")
        // And the nozzle really lands on the bed at Z 0.
        #expect(try await daemon.cli(["send", "--printer", "mk", "G28", "G1 Z0 F600", "M400"]).status == 0)
        let landed = try await NozzleLog.last(motion) { $0.hasPrefix("move") && $0.contains("lz=0.000") }
        #expect(abs(landed) <= 0.02, "Z 0 after the restart is \(landed) mm above the bed")
        await daemon.terminate()
    }

    @Test func settingsAreBackedUpComparedAndRestored() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await Self.daemon(scratch, simulator: [])
        let first = try Self.lastEvent(try await daemon.cli(["calibrate", "settings", "backup", "--printer", "mk", "--json"]))
        let before = try #require(first["record"] as? Int)
        #expect(try await daemon.cli(["send", "--printer", "mk", "M92 E100", "M301 P20 I1 D100"]).status == 0)
        let second = try Self.lastEvent(try await daemon.cli(["calibrate", "settings", "backup", "--printer", "mk", "--json"]))
        let after = try #require(second["record"] as? Int)
        let diff = try await daemon.cli(["calibrate", "settings", "diff", String(before), String(after)])
        #expect(diff.standardOutput.contains("M92 E: 93.00 → 100.00"), "\(diff.standardOutput)")
        #expect(diff.standardOutput.contains("M301 P: 22.20 → 20.00"))
        let restore = try await daemon.cli(["calibrate", "settings", "restore", String(before), "--printer", "mk", "--yes", "--json"])
        #expect(restore.status == 0, "\(restore.standardError)")
        let changes = try #require(try Self.lastEvent(restore)[path: "result", "changes"] as? [[String: Any]])
        #expect(changes.contains { $0["command"] as? String == "M92" && $0["parameter"] as? String == "E" && $0["after"] as? String == "93.00" })
        let history = try await daemon.cli(["calibrate", "history", "--printer", "mk", "--json"])
        #expect(history.standardOutput.split(separator: "\n").count == 3)
        await daemon.terminate()
    }
}

/// The simulator's motion log: where the nozzle physically is (flushed every 0.1 s).
enum NozzleLog {
    static func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// The nozzle's height after the last line that `matches`, once there are more than
    /// `after` such lines; a hang guard fails the test.
    static func last(_ path: String, after count: Int = 0, where matches: (String) -> Bool) async throws -> Double {
        for _ in 0..<600 {
            let found = lines(path).filter(matches)
            if found.count > count, let line = found.last {
                let field = line.hasPrefix("move") ? " z1=" : " z="
                if let range = line.range(of: field), let z = Double(line[range.upperBound...].prefix { $0 != " " }) { return z }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw SimulatorError(description: "no such line in \(path): \(lines(path).suffix(5))")
    }
}

/// A PNG read back by an independent decoder (python3's zlib, which checks the Adler-32; the
/// chunks' CRC-32 are checked here too).
enum PNGProbe {
    struct Decoded {
        var width: Int
        var height: Int
        var pixels: [[Int]]
    }

    static func read(_ path: String, pixels: [(x: Int, y: Int)]) async throws -> Decoded {
        let script = """
            import struct, sys, zlib
            data = open(sys.argv[1], 'rb').read()
            assert data[:8] == b'\\x89PNG\\r\\n\\x1a\\n', 'not a PNG'
            offset, idat, header = 8, b'', None
            while offset < len(data):
                length, kind = struct.unpack('>I4s', data[offset:offset + 8])
                body = data[offset + 8:offset + 8 + length]
                crc, = struct.unpack('>I', data[offset + 8 + length:offset + 12 + length])
                assert zlib.crc32(kind + body) == crc, 'bad CRC in ' + kind.decode()
                if kind == b'IHDR': header = struct.unpack('>IIBBBBB', body)
                if kind == b'IDAT': idat += body
                offset += 12 + length
            width, height, depth, colour = header[:4]
            assert depth == 8 and colour == 2, 'not 8-bit RGB'
            raw = zlib.decompress(idat)
            stride = width * 3 + 1
            print(width, height)
            for spec in sys.argv[2:]:
                x, y = map(int, spec.split(','))
                row = raw[y * stride:(y + 1) * stride]
                assert row[0] == 0, 'filtered row'
                print(*row[1 + 3 * x:4 + 3 * x])
            """
        let run = try await ToolRun("/usr/bin/python3", ["-c", script, path] + pixels.map { "\($0.x),\($0.y)" })
        guard run.status == 0 else { throw SimulatorError(description: "the PNG did not decode: \(run.standardError)") }
        let lines = run.standardOutput.split(separator: "\n").map { $0.split(separator: " ").compactMap { Int($0) } }
        guard let size = lines.first, size.count == 2 else { throw SimulatorError(description: "no size: \(run.standardOutput)") }
        return Decoded(width: size[0], height: size[1], pixels: Array(lines.dropFirst()))
    }
}

extension URL {
    fileprivate func creatingIfMissing() -> URL {
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        return self
    }
}
