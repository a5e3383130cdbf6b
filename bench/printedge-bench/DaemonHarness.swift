import Glibc
import PrintEdgeControl

/// printedged with one printer on a port where the bench's own printedge-sim listens, so
/// each process is measured apart (the daemon's virtual printers would be its children).
/// The daemon is driven through its control socket, as the CLI drives it.
final class DaemonHarness {
    static let baud = 1_000_000
    /// Put first in every job the bench starts; the simulator reports when it arrives.
    static let firstLineMark = "M117 printedge-bench first line"

    let label: String
    let simulator: ChildProcess
    let daemon: ChildProcess
    let simulatorOutput: String
    let statisticsPath: String
    private let client: ControlClient
    private var nextRequestID = 1

    init(label: String, context: BenchContext) throws(BenchError) {
        self.label = label
        let workspace = context.workspace
        let link = workspace.path("\(label).printer")
        let profiles = workspace.path("profiles")
        simulatorOutput = workspace.path("\(label).sim.out")
        statisticsPath = workspace.path("\(label).sim-stats.json")
        try Workspace.write(Self.profile, to: profiles + "/bench-sim.toml")
        let configuration = workspace.path("\(label).printedge.toml")
        let socket = workspace.path("\(label).state/printedged.sock")
        try Workspace.write("""
            [daemon]
            state_directory = "\(workspace.path("\(label).state"))"
            profile_directories = ["\(profiles)"]

            # On, as by default, on any free port: the memory figures include the listener.
            [http]
            listen = "127.0.0.1:0"

            [[printer]]
            id = "bench"
            port = "\(link)"
            profile = "bench-sim"

            """, to: configuration)

        simulator = try ChildProcess(
            executable: context.binaries.simulator,
            arguments: ["--link", link, "--baud", String(Self.baud), "--speedup", "10000", "--stats", statisticsPath,
                        "--mark", Self.firstLineMark],
            outputPath: simulatorOutput, errorPath: workspace.path("\(label).sim.log"))
        if let problem = simulator.waitForOutput("listening on", in: simulatorOutput, log: workspace.path("\(label).sim.log"),
                                                 interruption: context.interruption) {
            simulator.stop()
            throw BenchError(problem)
        }
        let daemonLog = workspace.path("\(label).printedged.log")
        do {
            daemon = try ChildProcess(executable: try context.binaries.daemon(), arguments: ["--config", configuration],
                                      outputPath: workspace.path("\(label).printedged.out"), errorPath: daemonLog)
        } catch {
            simulator.stop()
            throw error
        }
        do {
            client = try Self.connect(to: socket, daemon: daemon, log: daemonLog)
        } catch {
            daemon.stop()
            simulator.stop()
            throw error
        }
    }

    /// The printer profile: printedge-sim's, at the bench's baud rate.
    private static let profile = """
        description = "printedge-sim for the bench"
        baud = \(baud)
        flow = "auto"
        rx_buffer_bytes = 128
        command_slots = 4
        max_line_bytes = 96

        [build_volume]
        x_min_mm = 0
        x_max_mm = 220
        y_min_mm = 0
        y_max_mm = 220
        z_max_mm = 250

        [temperatures]
        max_hotend_c = 260
        max_bed_c = 140
        safe_hotend_c = 50

        """

    /// The socket appears once the database is open; until then, or if the daemon exits,
    /// say why with the last line of its log.
    private static func connect(to socket: String, daemon: ChildProcess, log: String) throws(BenchError) -> ControlClient {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let client = try? ControlClient(socketPath: socket) { return client }
            if let outcome = daemon.poll() {
                throw BenchError("printedged exited \(outcome.status): \(Workspace.lastLine(of: log) ?? "no message")")
            }
            Sleep.milliseconds(20)
        }
        throw BenchError("printedged opened no control socket at \(socket) within 30 s (\(log))")
    }

    func call(_ command: String, job: Int64? = nil, path: String? = nil, force: Bool? = nil) throws(BenchError) -> ControlReply {
        nextRequestID += 1
        let request = ControlRequest(id: nextRequestID, command: command, printer: job == nil ? "bench" : nil, job: job,
                                     path: path, force: force)
        let reply: ControlReply
        do {
            reply = try client.call(request)
        } catch {
            throw BenchError("\(command): \(error)")
        }
        if let error = reply.error { throw BenchError("\(command): \(error.message)") }
        return reply
    }

    func printerState() throws(BenchError) -> String? {
        try call("status").printers?.first?.state
    }

    func waitUntilIdle(timeout: Duration, interruption: Interruption) throws(BenchError) {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, !interruption.isRequested {
            if try printerState() == "idle" { return }
            Sleep.milliseconds(20)
        }
        throw BenchError("the printer did not become idle within \(timeout) (state \(try printerState() ?? "unknown"))")
    }

    func submit(_ path: String, force: Bool = false) throws(BenchError) -> JobSummary {
        guard let job = try call("jobs.submit", path: path, force: force ? true : nil).job else {
            throw BenchError("jobs.submit returned no job")
        }
        return job
    }

    /// Polls the job every `interval` until it leaves queued/printing/finishing; calls
    /// `sample` on each poll. Returns the final summary.
    func waitForJob(_ id: Int64, timeout: Duration, interval: Int, interruption: Interruption,
                    sample: () -> Void = {}) throws(BenchError) -> JobSummary {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, !interruption.isRequested {
            sample()
            let jobs = try call("jobs.list").jobs ?? []
            if let job = jobs.first(where: { $0.id == id }), !["queued", "printing", "finishing", "paused"].contains(job.state) {
                return job
            }
            Sleep.milliseconds(interval)
        }
        throw BenchError(interruption.isRequested ? "interrupted" : "job \(id) did not end within \(timeout)")
    }

    /// The wall-clock instants (ns since the epoch) at which the simulator saw the mark.
    func markInstants() -> [Int64] {
        (Workspace.contents(of: simulatorOutput) ?? "").split(separator: "\n").compactMap { line in
            guard let range = line.range(of: "mark received at unix_ns=") else { return nil }
            return Int64(line[range.upperBound...])
        }
    }

    /// Stops the daemon (SIGTERM: a clean shutdown), then the simulator.
    @discardableResult
    func stop() -> (daemon: ChildProcess.Outcome, simulator: ChildProcess.Outcome) {
        let daemonOutcome = daemon.stop()
        return (daemonOutcome, simulator.stop())
    }

    static func realtimeNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}

/// One reading of a running process from /proc: resident set and CPU so far.
struct ProcessSample {
    var residentBytes: Int
    var cpuSeconds: Double

    init?(processID: pid_t) {
        guard let status = Workspace.contents(of: "/proc/\(processID)/status"),
              let rssLine = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = rssLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) }),
              let stat = Workspace.contents(of: "/proc/\(processID)/stat"),
              let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        residentBytes = kilobytes * 1024
        cpuSeconds = (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
