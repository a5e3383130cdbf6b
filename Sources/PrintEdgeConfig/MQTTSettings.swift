/// The fleet link: which MQTT broker the daemon reports to and how it authenticates.
/// Parsed and checked at start so a typo fails now, not when the link first connects.
public struct MQTTSettings: Sendable, Equatable {
    public var host: String
    /// 1883 is MQTT's plain port; brokers usually take TLS on 8883.
    public var port: Int
    /// The fleet this daemon belongs to: the first level of its topics.
    public var fleet: String
    /// `nil`: the daemon derives one from the host name.
    public var clientID: String?
    public var username: String?
    /// A file holding the password, so the configuration itself holds no secret.
    public var passwordFile: String?
    /// CA certificates to verify the broker; setting it turns TLS on.
    public var tlsCAFile: String?
    /// Client certificate and key for brokers that authenticate clients by certificate.
    public var tlsCertificateFile: String?
    public var tlsKeyFile: String?
    /// MQTT keep-alive: the broker drops the link after 1.5 times this without traffic.
    public var keepAlive: Duration
    /// The topic levels before the fleet: `<prefix>/<fleet>/<printer>/status`. The version
    /// level lets a fleet run two payload versions side by side during an upgrade.
    public var topicPrefix: String
    /// QoS 1 messages published and not yet acknowledged, over all printers: enough to keep
    /// a link with some latency busy, few enough that a reconnect resends little.
    public var maxInFlight: Int
    /// Samples per telemetry message at most…
    public var telemetryMaxSamples: Int
    /// …and how long a sample may wait for its message.
    public var telemetryMaxAge: Duration
    /// A retained status snapshot is published at least this often, with the temperatures of
    /// the moment, besides one on every state change.
    public var statusHeartbeat: Duration
    /// `[mqtt.commands]`: what fleet commands may do (docs/mqtt-commands.md).
    public var commands = FleetCommandSettings()

    /// The topic level after the fleet that holds the daemons' presence
    /// (`<prefix>/<fleet>/agent/<host>/online`), where printers' ids stand otherwise: no
    /// printer may be called so while `[mqtt]` is set.
    public static let agentTopicLevel = "agent"

    public init(
        host: String, port: Int = 1883, fleet: String, clientID: String? = nil, username: String? = nil,
        passwordFile: String? = nil, tlsCAFile: String? = nil, tlsCertificateFile: String? = nil,
        tlsKeyFile: String? = nil, keepAlive: Duration = .seconds(30), topicPrefix: String = "printedge/v1",
        maxInFlight: Int = 64, telemetryMaxSamples: Int = 500, telemetryMaxAge: Duration = .seconds(10),
        statusHeartbeat: Duration = .seconds(60)
    ) {
        self.host = host
        self.port = port
        self.fleet = fleet
        self.clientID = clientID
        self.username = username
        self.passwordFile = passwordFile
        self.tlsCAFile = tlsCAFile
        self.tlsCertificateFile = tlsCertificateFile
        self.tlsKeyFile = tlsKeyFile
        self.keepAlive = keepAlive
        self.topicPrefix = topicPrefix
        self.maxInFlight = maxInFlight
        self.telemetryMaxSamples = telemetryMaxSamples
        self.telemetryMaxAge = telemetryMaxAge
        self.statusHeartbeat = statusHeartbeat
    }

    /// Reads `[mqtt]`.
    init(reading table: inout TableReader) throws(ConfigurationError) {
        let defaults = MQTTSettings(host: "", fleet: "")
        let host: String = try table.required("host", .notEmpty, meaning: "the broker's host name or address")
        let port: Int? = try table.optional("port", .within(1...65_535))
        let fleet: String = try table.required("fleet", .notEmpty, meaning: "the fleet name, the first level of every topic")
        let clientID: String? = try table.optional("client_id", .notEmpty)
        let username: String? = try table.optional("username", .notEmpty)
        let passwordFile: String? = try table.optional("password_file", .notEmpty)
        let caFile: String? = try table.optional("tls_ca_file", .notEmpty)
        let certificateFile: String? = try table.optional("tls_cert_file", .notEmpty)
        let keyFile: String? = try table.optional("tls_key_file", .notEmpty)
        // MQTT clients ping at most every 5 s (libmosquitto refuses less).
        let keepAlive: Int? = try table.optional("keepalive_s", .within(5...65_535))
        let topicPrefix: String? = try table.optional("topic_prefix", .notEmpty)
        // libmosquitto refuses more than 32,768 unacknowledged messages (16-bit ids, shared with QoS 0).
        let maxInFlight: Int? = try table.optional("max_in_flight", .within(1...32_768))
        let telemetryMaxSamples: Int? = try table.optional("telemetry_max_samples", .within(1...100_000))
        let telemetryMaxAge: Double? = try table.optional("telemetry_max_age_s", .within(0.1...3_600))
        let heartbeat: Double? = try table.optional("status_heartbeat_s", .within(1...86_400))
        let commands = try FleetCommandSettings(readingSubtableOf: &table)
        try table.rejectUnknownKeys()

        // MQTT topic levels are split on `/`, and `+` `#` are wildcards: none may be in a name.
        if let bad = fleet.unicodeScalars.first(where: { !Self.isTopicNameScalar($0) }) {
            throw table.invalid(
                "fleet", "key `mqtt.fleet` may hold letters, digits, `_`, `-` and `.` only, found \"\(bad)\" in \"\(fleet)\"")
        }
        if let topicPrefix, let problem = Self.topicPrefixProblem(topicPrefix) {
            throw table.invalid("topic_prefix", "key `mqtt.topic_prefix` \(problem), found \"\(topicPrefix)\"")
        }
        if (certificateFile == nil) != (keyFile == nil) {
            throw table.invalid(
                certificateFile == nil ? "tls_key_file" : "tls_cert_file",
                "`mqtt.tls_cert_file` and `mqtt.tls_key_file` go together: set both for a client certificate, or neither")
        }
        if passwordFile != nil && username == nil {
            throw table.invalid("password_file", "`mqtt.password_file` needs `mqtt.username` (MQTT 3.1.1 sends no password without a user name)")
        }
        self.init(
            host: host, port: port ?? defaults.port, fleet: fleet, clientID: clientID, username: username,
            passwordFile: passwordFile, tlsCAFile: caFile, tlsCertificateFile: certificateFile, tlsKeyFile: keyFile,
            keepAlive: keepAlive.map { .seconds($0) } ?? defaults.keepAlive,
            topicPrefix: topicPrefix ?? defaults.topicPrefix, maxInFlight: maxInFlight ?? defaults.maxInFlight,
            telemetryMaxSamples: telemetryMaxSamples ?? defaults.telemetryMaxSamples,
            telemetryMaxAge: telemetryMaxAge.map(Self.duration) ?? defaults.telemetryMaxAge,
            statusHeartbeat: heartbeat.map(Self.duration) ?? defaults.statusHeartbeat)
        self.commands = commands
    }

    private static func duration(seconds: Double) -> Duration {
        .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// Levels of names separated by `/`: no wildcard (`+`, `#`), no empty level (a leading,
    /// trailing or doubled `/`), not starting with `$` (the broker's own topics).
    private static func topicPrefixProblem(_ prefix: String) -> String? {
        if prefix.hasPrefix("$") { return "must not start with `$`: brokers keep those topics for themselves" }
        if prefix.split(separator: "/", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            return "must not start or end with `/` nor hold `//`"
        }
        if let bad = prefix.unicodeScalars.first(where: { !Self.isTopicNameScalar($0) && $0 != "/" }) {
            return "may hold letters, digits, `_`, `-`, `.` and `/` between levels only, not \"\(bad)\""
        }
        return nil
    }

    private static func isTopicNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "-", ".": true
        default: false
        }
    }
}
