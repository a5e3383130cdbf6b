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

    public init(
        host: String, port: Int = 1883, fleet: String, clientID: String? = nil, username: String? = nil,
        passwordFile: String? = nil, tlsCAFile: String? = nil, tlsCertificateFile: String? = nil,
        tlsKeyFile: String? = nil, keepAlive: Duration = .seconds(30)
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
        let keepAlive: Int? = try table.optional("keepalive_s", .within(1...65_535))
        try table.rejectUnknownKeys()

        // MQTT topic levels are split on `/`, and `+` `#` are wildcards: none may be in a name.
        if let bad = fleet.unicodeScalars.first(where: { !Self.isTopicNameScalar($0) }) {
            throw table.invalid(
                "fleet", "key `mqtt.fleet` may hold letters, digits, `_`, `-` and `.` only, found \"\(bad)\" in \"\(fleet)\"")
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
            keepAlive: keepAlive.map { .seconds($0) } ?? defaults.keepAlive)
    }

    private static func isTopicNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "-", ".": true
        default: false
        }
    }
}
