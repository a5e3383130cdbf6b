import PrintEdgeAgent
import PrintEdgeConfig
import PrintEdgeCore

/// Everything a `Printer` needs to know about its machine, resolved from the configuration
/// and the profile once, at start.
struct PrinterSetup: Sendable {
    var id: String
    var name: String
    /// The serial device, or for a virtual printer the link its simulator creates; empty
    /// for a printer found by its `match`, whose node comes from `HotplugService`.
    var portPath: String
    /// How a printer on USB is recognised whatever node it gets (`[[printer]] match`).
    var match: PortMatch?
    var baudRate: Int
    var resetOnOpen = false
    var protocolConfiguration: HostProtocol.Configuration
    var limits: MachineLimits
    var maxFramedBytes: Int
    /// The profile's start G-code, sent before a job's first line (not before a recovery,
    /// which has its own prologue: a start script may home Z into the part).
    var startScript: [String]
    var pauseScript: [String]
    var resumeScript: [String]
    var cancelScript: [String]
    /// What a person's own G-code may hold while a job prints, without `--force`.
    var gcodeAllowedWhilePrinting: Set<String>
    var temperatureInterval: Duration
    /// The serial log's file, resolved against the state directory; `nil`: none kept.
    var serialLogPath: String? = nil
    var serialLogMaxBytes = PrinterConfiguration.defaultSerialLogMaxBytes
    var sampleIntervalPrinting: Duration
    var sampleIntervalIdle: Duration
    /// Set when the daemon runs the printer itself as `printedge-sim`.
    var simulator: SimulatorLaunch?
    /// The profile's name: settings of printers of one profile may be compared and restored.
    var profileName = ""
    /// `[calibration]` of the profile: leveling, mesh area, bed screws.
    var calibration = CalibrationProfile()

    struct SimulatorLaunch: Sendable {
        var executable: String
        var arguments: [String]
    }

    var connectionOptions: PrinterConnection.Options {
        var options = PrinterConnection.Options(port: .init(path: portPath, baudRate: baudRate, toggleDTROnOpen: resetOnOpen))
        let wire = options.protocolConfiguration.wireBytesPerSecond
        options.protocolConfiguration = protocolConfiguration
        options.protocolConfiguration.wireBytesPerSecond = wire
        options.protocolConfiguration.printerCancelEndsStream = false
        options.protocolConfiguration.printerPauseHoldsStream = false
        options.temperatureInterval = temperatureInterval
        return options
    }
}

/// What a printer is doing, as status and the fleet show it.
enum PrinterState: String, Sendable, CaseIterable {
    /// Not connected; reconnecting with backoff.
    case offline
    /// Port open, handshake under way.
    case connecting
    case idle
    case printing
    case paused
    /// A pause, cancel or the end of a job is being seen through.
    case finishing
    /// The last connection failed (no answer to the handshake, the port lost); retrying.
    case error
    /// The firmware stopped dead (an emergency stop, `kill()`, a thermal runaway) and ignores
    /// the host until it is reset: no reconnecting until `printedge reset` (a DTR pulse, or the
    /// virtual printer's board reset).
    case halted

    /// The link is up and answering: temperatures read now are live.
    var isAnswering: Bool { [.idle, .printing, .paused, .finishing].contains(self) }
}
