#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import PrintEdgeControl

/// `printedge jobs show ID`: one job and its history.
struct JobsShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one job: its events with their times, duration, filament, failure reason and whether its file is kept.")

    @OptionGroup var arguments: JobArguments

    func run() throws {
        let id = try arguments.resolve(.named("show"))
        let reply = try arguments.control.call(ControlRequest(id: 0, command: "jobs.show", job: id))
        guard let history = reply.history else { return }
        if arguments.json { return try printJSON(history) }
        for line in Self.lines(history, nowMS: FleetLinkLine.nowMS()) { say(line) }
    }

    static func lines(_ history: JobHistory, nowMS: Int64) -> [String] {
        let job = history.job
        var lines = [JobView(job: job, nowMS: nowMS).line]
        var facts = ["submitted \(dateTime(ms: job.submittedAtMS))"]
        if let started = job.startedAtMS {
            let end = job.endedAtMS ?? nowMS
            var duration = "\(job.endedAtMS == nil ? "running for" : "took") \(JobView.duration(Double(end - started) / 1000))"
            if let printed = job.printingSeconds, abs(printed - Double(end - started) / 1000) >= 1 {
                duration += " (\(JobView.duration(printed)) printing, pauses left out)"
            }
            facts.append(duration)
        }
        lines.append(facts.joined(separator: ", "))
        var file = "\(job.commands) commands, \(job.layers) layers"
        if let filament = job.filamentMM { file += ", filament \(format(filament / 1000, 2)) m" }
        if let estimated = job.estimatedSeconds { file += ", slicer's estimate \(JobView.duration(estimated))" }
        file += history.fileKept ? "; file kept (`printedge jobs reprint \(job.id)`)" : "; file deleted"
        lines.append(file)
        if let reason = job.failureReason { lines.append("failure: \(reason)") }
        lines.append("events:")
        for event in history.events {
            lines.append("  \(dateTime(ms: event.atMS))  \(event.kind)" + (event.detail.map { ": \($0)" } ?? ""))
        }
        return lines
    }

    /// "2026-12-07 14:42:06", local time.
    static func dateTime(ms: Int64) -> String {
        var time = time_t(ms / 1000)
        var parts = tm()
        localtime_r(&time, &parts)
        func pad(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday)) \(JobView.clockTime(ms: ms, seconds: true))"
    }
}
