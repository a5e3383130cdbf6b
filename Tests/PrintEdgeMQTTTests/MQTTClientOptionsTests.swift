import Glibc
import PrintEdgeMQTT
import Testing

@Suite("Client options are checked before anything starts")
struct MQTTClientOptionsTests {
    private static let valid = MQTTClientOptions(host: "broker.local", clientID: "agent-1")

    @Test("defaults are valid: MQTT 5 with fallback, clean start, 30 s keep-alive")
    func defaultsAreValid() throws {
        try Self.valid.validate()
        #expect(Self.valid.protocolPreference == .mqtt5WithFallback)
        #expect(Self.valid.cleanStart)
        #expect(Self.valid.keepAlive == .seconds(30))
        #expect(Self.valid.server == "broker.local:1883")
        #expect(MQTTClientOptions(host: "::1", port: 8883, clientID: "a").server == "[::1]:8883")
    }

    private static func changed(_ change: (inout MQTTClientOptions) -> Void) -> MQTTClientOptions {
        var options = valid
        change(&options)
        return options
    }

    private static let invalid: [(option: String, options: MQTTClientOptions)] = [
        ("host", changed { $0.host = "" }),
        ("port", changed { $0.port = 70_000 }),
        ("clientID", changed { $0.clientID = "" }),
        ("keepAlive", changed { $0.keepAlive = .seconds(2) }),
        ("connectTimeout", changed { $0.connectTimeout = .zero }),
        ("reconnectBackoff.initialDelay", changed { $0.reconnectBackoff.initialDelay = .zero }),
        ("reconnectBackoff.maximumDelay", changed { $0.reconnectBackoff.maximumDelay = .milliseconds(10) }),
        ("reconnectBackoff.jitterRatio", changed { $0.reconnectBackoff.jitterRatio = 1.5 }),
        ("credentials.userName", changed { $0.credentials = MQTTCredentials(userName: "", password: "x") }),
        ("lastWill.topic", changed { $0.lastWill = MQTTLastWill(topic: "agents/+/online", payload: "offline") }),
    ]

    @Test("each invalid option is named with what to set", arguments: invalid)
    func invalidOptionIsNamed(option: String, options: MQTTClientOptions) {
        let error = #expect(throws: MQTTError.self) { try MQTTClient(options: options) }

        guard case .invalidOption(let name, _) = error else {
            Issue.record("expected invalidOption for \(option), got \(String(describing: error))")
            return
        }
        #expect(name == option)
        #expect(error?.description.hasPrefix("MQTT option `\(option)`") == true, "\(String(describing: error))")
    }

    @Test("a client certificate without its key is refused")
    func certificateWithoutKey() throws {
        var options = Self.valid
        options.tls = MQTTTLSOptions(caFile: "/etc/ssl/certs/ca-certificates.crt", certificateFile: "/tmp/client.crt")
        #expect(throws: MQTTError.invalidOption(
            name: "tls.keyFile", problem: "a client certificate and its key go together: set both, or neither")) {
            try options.validate()
        }
    }

    @Test("an unreadable CA file is named with the reason")
    func unreadableCAFile() throws {
        var options = Self.valid
        options.tls = MQTTTLSOptions(caFile: "/nonexistent/printedge/ca.crt")
        #expect(throws: MQTTError.unreadableTLSFile(role: .caFile, path: "/nonexistent/printedge/ca.crt", errno: ENOENT)) {
            try options.validate()
        }
    }

    @Test("a directory given as a TLS file is refused up front, not deep inside OpenSSL")
    func directoryAsTLSFile() throws {
        var options = Self.valid
        options.tls = MQTTTLSOptions(caFile: "/tmp")
        #expect(throws: MQTTError.unreadableTLSFile(role: .caFile, path: "/tmp", errno: EISDIR)) {
            try options.validate()
        }
    }
}
