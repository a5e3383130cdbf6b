import Glibc

/// A `mosquitto` on 127.0.0.1 for the fleet sections, on a port that was free a moment ago,
/// with `$SYS` published every second and queues deep enough that a subscriber falling
/// behind loses nothing (mosquitto's default `max_queued_messages 1000` drops the rest).
final class BenchBroker {
    static let executable = "/usr/sbin/mosquitto"
    let port: Int
    let process: ChildProcess

    init(label: String, context: BenchContext) throws(BenchError) {
        guard access(Self.executable, X_OK) == 0 else {
            throw BenchError("\(Self.executable) is missing: install mosquitto and mosquitto-clients (apt-get install mosquitto mosquitto-clients)")
        }
        port = try Self.freePort()
        let configuration = context.workspace.path("\(label).mosquitto.conf")
        try Workspace.write("""
            listener \(port) 127.0.0.1
            allow_anonymous true
            persistence false
            sys_interval 1
            max_queued_messages 1000000
            # Only acted on as root, where mosquitto would switch to user `mosquitto` otherwise.
            user root

            """, to: configuration)
        let log = context.workspace.path("\(label).mosquitto.log")
        process = try ChildProcess(executable: Self.executable, arguments: ["-c", configuration, "-v"],
                                   outputPath: context.workspace.path("\(label).mosquitto.out"), errorPath: log)
        let deadline = ContinuousClock.now + .seconds(20)
        while Workspace.contents(of: log)?.contains(" running") != true {
            if process.poll() != nil || ContinuousClock.now >= deadline {
                process.stop()
                throw BenchError("mosquitto did not start on port \(port): \(Workspace.lastLine(of: log) ?? "no message")")
            }
            Sleep.milliseconds(10)
        }
    }

    /// `mosquitto_sub` for `filters`, printing each message with `format` into `outputPath`.
    func subscriber(_ filters: [String], format: String, outputPath: String, errorPath: String) throws(BenchError) -> ChildProcess {
        try ChildProcess(executable: "/usr/bin/mosquitto_sub",
                         arguments: ["-h", "127.0.0.1", "-p", String(port), "-q", "1", "-F", format] + filters.flatMap { ["-t", $0] },
                         outputPath: outputPath, errorPath: errorPath)
    }

    private static func freePort() throws(BenchError) -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw BenchError("socket: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else { throw BenchError("no free port on 127.0.0.1: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// `[mqtt]` and offline printers for a bench daemon: printers on a port that does not exist
/// stay offline, so the daemon does nothing but its fleet link.
enum FleetAgentConfiguration {
    static func text(state: String, brokerPort: Int, fleet: String, clientID: String, printers: [String], extra: String = "") -> String {
        var text = """
            [daemon]
            state_directory = "\(state)"

            [http]
            listen = "off"

            [mqtt]
            host = "127.0.0.1"
            port = \(brokerPort)
            fleet = "\(fleet)"
            client_id = "\(clientID)"
            \(extra)

            """
        for printer in printers {
            text += """

                [[printer]]
                id = "\(printer)"
                port = "/dev/printedge-bench-absent-\(printer)"
                profile = "printedge-sim"

                """
        }
        return text
    }
}
