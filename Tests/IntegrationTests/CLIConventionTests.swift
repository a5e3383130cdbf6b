import Foundation
import PrintEdgeCore
import PrintEdgeFixtures
import PrintEdgeTestSupport
import Testing

/// The conventions every command keeps, through the real binaries against a real daemon:
/// `--version`, one exit-code table, one JSON dialect, completions from the daemon.
@Suite(.serialized) struct CLIConventionTests {
    @Test func everyBinaryTellsItsVersion() async throws {
        for product in ["printedge", "printedged", "printedge-sim"] {
            let result = try await runProduct(product, ["--version"], limit: .seconds(30))
            #expect(result.status == 0, "\(product): \(result.standardError)")
            #expect(result.standardOutput == PrintEdgeVersion.number + "\n", "\(product)")
        }
        let help = try await runPrintedge(["--help"], limit: .seconds(30))
        #expect(help.standardOutput.contains("Exit status:"))
        for status in ["    0  done", "   65  G-code refused", "   69  printedged not running", "   75  not now", "  130  stopped"] {
            #expect(help.standardOutput.contains(status), "\(status)")
        }
    }

    @Test func printedgedWithoutAConfigurationRunsFromAnyDirectory() async throws {
        let scratch = try TemporaryDirectory()
        let result = try await ToolRun(productsDirectory.appendingPathComponent("printedged").path, ["--check-config"],
                                       in: URL(fileURLWithPath: scratch.path).path, limit: .seconds(60))
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("built-in configuration: valid; 1 printer(s): sim (printedge-sim)"), "\(result.standardOutput)")
    }

    @Test func eachKindOfFailureExitsWithItsOwnStatus() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"])
        let checks: [(arguments: [String], status: Int32, message: String)] = [
            (["status", "--printer", "nope"], 67, "no printer `nope`; this daemon has mk"),
            (["jobs", "cancel", "99"], 66, "there is no job 99"),
            (["jobs", "submit", scratch.file("missing.gcode")], 66, "cannot read"),
            (["jobs", "list", "--state", "printed"], 64, "unknown job state 'printed'"),
            (["jobs", "pause"], 66, "printer mk has no job printing or paused"),
            (["send", "M9876"], 65, #"printer mk answered: echo:Unknown command: "M9876""#),
            (["power", "status"], 78, "no power relay is configured"),
        ]
        for check in checks {
            let result = try await daemon.cli(check.arguments)
            #expect(result.status == check.status, "\(check.arguments): \(result.standardError)")
            #expect(result.standardError.contains(check.message), "\(check.arguments): \(result.standardError)")
        }
        let path = scratch.file("cube.gcode")
        try SampleGCode.write(SampleGCode.calibrationPrint(layers: 2), to: path)
        #expect(try await daemon.cli(["jobs", "submit", path, "-q"]).standardOutput.isEmpty, "--quiet prints nothing on success")
        let wrongState = try await daemon.cli(["jobs", "pause", "1"])
        #expect(wrongState.status == 75, "a queued job cannot be paused now: \(wrongState.standardError)")
        let noDaemon = try await runPrintedge(["status", "--socket", scratch.file("nowhere.sock")], limit: .seconds(30))
        #expect(noDaemon.status == 69)
        #expect(noDaemon.standardError.hasPrefix("printedge: printedged is not running"))
        await daemon.terminate()
    }

    @Test func startingOnAPrinterThatIsGoneLeavesTheJobQueuedAndSaysSo() async throws {
        let scratch = try TemporaryDirectory()
        let simulator = try await Simulator(in: scratch)
        let daemon = try await DaemonProcess(in: scratch, printers: [], ports: ["far": simulator.link])
        await simulator.stop()
        try await daemon.waitUntil("the printer is no longer idle") { try await daemon.printerJSON("far")["state"] as? String != "idle" }
        let path = scratch.file("cube.gcode")
        try SampleGCode.write(SampleGCode.calibrationPrint(layers: 2), to: path)
        let result = try await daemon.cli(["jobs", "submit", path, "--start"])
        #expect(result.status == 69, "\(result.standardError)")
        #expect(result.standardError.contains("job 1 is queued but did not start"), "\(result.standardError)")
        #expect(result.standardError.contains("printedge jobs start 1"))
        #expect(result.standardOutput.contains("#1  queued"), "the queued job is shown: \(result.standardOutput)")
        #expect(try await daemon.jobJSON(1)["state"] as? String == "queued")
        await daemon.terminate()
    }

    @Test func everyJSONDocumentIsSnakeCaseWithASchemaAndRFC3339Times() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"])
        let path = scratch.file("cube.gcode")
        try SampleGCode.write(SampleGCode.calibrationPrint(layers: 2), to: path)
        let submitted = try await daemon.cli(["jobs", "submit", path, "--json"])
        for arguments in [["status", "--json"], ["jobs", "list", "--json"]] {
            let result = try await daemon.cli(arguments)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any], "\(arguments)")
            #expect(document["schema"] as? Int == 1, "\(arguments)")
            for key in Self.keys(of: document) {
                #expect(key == key.lowercased() && !key.contains("-"), "\(arguments): key `\(key)` is not snake_case")
            }
        }
        let job = try #require((try JSONSerialization.jsonObject(with: Data(submitted.standardOutput.utf8)) as? [String: Any])?["job"] as? [String: Any])
        let submittedAt = try #require(job["submitted_at"] as? String)
        #expect(submittedAt.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(submittedAt)")
        #expect(job["ended_at"] is NSNull, "every key is there, null when unknown")
        await daemon.terminate()
    }

    @Test func bashCompletesPrinterIDsJobIDsStatesAndFilesFromTheRunningDaemon() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["left", "right"])
        let path = scratch.file("cube.gcode")
        try SampleGCode.write(SampleGCode.calibrationPrint(layers: 2), to: path)
        _ = try await daemon.cli(["jobs", "submit", path, "--printer", "right"])
        let script = try await runPrintedge(["--generate-completion-script", "bash"], limit: .seconds(30)).standardOutput
        try script.write(toFile: scratch.file("printedge.bash"), atomically: true, encoding: .utf8)
        func complete(_ line: String) async throws -> [String] {
            // What bash does on Tab: the words, the one under the cursor, and the function.
            let driver = """
                source \(scratch.file("printedge.bash"))
                COMP_LINE='\(line)'; COMP_POINT=${#COMP_LINE}
                read -ra COMP_WORDS <<< "$COMP_LINE"
                [[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
                COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
                _printedge printedge "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
                printf '%s\\n' "${COMPREPLY[@]}"
                """
            let result = try await ToolRun("/bin/bash", ["-c", driver], in: URL(fileURLWithPath: scratch.path).path,
                                           environment: ["PATH": productsDirectory.path + ":/usr/bin:/bin", "HOME": URL(fileURLWithPath: scratch.path).path],
                                           limit: .seconds(60))
            return result.standardOutput.split(separator: "\n").map(String.init)
        }
        let socket = "--socket \(daemon.socketPath)"
        #expect(try await complete("printedge status \(socket) --printer ") == ["left", "right"])
        #expect(try await complete("printedge jobs cancel \(socket) ") == ["1"])
        #expect(try await complete("printedge jobs list --state int") == ["interrupted"])
        #expect(try await complete("printedge jobs submit cu") == ["cube.gcode"])
        #expect(try await complete("printedge status --socket \(scratch.file("none.sock")) --printer ").isEmpty,
                "no daemon: nothing offered, nothing printed")
        for shell in ["zsh", "fish"] {
            let other = try await runPrintedge(["--generate-completion-script", shell], limit: .seconds(30))
            #expect(other.standardOutput.contains("---completion"), "\(shell) asks the binary for printer and job ids")
        }
        await daemon.terminate()
    }

    /// Every key at every depth of a JSON document.
    private static func keys(of value: Any) -> [String] {
        if let object = value as? [String: Any] { return object.keys + object.values.flatMap(keys(of:)) }
        if let array = value as? [Any] { return array.flatMap(keys(of:)) }
        return []
    }
}
