import Glibc
import PrintEdgeAgent
import PrintEdgeCore

/// The progress bar on a terminal, plain progress lines otherwise (logs, CI, pipes);
/// nothing with `--quiet` (`enabled` false).
struct ProgressDisplay {
    let totalLines: Int
    let enabled: Bool
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var lastPlainReport: Duration = .seconds(-10)
    private var drewBar = false
    /// Lines per second over the last few seconds: the whole-run average would still count the
    /// heat-up at the start of a print and promise an ETA many times too long.
    private var recentRate: Double?
    private var previousSample: (done: Int, elapsed: Duration)?

    init(totalLines: Int, enabled: Bool) {
        self.totalLines = totalLines
        self.enabled = enabled
    }

    mutating func show(_ event: PrinterConnection.Event) {
        guard enabled else { return }
        if case .linkProgress(let progress, let elapsed) = event {
            report(progress, elapsed: elapsed)
        } else if let text = describe(event) {
            message(text)
        }
    }

    mutating func finish() {
        if drewBar {
            writeStandardError("\n")
            drewBar = false
        }
    }

    private mutating func message(_ text: String) {
        if drewBar { writeStandardError("\r\u{1B}[K") }
        standardError(text)
        drewBar = false
    }

    private mutating func report(_ progress: StreamProgress, elapsed: Duration) {
        let done = progress.linesAcknowledged
        let fraction = totalLines > 0 ? Double(done) / Double(totalLines) : 0
        if let previous = previousSample, elapsed > previous.elapsed {
            let instant = Double(done - previous.done) / (elapsed - previous.elapsed).seconds
            recentRate = recentRate.map { 0.9 * $0 + 0.1 * instant } ?? instant
        }
        previousSample = (done, elapsed)
        let rate = recentRate ?? 0
        let remaining = rate > 0 ? Double(totalLines - done) / rate : .nan
        let stats = "\(format(fraction * 100, 1))%  \(done)/\(totalLines) lines  \(format(rate, 0)) lines/s  ETA \(clock(remaining))"
            + (progress.resendRequests > 0 ? "  resends \(progress.resendRequests)" : "")
        if isTerminal {
            let width = 24
            let filled = min(width, Int(fraction * Double(width)))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            writeStandardError("\r\u{1B}[K[\(bar)] \(stats)")
            drewBar = true
        } else if elapsed - lastPlainReport >= .seconds(5) {
            lastPlainReport = elapsed
            standardError("progress: \(stats)")
        }
    }

    private func describe(_ event: PrinterConnection.Event) -> String? {
        switch event {
        case .ready(let info, _, let flow, _):
            "printer: \(info?.firmwareName ?? "unidentified firmware"); flow control \(flow.rawValue)"
        case .timeout(let consecutive):
            "no answer from the printer: sending the oldest unacknowledged line again (\(consecutive))"
        case .firmwareError(let text):
            "printer error: \(text)"
        case .hostAction(let action):
            "printer action: \(action)"
        default:
            nil
        }
    }

    private func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--:--" }
        let total = Int(seconds.rounded())
        let hours = total / 3600
        let minutes = (total % 3600) / 60
        let secs = total % 60
        let mmss = (minutes < 10 && hours > 0 ? "0" : "") + "\(minutes):" + (secs < 10 ? "0" : "") + "\(secs)"
        return hours > 0 ? "\(hours):\(mmss)" : mmss
    }
}
