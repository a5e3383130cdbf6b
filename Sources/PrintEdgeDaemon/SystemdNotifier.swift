#if canImport(Glibc)
import Glibc
#endif
import Logging
import PrintEdgeControl
import ServiceLifecycle

/// systemd's notify protocol, written to `$NOTIFY_SOCKET` directly (an AF_UNIX datagram;
/// a leading `@` names an abstract socket): `READY=1` once the database is open and the
/// control socket listens, then, every half `WATCHDOG_USEC`, the daemon's `HealthVerdict`:
/// `STATUS=` with its summary (what `systemctl status printedged` shows), and `WATCHDOG=1`
/// only while it is not `failed`, so systemd restarts a daemon that cannot do its work. A
/// change of level is logged, so the journal tells when the daemon went degraded and why.
struct SystemdNotifier: Service {
    let socketPath: String?
    /// Half of `WATCHDOG_USEC`, as sd_watchdog_enabled(3) advises; nil when not asked.
    let watchdogInterval: Duration?
    let logger: Logger
    /// The daemon's verdict on itself (`DaemonHealth`); answers within its own hang guard.
    let verdict: @Sendable () async -> HealthVerdict

    init(environment: [String: String], logger: Logger, verdict: @escaping @Sendable () async -> HealthVerdict) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        if let text = environment["WATCHDOG_USEC"], let usec = Int64(text), usec > 0,
           environment["WATCHDOG_PID"].map({ Int32($0) == getpid() }) ?? true {
            watchdogInterval = .microseconds(usec / 2)
        } else {
            watchdogInterval = nil
        }
        self.logger = logger
        self.verdict = verdict
    }

    func run() async throws {
        notify("READY=1\nSTATUS=printing service ready")
        guard let interval = watchdogInterval else {
            try? await gracefulShutdown()
            notify("STOPPING=1")
            return
        }
        var level = HealthVerdict.Level.ready
        while !Task.isShuttingDownGracefully {
            let verdict = await verdict()
            if verdict.level != level {
                logger.log(level: verdict.level == .ready ? .notice : .warning, "health: \(verdict.summary)")
                level = verdict.level
            }
            notify(Self.message(for: verdict))
            try? await Task.sleep(for: interval)
        }
        notify("STOPPING=1")
    }

    /// The datagram for `verdict`: its summary on one line, and the watchdog's kick unless failed.
    static func message(for verdict: HealthVerdict) -> String {
        let status = "STATUS=" + String(verdict.summary.map { $0 == "\n" ? " " : $0 })
        return verdict.feedsWatchdog ? "WATCHDOG=1\n" + status : status
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
                bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), sockaddrPointer, length) }
            }
        }
        return sent == bytes.count
    }
}
