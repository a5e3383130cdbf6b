/// One relay switching printer power, as `power.on`, `power.off` and `power.status` report
/// it (docs/control.md).
public struct PowerRelayStatus: Codable, Sendable, Equatable {
    /// `host` for the relay in `[gpio]`, else the id of the printer whose `[[gpio.printer]]`
    /// wires it.
    public var relay: String
    /// The printers it powers.
    public var printers: [String]
    public var on: Bool
    /// off; idle (on with nothing printing); busy (a printer prints, or waits for its
    /// device to appear after power-on).
    public var state: String
    /// Idle: when the relay switches off if every hotend it powers is cool; absent when it
    /// stays on until switched off by hand.
    public var switchOffInSeconds: Double?
    /// Busy: the printers printing, and those waiting for their device to appear.
    public var printing: [String]
    public var waitingFor: [String]
    /// "line 17 on gpiochip0 [pinctrl-rp1]".
    public var line: String

    public init(relay: String, printers: [String], on: Bool, state: String, switchOffInSeconds: Double? = nil,
                printing: [String] = [], waitingFor: [String] = [], line: String) {
        self.relay = relay
        self.printers = printers
        self.on = on
        self.state = state
        self.switchOffInSeconds = switchOffInSeconds
        self.printing = printing
        self.waitingFor = waitingFor
        self.line = line
    }

    enum CodingKeys: String, CodingKey {
        case relay, printers, on, state
        case switchOffInSeconds = "switch_off_in_s"
        case printing
        case waitingFor = "waiting_for"
        case line
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(relay, forKey: .relay)
        try container.encode(printers, forKey: .printers)
        try container.encode(on, forKey: .on)
        try container.encode(state, forKey: .state)
        try container.encode(switchOffInSeconds, forKey: .switchOffInSeconds)
        try container.encode(printing, forKey: .printing)
        try container.encode(waitingFor, forKey: .waitingFor)
        try container.encode(line, forKey: .line)
    }
}
