#if canImport(Glibc)
import Glibc
#endif
import PrintEdgeControl

/// The one way a job is written for people — `status`, `jobs list`, the job commands'
/// replies, `jobs follow` and `watch` — from the `JobSummary` the daemon gives them all, so
/// two views of the same job cannot disagree. Pure text: `nowMS` and the local clock come in.
struct JobView {
    var job: JobSummary
    /// The printer's heaters, when the view has them (status, follow, watch).
    var temperatures: [HeaterReading] = []
    /// The printer's link is down: the temperatures are the last ones read, not live.
    var temperaturesStale = false
    var nowMS: Int64

    var isRunning: Bool { job.state == "printing" || job.state == "paused" }

    /// "heating", "printing", "parking", "paused for 2 min"...; the state for a job not running.
    var phase: String {
        guard isRunning else { return job.state }
        let phase = job.phase ?? job.state
        switch phase {
        case "pausing": return "parking"
        case "paused":
            guard let since = job.phaseSinceMS else { return "paused" }
            return "paused for \(JobView.age(seconds: Double(nowMS - since) / 1000))"
        default: return phase
        }
    }

    /// "42.1 %".
    var percent: String { format(job.fraction * 100, 1) + " %" }

    /// "layer 43/101", 1-based; `nil` before the first layer.
    var layer: String? { job.layer.map { "layer \($0 + 1)/\(job.layers)" } }

    var height: String? { job.zMM.map { "Z " + format($0, 2) + " mm" } }

    /// Seconds printed, pauses left out (the daemon's), else since it started.
    var elapsedSeconds: Double? {
        job.printingSeconds ?? job.startedAtMS.map { Double(nowMS - $0) / 1000 }
    }

    /// "ETA 8m31s" — and the local time it finishes, while printing (a paused job's finish
    /// recedes with every second it stays paused, so it is not promised).
    var eta: String? {
        guard isRunning, let seconds = job.etaSeconds, seconds.isFinite, seconds >= 0 else { return nil }
        var text = "ETA \(JobView.duration(seconds))"
        if job.state == "printing" { text += " (\(JobView.clockTime(ms: nowMS + Int64(seconds * 1000))))" }
        return text
    }

    var temperatureText: String? {
        temperatures.isEmpty ? nil : temperatures.map(JobView.reading).joined(separator: "  ") + (temperaturesStale ? " (stale)" : "")
    }

    /// One line: `status`, `jobs list`, the job commands.
    var line: String {
        var parts = ["#\(job.id)", job.state, job.name, "on \(job.printer)"]
        if isRunning {
            // "paused for 2 min" says the state itself; "printing (heating)" adds to it.
            parts[1] = phase.hasPrefix(job.state) ? phase : "\(job.state) (\(phase))"
            parts.append(percent)
            parts += [layer, height].compactMap { $0 }
            if let eta { parts.append(eta) }
        } else if job.state == "queued" {
            var facts = ["\(job.commands) commands", "\(job.layers) layers"]
            if let estimated = job.estimatedSeconds { facts.insert("est. \(JobView.duration(estimated))", at: 0) }
            parts.append(facts.joined(separator: ", "))
        } else if job.state == "interrupted" {
            parts.append(percent)
            if let layer { parts.append(layer) }
        }
        if let failureReason = job.failureReason { parts.append("(\(failureReason))") }
        return parts.joined(separator: "  ")
    }

    /// The live view of `jobs follow` and `watch` on a terminal: a few lines redrawn in place.
    func screen(width: Int) -> [String] {
        var lines = ["#\(job.id) \(job.name) on \(job.printer) — \(phase)"]
        let facts = [percent, layer, height].compactMap { $0 }.joined(separator: "  ")
        let barWidth = max(10, min(40, width - facts.count - 4))
        let filled = min(barWidth, max(0, Int(job.fraction * Double(barWidth))))
        lines.append("[" + String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled) + "]  " + facts)
        if let temperatureText { lines.append(temperatureText) }
        var timing: [String] = []
        if let elapsed = elapsedSeconds { timing.append("elapsed \(JobView.duration(elapsed))") }
        if let eta { timing.append(eta) }
        if !timing.isEmpty { lines.append(timing.joined(separator: "  ")) }
        if let failureReason = job.failureReason { lines.append(failureReason) }
        return lines.map { String($0.prefix(max(20, width))) }
    }

    /// One line of `jobs follow` and `watch` when piped: a time stamp and every fact.
    var plainLine: String {
        var parts = [JobView.clockTime(ms: nowMS, seconds: true), "#\(job.id)", job.printer, phase, percent]
        parts += [layer, height, temperatureText].compactMap { $0 }
        if let elapsed = elapsedSeconds, isRunning { parts.append("elapsed \(JobView.duration(elapsed))") }
        if let eta { parts.append(eta) }
        if let failureReason = job.failureReason { parts.append("(\(failureReason))") }
        return parts.joined(separator: "  ")
    }

    /// "T0 210.0/210°C".
    static func reading(_ reading: HeaterReading) -> String {
        "\(reading.heater) \(format(reading.actualCelsius, 1))" + (reading.targetCelsius.map { "/" + format($0, 0) } ?? "") + "°C"
    }

    /// "8m31s", "2h05m".
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "-" }
        let total = Int(max(0, seconds).rounded())
        return total >= 3600 ? "\(total / 3600)h\(pad(total % 3600 / 60))m" : "\(total / 60)m\(pad(total % 60))s"
    }

    /// "12 s", "2 min", "1 h 5 min".
    static func age(seconds: Double) -> String {
        let total = Int(max(0, seconds))
        switch total {
        case ..<60: return "\(total) s"
        case ..<3600: return "\(total / 60) min"
        default: return "\(total / 3600) h \(total % 3600 / 60) min"
        }
    }

    /// The local wall-clock time, "14:55" (or "14:55:07").
    static func clockTime(ms: Int64, seconds: Bool = false) -> String {
        var time = time_t(ms / 1000)
        var parts = tm()
        localtime_r(&time, &parts)
        let text = "\(pad(Int(parts.tm_hour))):\(pad(Int(parts.tm_min)))"
        return seconds ? text + ":\(pad(Int(parts.tm_sec)))" : text
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
