import Foundation
import PrintEdgeMQTT
import PrintEdgeTestSupport

/// A real `mosquitto` broker for one test: listening on 127.0.0.1 on a free port, its
/// configuration, password, ACL and certificate files in a temporary directory, its log
/// (standard error) captured in a file for failure messages. Stopped by PID; `restart()`
/// comes back on the same port, so a client can reconnect to it.
public final class MosquittoBroker: @unchecked Sendable {
    public struct Configuration: Sendable {
        /// User name → password; empty: anonymous clients are allowed.
        public var users: [String: String] = [:]
        /// Lines of a mosquitto ACL file (`user NAME`, `topic read|write|readwrite FILTER`).
        /// mosquitto 2.0 applies it when delivering, so it refuses publishes but never a
        /// SUBSCRIBE.
        public var accessControl: [String]?
        /// Use the dynamic-security plugin instead of password and ACL files: it checks ACLs
        /// at SUBSCRIBE time too. Configure it with `dynamicSecurity(_:)` once started.
        public var usesDynamicSecurity = false
        public var tls: BrokerTLS?
        /// Keep retained messages, persistent sessions and their queued messages across a
        /// restart (`persistence true`, in the broker's directory), as a production broker does.
        public var persistence = false
        /// More lines for mosquitto.conf, e.g. `sys_interval 1`.
        public var extraLines: [String] = []

        public init(
            users: [String: String] = [:], accessControl: [String]? = nil, usesDynamicSecurity: Bool = false,
            tls: BrokerTLS? = nil, persistence: Bool = false, extraLines: [String] = []
        ) {
            self.users = users
            self.accessControl = accessControl
            self.usesDynamicSecurity = usesDynamicSecurity
            self.tls = tls
            self.persistence = persistence
            self.extraLines = extraLines
        }
    }

    /// The dynamic-security plugin's administrator.
    public static let administrator = (user: "admin", password: "admin-password")

    /// The broker's side of TLS: `require_certificate true` asks clients for a certificate
    /// signed by `caFile`.
    public struct BrokerTLS: Sendable {
        public var caFile: String
        public var certificateFile: String
        public var keyFile: String
        public var requireCertificate = true

        public init(caFile: String, certificateFile: String, keyFile: String, requireCertificate: Bool = true) {
            self.caFile = caFile
            self.certificateFile = certificateFile
            self.keyFile = keyFile
            self.requireCertificate = requireCertificate
        }
    }

    public let directory: TemporaryDirectory
    public private(set) var port: Int
    public let logPath: String
    private let configurationPath: String
    private let lock = NSLock()
    private var process: BrokerProcess?

    public init(_ configuration: Configuration = Configuration(), directory: TemporaryDirectory? = nil) async throws {
        PoolWatch.start()
        self.directory = try directory ?? TemporaryDirectory()
        logPath = self.directory.file("mosquitto.log")
        configurationPath = self.directory.file("mosquitto.conf")
        port = 0
        // A port found free can be taken by another test before mosquitto binds it: try again.
        var lastError: (any Error)?
        for _ in 0..<3 {
            port = try freePort()
            try await writeConfiguration(configuration)
            do {
                try await start()
                return
            } catch {
                lastError = error
            }
        }
        throw lastError ?? TestSetupError("mosquitto did not start")
    }

    /// Client options for this broker.
    public func options(clientID: String, _ adjust: (inout MQTTClientOptions) -> Void = { _ in }) -> MQTTClientOptions {
        var options = MQTTClientOptions(
            host: "127.0.0.1", port: port, clientID: clientID,
            reconnectBackoff: ReconnectBackoff(initialDelay: .milliseconds(50), maximumDelay: .milliseconds(400)),
            connectTimeout: .seconds(10))
        adjust(&options)
        return options
    }

    private func writeConfiguration(_ configuration: Configuration) async throws {
        var lines = [
            "per_listener_settings false",
            "listener \(port) 127.0.0.1",
            configuration.persistence ? "persistence true" : "persistence false",
            "persistence_location \(directory.path)/",
            "log_dest stderr",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
            "log_type subscribe",
            "connection_messages true",
            // Only acted on when started as root, where mosquitto 2.0 would otherwise switch to
            // user `mosquitto`, which cannot read the files in the test's directory.
            "user root",
            // The default, 1000 queued QoS 1 messages per client, silently drops the rest when
            // a test publishes thousands faster than a subscriber reads them.
            "max_queued_messages 100000",
        ]
        if configuration.usesDynamicSecurity {
            let file = directory.file("dynamic-security.json")
            try await runTool("/usr/bin/mosquitto_ctrl", [
                "dynsec", "init", file, Self.administrator.user, Self.administrator.password,
            ])
            lines += [
                "allow_anonymous false", "plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so",
                "plugin_opt_config_file \(file)",
            ]
        } else if configuration.users.isEmpty {
            lines.append("allow_anonymous true")
        } else {
            let passwords = directory.file("passwords")
            _ = FileManager.default.createFile(atPath: passwords, contents: nil)
            for (user, password) in configuration.users.sorted(by: { $0.key < $1.key }) {
                try await runTool("/usr/bin/mosquitto_passwd", ["-b", passwords, user, password])
            }
            lines += ["allow_anonymous false", "password_file \(passwords)"]
        }
        if let accessControl = configuration.accessControl {
            let file = try directory.write("acl", accessControl.joined(separator: "\n") + "\n")
            lines.append("acl_file \(file)")
        }
        lines += configuration.extraLines
        if let tls = configuration.tls {
            lines += [
                "cafile \(tls.caFile)", "certfile \(tls.certificateFile)", "keyfile \(tls.keyFile)",
                "require_certificate \(tls.requireCertificate)",
            ]
        }
        try directory.write("mosquitto.conf", lines.joined(separator: "\n") + "\n")
    }

    /// Starts mosquitto and waits until it logs that it runs (or exits, which throws). The
    /// wait sleeps with `Task.sleep`: no thread of the cooperative pool is held meanwhile.
    public func start() async throws {
        let startOffset = (try? FileManager.default.attributesOfItem(atPath: logPath)[.size] as? UInt64) ?? 0
        let process = try BrokerProcess("/usr/sbin/mosquitto", ["-c", configurationPath], appendingOutputTo: logPath)
        lock.withLock { self.process = process }
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let log = self.log(from: startOffset)
            if log.contains(" running") { return }
            if !process.isRunning {
                throw TestSetupError("mosquitto exited on port \(port): \(log)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        await kill()
        throw TestSetupError("mosquitto did not report running on port \(port) within 20 s: \(log)")
    }

    /// SIGTERM and wait: mosquitto closes every client connection.
    public func stop() async {
        await take()?.terminate(with: SIGTERM)
    }

    /// SIGKILL and wait: the kernel resets the connections, as when the broker's host dies.
    public func kill() async {
        await take()?.terminate(with: SIGKILL)
    }

    /// SIGSTOP: connections stay open but nothing is read or acknowledged.
    public func pause() {
        lock.withLock { process }?.send(SIGSTOP)
    }

    /// Stops and starts again on the same port.
    public func restart() async throws {
        await stop()
        try await start()
    }

    private func take() -> BrokerProcess? {
        lock.withLock {
            defer { process = nil }
            return process
        }
    }

    /// Runs one `mosquitto_ctrl dynsec` command against the running broker, e.g.
    /// `["createClient", "agent", "-p", "secret"]`.
    public func dynamicSecurity(_ command: [String]) async throws {
        try await runTool("/usr/bin/mosquitto_ctrl", [
            "-h", "127.0.0.1", "-p", "\(port)", "-u", Self.administrator.user, "-P", Self.administrator.password, "dynsec",
        ] + command)
    }

    /// Everything the broker logged so far (all runs).
    public var log: String { log(from: 0) }

    private func log(from offset: UInt64) -> String {
        guard let handle = FileHandle(forReadingAtPath: logPath) else { return "" }
        defer { try? handle.close() }
        handle.seek(toFileOffset: offset)
        return String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    }

    /// Waits until the broker's log holds `text` (a hang guard, not a timing check).
    public func waitForLog(containing text: String, within limit: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + limit
        while !log.contains(text) {
            guard ContinuousClock.now < deadline else {
                throw TestSetupError("broker log never showed \"\(text)\":\n\(log)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
