/// Everything an `MQTTClient` needs to reach and authenticate to one broker, checked once by
/// `validate()` so a typo fails at start rather than on the first reconnect at 3 a.m.
public struct MQTTClientOptions: Sendable, Hashable {
    public var host: String
    /// 1883 is MQTT's plain port; brokers usually take TLS on 8883.
    public var port: Int
    /// Unique per agent: a broker drops the older of two connections with the same id
    /// ("session taken over"), so two agents sharing one would knock each other off forever.
    public var clientID: String
    /// The broker drops the link after 1.5 × this without traffic, and the Last Will goes
    /// out; libmosquitto pings when idle. MQTT counts it in whole seconds, 5 s at least.
    public var keepAlive: Duration
    /// Start without the broker's session state. On: subscriptions and queued messages from
    /// an earlier connection are forgotten (this client subscribes again on every connect).
    /// Off: the broker keeps them for `sessionExpiry`.
    public var cleanStart: Bool
    /// MQTT 5 only, with `cleanStart` off: how long the broker keeps the session after the
    /// link drops. MQTT 5 ends a session at disconnect when this is zero; 3.1.1 keeps it
    /// until the broker's own limit.
    public var sessionExpiry: Duration
    public var credentials: MQTTCredentials?
    /// `nil`: plain TCP.
    public var tls: MQTTTLSOptions?
    /// Published by the broker when this client's connection dies without DISCONNECT.
    public var lastWill: MQTTLastWill?
    public var protocolPreference: MQTTProtocolPreference
    public var reconnectBackoff: ReconnectBackoff
    /// How long an attempt may take from TCP connect to CONNACK (TLS handshake included)
    /// before it is abandoned and retried; a broker that accepts TCP but never answers would
    /// otherwise hold the client until the keep-alive expires.
    public var connectTimeout: Duration

    public init(
        host: String, port: Int = 1883, clientID: String, keepAlive: Duration = .seconds(30), cleanStart: Bool = true,
        sessionExpiry: Duration = .zero, credentials: MQTTCredentials? = nil, tls: MQTTTLSOptions? = nil,
        lastWill: MQTTLastWill? = nil, protocolPreference: MQTTProtocolPreference = .mqtt5WithFallback,
        reconnectBackoff: ReconnectBackoff = ReconnectBackoff(), connectTimeout: Duration = .seconds(30)
    ) {
        self.host = host
        self.port = port
        self.clientID = clientID
        self.keepAlive = keepAlive
        self.cleanStart = cleanStart
        self.sessionExpiry = sessionExpiry
        self.credentials = credentials
        self.tls = tls
        self.lastWill = lastWill
        self.protocolPreference = protocolPreference
        self.reconnectBackoff = reconnectBackoff
        self.connectTimeout = connectTimeout
    }

    /// `host:port`, as errors name the broker.
    public var server: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Checks every option and every TLS file; throws the first problem found, naming the
    /// option and what to set instead.
    public func validate() throws(MQTTError) {
        if host.isEmpty {
            throw .invalidOption(name: "host", problem: "is empty; set the broker's host name or address")
        }
        if !(1...65_535).contains(port) {
            throw .invalidOption(name: "port", problem: "\(port) is not a TCP port; use 1...65535 (1883 plain, 8883 TLS)")
        }
        if clientID.isEmpty || clientID.utf8.count > 65_535 || clientID.unicodeScalars.contains("\0") {
            throw .invalidOption(
                name: "clientID", problem: "must be 1...65535 bytes of UTF-8 without NUL; derive it from the host name")
        }
        let keepAliveRange = Duration.seconds(5)...Duration.seconds(65_535)
        if !keepAliveRange.contains(keepAlive) {
            throw .invalidOption(name: "keepAlive", problem: "\(keepAlive) is outside MQTT's 5...65535 s")
        }
        if sessionExpiry < .zero || sessionExpiry > .seconds(UInt32.max) {
            throw .invalidOption(name: "sessionExpiry", problem: "\(sessionExpiry) is outside 0...\(UInt32.max) s")
        }
        if connectTimeout <= .zero {
            throw .invalidOption(name: "connectTimeout", problem: "must be positive, e.g. 30 s")
        }
        try validateBackoff()
        if let credentials, credentials.userName.isEmpty {
            throw .invalidOption(name: "credentials.userName", problem: "is empty; MQTT sends no password without a user name")
        }
        if let lastWill {
            try lastWill.validate()
        }
        try tls?.validate()
    }

    private func validateBackoff() throws(MQTTError) {
        let backoff = reconnectBackoff
        if backoff.initialDelay <= .zero {
            throw .invalidOption(name: "reconnectBackoff.initialDelay", problem: "must be positive, e.g. 1 s")
        }
        if backoff.maximumDelay < backoff.initialDelay || backoff.maximumDelay > .seconds(86_400) {
            throw .invalidOption(
                name: "reconnectBackoff.maximumDelay",
                problem: "\(backoff.maximumDelay) must lie between the initial delay (\(backoff.initialDelay)) and one day")
        }
        if !(0...1).contains(backoff.jitterRatio) {
            throw .invalidOption(name: "reconnectBackoff.jitterRatio", problem: "\(backoff.jitterRatio) is outside 0...1")
        }
    }
}

/// User name and password for brokers that authenticate clients (mosquitto's `password_file`).
public struct MQTTCredentials: Sendable, Hashable {
    public var userName: String
    public var password: String?

    public init(userName: String, password: String?) {
        self.userName = userName
        self.password = password
    }
}
