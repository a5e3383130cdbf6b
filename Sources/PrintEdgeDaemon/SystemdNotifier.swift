#if canImport(Glibc)
import Glibc
#endif
import ServiceLifecycle

/// systemd's notify protocol, written to `$NOTIFY_SOCKET` directly (an AF_UNIX datagram;
/// a leading `@` names an abstract socket): `READY=1` once the database is open and the
/// control socket listens, `STATUS=` with every printer's state whenever one changes, and
/// `WATCHDOG=1` while the daemon's event loop answers.
struct SystemdNotifier: Service {
    let socketPath: String?
    let statusBoard: PrinterStatusBoard
    /// Half of `WATCHDOG_USEC`, as sd_watchdog_enabled(3) advises; nil when not asked.
    let watchdogInterval: Duration?
    /// Answers quickly when the daemon is healthy: the printers' actors are reachable.
    let healthCheck: @Sendable () async -> Bool

    init(environment: [String: String], statusBoard: PrinterStatusBoard, healthCheck: @escaping @Sendable () async -> Bool) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        if let text = environment["WATCHDOG_USEC"], let usec = Int64(text), usec > 0,
           environment["WATCHDOG_PID"].map({ Int32($0) == getpid() }) ?? true {
            watchdogInterval = .microseconds(usec / 2)
        } else {
            watchdogInterval = nil
        }
        self.statusBoard = statusBoard
        self.healthCheck = healthCheck
    }

    func run() async throws {
        notify("READY=1\nSTATUS=\(statusBoard.line)")
        await withTaskGroup(of: Void.self) { group in
            if socketPath != nil {
                group.addTask { for await line in statusBoard.lines { notify("STATUS=\(line)") } }
            }
            if let interval = watchdogInterval {
                while !Task.isShuttingDownGracefully {
                    if await healthCheck() { notify("WATCHDOG=1") }
                    try? await Task.sleep(for: interval)
                }
            } else {
                try? await gracefulShutdown()
            }
            group.cancelAll()
        }
        notify("STOPPING=1")
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
