import Foundation
import Synchronization

/// The test's end of systemd's notify protocol: a datagram socket in the scratch directory,
/// given to printedged as `NOTIFY_SOCKET`. The daemon says `READY=1` there, then
/// `STATUS=printers: <id> <state>, …` whenever a printer's state changes: readiness is an
/// event to wait for, not a state to poll the CLI for.
final class NotifySocket: Sendable {
    let path: String
    private let descriptor: Int32
    private let received = Mutex<[String]>([])

    init(path: String) throws {
        self.path = path
        unlink(path)
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw SimulatorError(description: "notify socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(descriptor)
            throw SimulatorError(description: "notify socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes + [0]) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw SimulatorError(description: "notify socket \(path): \(reason)")
        }
    }

    deinit {
        close(descriptor)
        unlink(path)
    }

    /// Every message so far, oldest first (what has arrived is read without waiting).
    var messages: [String] {
        received.withLock { received in
            Self.read(descriptor, into: &received)
            return received
        }
    }

    /// Forgets the messages so far (a daemon that was stopped said them).
    func forget() {
        received.withLock { received in
            Self.read(descriptor, into: &received)
            received.removeAll()
        }
    }

    private static func read(_ descriptor: Int32, into received: inout [String]) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while case let count = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT)), count > 0 {
            received.append(String(decoding: buffer[..<count], as: UTF8.self))
        }
    }

    /// Sleeps in `poll` until `done(messages)` holds (true), `deadline` passes or `gaveUp()`
    /// (false). Blocks: call it on a thread of its own, where a stall of the cooperative pool
    /// cannot keep the deadline from being noticed.
    func wait(until deadline: ContinuousClock.Instant, for done: ([String]) -> Bool, unless gaveUp: () -> Bool) -> Bool {
        while true {
            if done(messages) { return true }
            let left = deadline - ContinuousClock.now
            if gaveUp() || left <= .zero { return false }
            // At most a second between looks at `gaveUp` (the daemon exiting sends nothing).
            let milliseconds = min(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1, 1000)
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            _ = poll(&entry, 1, Int32(milliseconds))
        }
    }

    /// The printers' states in the last `STATUS=printers: …` line after `READY=1`; nil before
    /// the daemon is ready.
    static func printerStates(in messages: [String]) -> [String: String]? {
        var ready = false
        var states: [String: String]?
        for line in messages.flatMap({ $0.split(separator: "\n") }) {
            if line == "READY=1" { ready = true }
            guard ready, line.hasPrefix("STATUS=printers: ") else { continue }
            states = [:]
            // `printers: a idle, b printing | degraded: …`: the health verdict's summary follows a bar.
            let printers = line.dropFirst("STATUS=printers: ".count).split(separator: " | ", maxSplits: 1).first ?? ""
            for entry in printers.split(separator: ", ") {
                let parts = entry.split(separator: " ")
                if parts.count == 2 { states?[String(parts[0])] = String(parts[1]) }
            }
        }
        return ready ? states ?? [:] : nil
    }
}
