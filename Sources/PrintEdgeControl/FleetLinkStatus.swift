/// The link to the fleet's broker as `status` reports it (docs/control.md): whether messages
/// can go out now, and if not, since when and why. A host without `[mqtt]` has none.
public struct FleetLinkStatus: Codable, Sendable, Equatable {
    /// connecting (never connected yet), connected, down (lost, or an attempt failed; retrying),
    /// stopped (the daemon is shutting down).
    public var state: String
    /// `host:port`.
    public var server: String
    /// This daemon's name in topics, `<prefix>/<fleet>/agent/<agent>/online`.
    public var agent: String
    /// `5` or `3.1.1`, once connected.
    public var protocolVersion: String?
    /// When the link entered `state` (milliseconds since the Unix epoch).
    public var sinceMS: Int64
    /// Down: what went wrong last, as libmosquitto said it.
    public var lastError: String?
    /// Down: when the next attempt starts.
    public var retryAtMS: Int64?
    /// Messages published on this connection and not acknowledged yet.
    public var inFlight: Int
    /// Messages the broker refused for good since the daemon started (each printer's
    /// `fleetOutbox.refused` counts those still set aside).
    public var refusedSinceStart: Int

    public init(state: String, server: String, agent: String, protocolVersion: String? = nil, sinceMS: Int64,
                lastError: String? = nil, retryAtMS: Int64? = nil, inFlight: Int = 0, refusedSinceStart: Int = 0) {
        self.state = state
        self.server = server
        self.agent = agent
        self.protocolVersion = protocolVersion
        self.sinceMS = sinceMS
        self.lastError = lastError
        self.retryAtMS = retryAtMS
        self.inFlight = inFlight
        self.refusedSinceStart = refusedSinceStart
    }

    enum CodingKeys: String, CodingKey {
        case state, server, agent
        case protocolVersion = "protocol_version"
        case sinceMS = "since"
        case lastError = "last_error"
        case retryAtMS = "retry_at"
        case inFlight = "in_flight"
        case refusedSinceStart = "refused_since_start"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(state, forKey: .state)
        try container.encode(server, forKey: .server)
        try container.encode(agent, forKey: .agent)
        try container.encode(protocolVersion, forKey: .protocolVersion)
        try container.encodeTime(sinceMS, forKey: .sinceMS)
        try container.encode(lastError, forKey: .lastError)
        try container.encodeTime(retryAtMS, forKey: .retryAtMS)
        try container.encode(inFlight, forKey: .inFlight)
        try container.encode(refusedSinceStart, forKey: .refusedSinceStart)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(state: try container.decode(String.self, forKey: .state), server: try container.decode(String.self, forKey: .server),
                  agent: try container.decode(String.self, forKey: .agent),
                  protocolVersion: try container.decodeIfPresent(String.self, forKey: .protocolVersion),
                  sinceMS: try container.decodeTime(forKey: .sinceMS),
                  lastError: try container.decodeIfPresent(String.self, forKey: .lastError),
                  retryAtMS: try container.decodeTimeIfPresent(forKey: .retryAtMS),
                  inFlight: try container.decode(Int.self, forKey: .inFlight),
                  refusedSinceStart: try container.decode(Int.self, forKey: .refusedSinceStart))
    }
}

/// A printer's fleet messages not delivered yet, in `status` with a fleet link.
public struct FleetOutboxStatus: Codable, Sendable, Equatable {
    /// Messages that go out as soon as the link is up.
    public var waiting: Int
    /// When the oldest of them was written: how far behind the fleet's view of the printer is.
    public var oldestWaitingAtMS: Int64?
    /// Messages the broker refused for good, kept until `printedge fleet retry`.
    public var refused: Int
    /// The last refused message and the broker's reason.
    public var latestRefusal: String?

    public init(waiting: Int, oldestWaitingAtMS: Int64? = nil, refused: Int = 0, latestRefusal: String? = nil) {
        self.waiting = waiting
        self.oldestWaitingAtMS = oldestWaitingAtMS
        self.refused = refused
        self.latestRefusal = latestRefusal
    }

    enum CodingKeys: String, CodingKey {
        case waiting
        case oldestWaitingAtMS = "oldest_waiting_at"
        case refused
        case latestRefusal = "latest_refusal"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(waiting, forKey: .waiting)
        try container.encodeTime(oldestWaitingAtMS, forKey: .oldestWaitingAtMS)
        try container.encode(refused, forKey: .refused)
        try container.encode(latestRefusal, forKey: .latestRefusal)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(waiting: try container.decode(Int.self, forKey: .waiting),
                  oldestWaitingAtMS: try container.decodeTimeIfPresent(forKey: .oldestWaitingAtMS),
                  refused: try container.decode(Int.self, forKey: .refused),
                  latestRefusal: try container.decodeIfPresent(String.self, forKey: .latestRefusal))
    }
}
