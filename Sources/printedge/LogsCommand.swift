#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import Logging
import PrintEdgeJournal

struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Read printedged's log back: one printer's or one job's lines, from a time on.",
        discussion: """
            Reads `journalctl -u printedged -o json` (the journal keeps each line's priority, \
            time and pid), or with --file a log printedged wrote to a file when it ran outside \
            systemd. Each line is printed as `<UTC time> <level> <fields>: <text>`, the format of \
            such a file. Exit 0; 64 usage; 66 the file cannot be read; 69 journalctl is missing \
            or failed (run as root or a member of systemd-journal to read the system's journal).
            """)

    @Option(help: "Only lines about this printer (its `printer=` field).") var printer: String?
    @Option(help: "Only lines about this job (its `job=` field).") var job: Int64?
    @Option(help: ArgumentHelp("Only lines from this time on: 2025-03-01, 2025-03-01T14:05 (UTC), or a while ago: 30s, 15m, 2h, 1d.",
                               valueName: "when"))
    var since: String?
    @Option(name: .customLong("level"), help: ArgumentHelp("Only lines at this level or worse: debug, info, notice, warning, error.", valueName: "level"))
    var level: String?
    @Flag(name: .shortAndLong, help: "Keep waiting for new lines.") var follow = false
    @Option(help: ArgumentHelp("Read this file (printedged's standard error) instead of the journal.", valueName: "path"))
    var file: String?
    @Option(help: "The systemd unit whose journal is read.") var unit = "printedged"
    @Flag(help: "One JSON object per line: {time, time_ms, level, printer, job, text, fields, pid}.") var json = false

    func validate() throws {
        if let since, Self.sinceMS(since, now: 0) == nil {
            throw ValidationError("--since \(since) is not a time: write 2025-03-01, 2025-03-01T14:05 (UTC), or 30s, 15m, 2h, 1d")
        }
        if let level, Logger.Level(rawValue: level) == nil {
            throw ValidationError("--level \(level) is not a level; one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let nowMS = Int64(Date().timeIntervalSince1970 * 1000)
        let filter = LogFilter(printer: printer, job: job, sinceMS: since.flatMap { Self.sinceMS($0, now: nowMS) },
                               minimumLevel: level.flatMap(Logger.Level.init(rawValue:)))
        let output = LogOutput(json: json, colour: isatty(STDOUT_FILENO) == 1 && getenv("NO_COLOR") == nil)
        if let file {
            try readFile(file, filter: filter, output: output)
        } else {
            try readJournal(filter: filter, output: output)
        }
    }

    private func readFile(_ path: String, filter: LogFilter, output: LogOutput) throws {
        guard let stream = fopen(path, "r") else {
            standardError("printedge: cannot read \(path): \(String(cString: strerror(errno)))")
            throw ExitCode(66)
        }
        defer { fclose(stream) }
        forEachLine(of: stream, follow: follow) { line in
            // A line the daemon did not write in its format (a crash's backtrace) is shown as it is.
            let record = LogLine.parsePlain(line) ?? LogRecord(level: .info, text: String(line))
            if filter.admits(record) { output.write(record) }
        }
    }

    private func readJournal(filter: LogFilter, output: LogOutput) throws {
        guard let journalctl = Self.executable("journalctl") else {
            standardError("printedge: journalctl is not installed (package systemd); read a log file with --file")
            throw ExitCode(69)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: journalctl)
        var arguments = ["-u", unit, "-o", "json", "--no-pager"]
        // journalctl reads `@<seconds>` as that time (systemd.time(7)): the filter is applied there too.
        if let sinceMS = filter.sinceMS { arguments += ["--since", "@\(sinceMS / 1000)"] }
        if follow { arguments.append("--follow") }
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        guard let stream = fdopen(dup(pipe.fileHandleForReading.fileDescriptor), "r") else { throw ExitCode(70) }
        try? pipe.fileHandleForReading.close()
        forEachLine(of: stream, follow: false) { line in
            if let record = JournalEntry.record(json: line.utf8), filter.admits(record) { output.write(record) }
        }
        fclose(stream)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            standardError("printedge: journalctl exited with status \(process.terminationStatus)")
            throw ExitCode(69)
        }
    }

    /// Calls `body` with each line (without its `\n`) as it arrives; with `follow`, waits at
    /// the end for the file to grow, as `tail -f` does.
    private func forEachLine(of stream: UnsafeMutablePointer<FILE>, follow: Bool, _ body: (Substring) -> Void) {
        var buffer: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(buffer) }
        var partial = ""
        while true {
            let count = getline(&buffer, &capacity, stream)
            if count < 0 {
                guard follow else { break }
                clearerr(stream)
                usleep(250_000)
                continue
            }
            guard let buffer else { continue }
            partial += String(decoding: UnsafeRawBufferPointer(start: buffer, count: count), as: UTF8.self)
            // A line still being written has no `\n` yet: wait for the rest of it.
            guard partial.hasSuffix("\n") || !follow else { continue }
            body(partial.hasSuffix("\n") ? partial.dropLast() : Substring(partial))
            partial = ""
        }
        if !partial.isEmpty { body(Substring(partial)) }
    }

    /// `15m` ago, or an absolute UTC time, in milliseconds since the epoch.
    static func sinceMS(_ text: String, now: Int64) -> Int64? {
        let units: [Character: Int64] = ["s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000]
        if let unit = text.last.flatMap({ units[$0] }), let count = Int64(text.dropLast()), count >= 0 {
            return now - count * unit
        }
        return UTCTimestamp.parse(text)
    }

    /// The first `name` on `PATH` that is executable.
    static func executable(_ name: String) -> String? {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }
}

/// Prints records, flushed line by line so a pipe (`| grep`) sees each at once.
private struct LogOutput {
    let json: Bool
    let colour: Bool

    struct Line: Encodable {
        var time: String?
        var level: String
        var printer: String?
        var job: Int64?
        var text: String
        var fields: [LogField]
        var pid: Int32?
    }

    func write(_ record: LogRecord) {
        if json {
            try? SnakeCaseJSON.line(Line(time: record.timeMS.map(UTCTimestamp.format), level: record.level.rawValue,
                                         printer: record[field: "printer"], job: record[field: "job"].flatMap { Int64($0) },
                                         text: record.text, fields: record.fields, pid: record.pid))
        } else {
            let time = record.timeMS.map(UTCTimestamp.format) ?? "-"
            let level = colour ? Self.coloured(record.level) : record.level.rawValue
            print("\(time) \(level) \(record.body)")
        }
        fflush(nil)
    }

    private static func coloured(_ level: Logger.Level) -> String {
        switch level {
        case .critical, .error: "\u{1B}[31m\(level.rawValue)\u{1B}[0m"
        case .warning: "\u{1B}[33m\(level.rawValue)\u{1B}[0m"
        case .notice: "\u{1B}[1m\(level.rawValue)\u{1B}[0m"
        default: level.rawValue
        }
    }
}
