import Foundation

/// Every thread's stack in a process, as `gdb -batch -p PID -ex "thread apply all bt"` prints
/// them (gdb from Debian): what a process that stalled was doing when it was looked at.
///
/// Blocks while gdb stops the process, reads its symbols and lets it go again (seconds, more
/// on a busy machine): call it on a thread of its own, not from the cooperative pool — which
/// may be the very thing that is stuck.
public enum ThreadDump {
    /// The stacks of `pid`. `busyPoolThreadsOnly`: only the threads running a Swift job (the
    /// cooperative pool's threads at work), for a test process with dozens of idle threads.
    public static func of(_ pid: pid_t, busyPoolThreadsOnly: Bool = false) -> String {
        let gdb = "/usr/bin/gdb"
        guard FileManager.default.isExecutableFile(atPath: gdb) else {
            return "(no \(gdb): `apt-get install gdb` for every thread's stack here)"
        }
        guard let files = try? TemporaryDirectory() else { return "(no temporary directory for gdb's output)" }
        let outputPath = files.file("gdb.txt")
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        let process = Process()
        // A hang guard for gdb itself.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["120", gdb, "-batch", "-nx", "-p", "\(pid)", "-ex", "set complaints 0", "-ex", "thread apply all bt 30"]
        guard let output = FileHandle(forWritingAtPath: outputPath) else { return "(cannot write \(outputPath))" }
        process.standardOutput = output
        process.standardError = output
        do {
            try process.run()
        } catch {
            return "(gdb did not start: \(error))"
        }
        process.waitUntilExit()
        try? output.close()
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return threads(in: text, busyPoolThreadsOnly: busyPoolThreadsOnly)
    }

    /// gdb's thread blocks without its chatter (symbol warnings, new LWPs), each frame cut to
    /// one readable line.
    static func threads(in text: String, busyPoolThreadsOnly: Bool) -> String {
        var blocks: [[String]] = []
        var unparsed: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("Thread ") {
                blocks.append([line])
            } else if line.hasPrefix("#"), !blocks.isEmpty {
                blocks[blocks.count - 1].append(String(line.prefix(240)))
            } else if blocks.isEmpty, !line.isEmpty, !line.hasPrefix("[New LWP"), !line.contains("warning:"), !line.hasPrefix("During symbol") {
                unparsed.append(line)
            }
        }
        guard !blocks.isEmpty else { return "(gdb printed no stacks)\n" + unparsed.suffix(20).joined(separator: "\n") }
        let kept = busyPoolThreadsOnly ? blocks.filter { $0.contains { $0.contains("swift_job_run") } } : blocks
        let note = busyPoolThreadsOnly ? "\(kept.count) of \(blocks.count) threads running a Swift job:\n" : ""
        return note + kept.map { $0.joined(separator: "\n") }.joined(separator: "\n\n")
    }
}
