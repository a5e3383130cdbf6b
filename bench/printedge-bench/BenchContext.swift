import Glibc
import PrintEdgeFixtures

/// What every section measures with: the binaries, the temporary directory, the Ctrl-C
/// check. It runs trials, tells the terminal (on standard error) what is happening, and
/// counts the runs that failed.
final class BenchContext {
    let binaries: Binaries
    let workspace: Workspace
    let interruption: Interruption
    let quick: Bool
    private(set) var failedRuns = 0

    init(binaries: Binaries, workspace: Workspace, interruption: Interruption, quick: Bool) {
        self.binaries = binaries
        self.workspace = workspace
        self.interruption = interruption
        self.quick = quick
    }

    func run(_ trial: Trial) -> Trial.Result {
        guard !interruption.isRequested else {
            failedRuns += 1
            var skipped = Trial.Result(trial: trial)
            skipped.failure = "not run (interrupted)"
            return skipped
        }
        progress("\(trial.label): \(trial.flow) at \(trial.baud) baud, speedup \(trial.speedup) ...")
        let result = trial.run(with: binaries, in: workspace, interruption: interruption)
        if result.completed {
            let wall = Figure.fixed(result.streamProcess?.wallSeconds, 1)
            let cpu = Figure.fixed(result.streamProcess?.cpuSeconds, 2)
            let simulatorCPU = Figure.fixed(result.simulatorProcess?.cpuSeconds, 2)
            progress("  done in \(wall) s: \(Figure.fixed(result.linesPerSecond, 0)) lines/s; "
                + "CPU printedge \(cpu) s, sim \(simulatorCPU) s" + (result.notes.isEmpty ? "" : "; " + result.remarks))
        } else {
            failedRuns += 1
            progress("  \(result.remarks)")
        }
        return result
    }

    /// A generated print of `megabytes` MB (default 100, 10 with `--quick`) in the
    /// workspace, removed by `removeTemporaryFiles`; its path and exact size.
    func largePrint(megabytes: Int?, section: String) throws(BenchError) -> (path: String, bytes: Int) {
        let megabytes = megabytes ?? (quick ? 10 : 100)
        let file = workspace.temporaryPath("\(section)-\(megabytes)MB.gcode")
        progress("\(section): generating \(megabytes) MB of G-code in \(file) ...")
        do {
            try SampleGCode.writeLargePrint(to: file, bytes: megabytes * 1_000_000)
        } catch {
            throw BenchError("cannot write \(file): \(error)")
        }
        return (file, Workspace.size(of: file) ?? megabytes * 1_000_000)
    }

    func sectionFailed(_ error: BenchError) {
        failedRuns += 1
        progress("printedge-bench: \(error)")
    }

    /// A line on standard error.
    func progress(_ text: String) {
        BenchContext.write(text + "\n", to: STDERR_FILENO)
    }

    /// Unbuffered, so tables and progress lines come out in order even through a pipe.
    static func write(_ text: String, to descriptor: Int32) {
        var remaining = Array(text.utf8)[...]
        while !remaining.isEmpty {
            let written = remaining.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            remaining = remaining.dropFirst(written)
        }
    }
}
