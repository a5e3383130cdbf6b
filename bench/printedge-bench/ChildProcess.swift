import Glibc

/// One program run by the bench, reaped with wait4 so the kernel hands back that child's
/// own resource usage (CPU time, peak resident set).
///
/// Started with fork + execve, not posix_spawn: glibc's posix_spawn is a vfork
/// (CLONE_VM), and at execve Linux folds the peak RSS of the memory the child was using —
/// the bench's own — into the child's ru_maxrss (`exec_mmap` → `setmax_mm_hiwater_rss`).
/// Spawned that way even /bin/true "peaks" at the bench's ~15 MB, right at printedge's
/// budget. A forked child starts from a copy holding only the bench's anonymous and
/// written pages (~3 MB; shared library text is not copied), far below anything printedge
/// reaches, so ru_maxrss is printedge's own peak.
///
/// Each child gets its own process group, stdin from /dev/null and its stdout and stderr
/// in files: a Ctrl-C on the terminal reaches only the bench (see `Interruption`), which
/// then stops its children with SIGTERM so they can write their last statistics.
final class ChildProcess {
    let executable: String
    let processID: pid_t
    private(set) var outcome: Outcome?

    struct Outcome {
        /// The exit status, or 128 + the signal number that ended the process (as a shell says).
        var status: Int32
        var signal: Int32?
        /// ru_utime + ru_stime.
        var cpuSeconds: Double
        /// ru_maxrss: Linux reports kibibytes.
        var peakResidentBytes: Int
        var wallSeconds: Double

        var peakResidentMB: Double { Double(peakResidentBytes) / 1_000_000 }
    }

    private let started = ContinuousClock.now

    /// Starts `executable` with `arguments`, standard output into `outputPath` and standard
    /// error into `errorPath` (both created or truncated).
    init(executable: String, arguments: [String], outputPath: String, errorPath: String) throws(BenchError) {
        self.executable = executable
        // Everything the child needs is prepared here: between fork and execve it may only
        // make async-signal-safe calls, so it must not allocate.
        let writeFlags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC
        let input = open("/dev/null", O_RDONLY | O_CLOEXEC)
        let output = open(outputPath, writeFlags, 0o644)
        let error = open(errorPath, writeFlags, 0o644)
        defer { [input, output, error].filter { $0 >= 0 }.forEach { close($0) } }
        for (descriptor, path) in [(input, "/dev/null"), (output, outputPath), (error, errorPath)] where descriptor < 0 {
            throw BenchError("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        guard let path = argv[0] else { throw BenchError("out of memory starting \(executable)") }
        let environment = Environment.variables
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)

        let pid = fork()
        if pid == 0 {
            // The child: a process group of its own, the bench's blocked signals unblocked
            // (dispositions are already the defaults: the bench installs no handler).
            setpgid(0, 0)
            sigprocmask(SIG_SETMASK, &emptyMask, nil)
            dup2(input, STDIN_FILENO)
            dup2(output, STDOUT_FILENO)
            dup2(error, STDERR_FILENO)
            execve(path, argv, environment)
            _exit(127)
        }
        guard pid > 0 else { throw BenchError("cannot start \(executable): fork: \(String(cString: strerror(errno)))") }
        // Also from the parent, so the group exists before the bench signals it.
        setpgid(pid, pid)
        processID = pid
    }

    var isRunning: Bool { outcome == nil }

    /// Sends `signal` unless the process was already reaped (its pid may be reused).
    func send(_ signal: Int32) {
        guard outcome == nil else { return }
        kill(processID, signal)
    }

    /// Reaps the process if it has ended; never blocks.
    @discardableResult
    func poll() -> Outcome? {
        if let outcome { return outcome }
        var status: Int32 = 0
        var usage = rusage()
        let result = wait4(processID, &status, WNOHANG, &usage)
        guard result == processID else { return nil }
        let signalled = status & 0x7F != 0
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        let finished = Outcome(
            status: signalled ? 128 + (status & 0x7F) : (status >> 8) & 0xFF,
            signal: signalled ? status & 0x7F : nil,
            cpuSeconds: cpu,
            peakResidentBytes: Int(usage.ru_maxrss) * 1024,
            wallSeconds: (ContinuousClock.now - started).seconds)
        outcome = finished
        return finished
    }

    /// Waits until the process ends or `timeout` passes (then nil). Polls every 20 ms, which
    /// costs the bench nothing measurable and keeps the loop free to notice a Ctrl-C.
    func wait(timeout: Duration, interruption: Interruption? = nil) -> Outcome? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let outcome = poll() { return outcome }
            if let interruption, interruption.isRequested { return nil }
            Sleep.milliseconds(20)
        }
        return poll()
    }

    /// Waits until the process's standard output (in `outputPath`) holds `text`, as a
    /// ready line; a problem description if the process exits or 30 s pass first.
    func waitForOutput(_ text: String, in outputPath: String, log: String, interruption: Interruption) -> String? {
        let name = executable.split(separator: "/").last.map(String.init) ?? executable
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if Workspace.contents(of: outputPath)?.contains(text) == true { return nil }
            if let outcome = poll() {
                return "\(name) exited \(outcome.status) before printing \"\(text)\": \(Workspace.lastLine(of: log) ?? "no message")"
            }
            if interruption.isRequested { return "interrupted" }
            Sleep.milliseconds(10)
        }
        return "\(name) did not print \"\(text)\" within 30 s (\(log))"
    }

    /// SIGTERM, a grace period, then SIGKILL: always returns with the process reaped.
    @discardableResult
    func stop(grace: Duration = .seconds(10)) -> Outcome {
        send(SIGTERM)
        if let outcome = wait(timeout: grace) { return outcome }
        send(SIGKILL)
        while true {
            if let outcome = poll() { return outcome }
            Sleep.milliseconds(5)
        }
    }
}

extension Duration {
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}

enum Sleep {
    static func milliseconds(_ count: Int) {
        var request = timespec(tv_sec: count / 1000, tv_nsec: (count % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}

/// The bench's environment, handed unchanged to its children.
enum Environment {
    static var variables: UnsafePointer<UnsafeMutablePointer<CChar>?>? {
        // `environ` is written only by setenv/putenv, which the bench never calls.
        UnsafePointer(environ)
    }
}
