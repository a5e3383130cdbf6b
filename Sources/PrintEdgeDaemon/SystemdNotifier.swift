#if canImport(Glibc)
import Glibc
#endif
import Logging
import PrintEdgeControl
import ServiceLifecycle
import Synchronization

/// systemd's notify protocol, written to `$NOTIFY_SOCKET` directly (an AF_UNIX datagram;
/// a leading `@` names an abstract socket): `READY=1` once the database is open and the
/// control socket listens; `STATUS=` with every printer's state whenever one changes (what
/// `systemctl status printedged` shows); and, every half `WATCHDOG_USEC`, the daemon's
/// `HealthVerdict`: `WATCHDOG=1` only while it is not `failed`, so systemd restarts a
/// daemon that cannot do its work, and the verdict's summary after the printers' states in
/// `STATUS=` while it is not `ready` (`printers: mk3s idle | degraded: fleet: down …`). A
/// change of level is logged, so the journal tells when the daemon went degraded and why.
struct SystemdNotifier: Service {
    let socketPath: String?
    let statusBoard: PrinterStatusBoard
    /// Half of `WATCHDOG_USEC`, as sd_watchdog_enabled(3) advises; nil when not asked.
    let watchdogInterval: Duration?
    let logger: Logger
    /// The daemon's verdict on itself (`DaemonHealth`); answers within its own hang guard.
    let verdict: @Sendable () async -> HealthVerdict
    /// The last verdict's summary while it is not ready, for the `STATUS=` lines between two.
    private let health = HealthNote()

    init(environment: [String: String], statusBoard: PrinterStatusBoard, logger: Logger,
         verdict: @escaping @Sendable () async -> HealthVerdict) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        if let text = environment["WATCHDOG_USEC"], let usec = Int64(text), usec > 0,
           environment["WATCHDOG_PID"].map({ Int32($0) == getpid() }) ?? true {
            watchdogInterval = .microseconds(usec / 2)
        } else {
            watchdogInterval = nil
        }
        self.statusBoard = statusBoard
        self.logger = logger
        self.verdict = verdict
    }

    func run() async throws {
        notify("READY=1\nSTATUS=\(statusBoard.line)")
        await withTaskGroup(of: Void.self) { group in
            if socketPath != nil {
                group.addTask { [health] in
                    for await line in statusBoard.lines { notify("STATUS=" + Self.status(printers: line, health: health.summary)) }
                }
            }
            if let interval = watchdogInterval {
                var level = HealthVerdict.Level.ready
                while !Task.isShuttingDownGracefully {
                    let verdict = await verdict()
                    if verdict.level != level {
                        logger.log(level: verdict.level == .ready ? .notice : .warning, "health: \(verdict.summary)")
                        level = verdict.level
                    }
                    health.summary = verdict.level == .ready ? nil : verdict.summary
                    notify(Self.message(for: verdict, printers: statusBoard.line))
                    try? await Task.sleep(for: interval)
                }
            } else {
                try? await gracefulShutdown()
            }
            group.cancelAll()
        }
        notify("STOPPING=1")
    }

    /// The watchdog's datagram for `verdict`: the kick unless failed, and the status line.
    static func message(for verdict: HealthVerdict, printers line: String) -> String {
        let status = "STATUS=" + Self.status(printers: line, health: verdict.level == .ready ? nil : verdict.summary)
        return verdict.feedsWatchdog ? "WATCHDOG=1\n" + status : status
    }

    /// One line: the printers' states, then the verdict's summary when there is one.
    static func status(printers line: String, health: String?) -> String {
        String((health.map { "\(line) | \($0)" } ?? line).map { $0 == "\n" ? " " : $0 })
    }

    @discardableResult
    func notify(_ message: String) -> Bool {
        guard let socketPath else { return false }
        return Self.send(message, to: socketPath)
    }

    static func send(_ message: String, to socketPath: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketPath.utf8)
        guard !path.isEmpty, path.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        if path[0] == UInt8(ascii: "@") { path[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in raw.copyBytes(from: path) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (path[0] == 0 ? 0 : 1))
        let bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                // Never waits: a receiver that does not read (its queue holds ten datagrams by
                // default) would otherwise hold this task, and its pool thread, in `sendto`.
                bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT), sockaddrPointer, length) }
            }
        }
        return sent == bytes.count
    }
}

/// The last verdict's summary, shared by the watchdog's loop and the status lines.
private final class HealthNote: Sendable {
    private let latest = Mutex<String?>(nil)

    var summary: String? {
        get { latest.withLock { $0 } }
        set { latest.withLock { $0 = newValue } }
    }
}
