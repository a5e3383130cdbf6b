import PrintEdgeAgent
import Glibc

/// One measured stream: a fresh `printedge-sim`, one `printedge stream --json` into it, then
/// SIGTERM to the simulator and its statistics read back.
struct Trial {
    var label: String
    var file: String
    var flow: String
    var baud: Int
    var speedup: Int
    /// One-way delay the simulator adds in each direction, as a USB-serial bridge does.
    var latencyMilliseconds = 0.0
    /// How long the stream may take before the bench stops it and reports a timeout.
    var timeout: Duration
    /// Have the simulator log every command and compare the log with the file
    /// (`ExecutionCheck`); off for the memory run, whose log would be as large as its file.
    var checksExecution = true

    /// What one trial measured. `failure` is set when anything went wrong; the figures
    /// that could still be read are kept.
    struct Result {
        var trial: Trial
        var stream: StreamReport?
        var streamProcess: ChildProcess.Outcome?
        var simulator: SimulatorReport?
        var simulatorProcess: ChildProcess.Outcome?
        var failure: String?
        /// Oddities that do not make the run fail: disagreements between host and simulator.
        var notes: [String] = []

        var completed: Bool { failure == nil }
    }

    func run(with binaries: Binaries, in workspace: Workspace, interruption: Interruption) -> Result {
        var result = Result(trial: self)
        let link = workspace.path("\(label).tty")
        let statsPath = workspace.path("\(label).sim-stats.json")
        let executionLog = workspace.path("\(label).sim-exec.log")
        let simulatorOutput = workspace.path("\(label).sim.out")
        let simulatorLog = workspace.path("\(label).sim.log")

        var simulatorArguments = ["--link", link, "--baud", String(baud), "--speedup", String(speedup), "--stats", statsPath]
        if flow == "advanced-ok" { simulatorArguments.append("--advanced-ok") }
        if latencyMilliseconds > 0 { simulatorArguments += ["--latency-ms", String(latencyMilliseconds)] }
        if checksExecution { simulatorArguments += ["--exec-log", executionLog] }
        let simulator: ChildProcess
        do {
            simulator = try ChildProcess(executable: binaries.simulator, arguments: simulatorArguments,
                                         outputPath: simulatorOutput, errorPath: simulatorLog)
        } catch {
            result.failure = error.description
            return result
        }
        if let problem = simulator.waitForOutput("listening on", in: simulatorOutput, log: simulatorLog, interruption: interruption) {
            result.failure = problem
        } else {
            measureStream(into: &result, link: link, binaries: binaries, workspace: workspace, interruption: interruption)
        }
        result.simulatorProcess = simulator.stop()
        result.simulator = SimulatorReport.decodeLastObject(in: statsPath)
        result.crossCheck()
        if checksExecution && result.completed, let difference = ExecutionCheck.compare(file: file, executionLog: executionLog) {
            result.notes.append(difference)
        }
        return result
    }

    /// Runs printedge against the listening simulator; fills the stream half of `result`.
    private func measureStream(into result: inout Result, link: String, binaries: Binaries, workspace: Workspace,
                               interruption: Interruption) {
        let streamOutput = workspace.path("\(label).stream.json")
        let streamLog = workspace.path("\(label).stream.log")
        let stream: ChildProcess
        do {
            stream = try ChildProcess(
                executable: binaries.printedge,
                arguments: ["stream", file, "--port", link, "--baud", String(baud), "--flow", flow, "--json"],
                outputPath: streamOutput, errorPath: streamLog)
        } catch {
            result.failure = error.description
            return
        }
        let outcome: ChildProcess.Outcome
        if let finished = stream.wait(timeout: timeout, interruption: interruption) {
            outcome = finished
        } else {
            let interrupted = interruption.isRequested
            outcome = stream.stop()
            result.failure = interrupted ? "interrupted" : "timed out after \(Int(timeout.seconds)) s (log \(streamLog))"
        }
        result.streamProcess = outcome
        result.stream = StreamReport.decodeLastObject(in: streamOutput)
        if result.failure == nil && outcome.status != 0 {
            let reason = result.stream?.error ?? Workspace.lastLine(of: streamLog) ?? "no message"
            result.failure = "printedge exited \(outcome.status): \(reason)"
        } else if result.failure == nil && result.stream == nil {
            result.failure = "printedge printed no JSON summary (\(streamOutput))"
        }
    }
}

extension Trial.Result {
    /// The simulator is an independent implementation of the firmware side: where it and
    /// printedge disagree, one of them is wrong, and the table says so.
    mutating func crossCheck() {
        guard let stream, let simulator else {
            if simulator == nil && failure == nil { failure = "printedge-sim wrote no statistics" }
            return
        }
        // lines_executed also counts printedge's own numbered M105s, so only a shortfall
        // shows here; `ExecutionCheck` compares line by line where it runs.
        if failure == nil, let total = stream.linesTotal, simulator.linesExecuted < total {
            notes.append("sim executed \(simulator.linesExecuted) numbered lines for \(total) in the file")
        }
        if simulator.checksumErrors > 0 || simulator.lineNumberErrors > 0 {
            notes.append("sim saw \(simulator.checksumErrors) checksum, \(simulator.lineNumberErrors) line-number errors")
        }
        if simulator.resendsRequested != stream.resendRequests {
            notes.append("sim asked \(simulator.resendsRequested) resends, host counted \(stream.resendRequests)")
        }
        if stream.timeouts > 0 { notes.append("\(stream.timeouts) host timeouts") }
        if let process = simulatorProcess, process.status != 0 {
            notes.append("sim exited \(process.status) (expected 0 after SIGTERM)")
        }
    }
}
