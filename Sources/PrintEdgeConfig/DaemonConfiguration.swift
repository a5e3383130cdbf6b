/// Everything `printedged` is told by its one TOML file, decoded once at start into typed
/// values: a key no part of the daemon reads fails the load (see `TableReader`).
public struct DaemonConfiguration: Sendable, Equatable {
    /// The database, the spool and the socket live here. Relative paths are relative to
    /// the daemon's working directory.
    public var stateDirectory: String
    /// The control socket `printedge` connects to; `nil`: `<state_directory>/printedged.sock`.
    public var controlSocket: String?
    /// The group given the control socket (mode 0660), so its members may control printers
    /// without being root; `nil`: the daemon's own group.
    public var socketGroup: String?
    /// Commands `printedge send` and `console` may send while a job prints or is paused,
    /// without `--force` (`[daemon] gcode_allow_while_printing`); the fleet's default.
    public var gcodeAllowedWhilePrinting: [String]
    /// Where uploaded jobs are kept until printed; `nil`: `<state_directory>/spool`.
    public var spoolDirectory: String?
    /// Where profile names are looked up, in order (see `ProfileCatalog`).
    public var profileDirectories: [String]
    public var telemetry: TelemetrySettings
    public var retention: RetentionSettings
    public var printers: [PrinterConfiguration]
    /// The fleet link; `nil`: the daemon works alone.
    public var mqtt: MQTTSettings?
    public var gpio: GPIOSettings?
    /// The HTTP listener for metrics and health (`[http]`).
    public var http: HTTPSettings
    /// Where each setting was written, for the checks made after loading (`DaemonPreflight`).
    public var source: ConfigurationSource

    public static let defaultStateDirectory = "printedge-state"
    /// The checkout's profiles, then the packaged ones, then the administrator's own.
    public static let defaultProfileDirectories = ["hardware/profiles", "/usr/share/printedge/profiles", "/etc/printedge/profiles"]
    /// The id of the built-in configuration's one printer.
    public static let builtInPrinterID = "sim"
    /// The demo's virtual printer runs ten times faster than life: a print in minutes.
    public static let builtInSpeedup = 10.0
    /// How messages name the configuration `printedged` runs without `--config`.
    public static let builtInName = "<built-in configuration>"

    public init(
        stateDirectory: String = defaultStateDirectory, controlSocket: String? = nil, socketGroup: String? = nil,
        gcodeAllowedWhilePrinting: [String] = FleetCommandSettings.defaultGCodeAllowedWhilePrinting, spoolDirectory: String? = nil, profileDirectories: [String] = defaultProfileDirectories,
        telemetry: TelemetrySettings = TelemetrySettings(), retention: RetentionSettings = RetentionSettings(),
        printers: [PrinterConfiguration], mqtt: MQTTSettings? = nil, gpio: GPIOSettings? = nil, http: HTTPSettings = HTTPSettings(),
        source: ConfigurationSource = ConfigurationSource(file: "<configuration>")
    ) {
        self.stateDirectory = stateDirectory
        self.controlSocket = controlSocket
        self.socketGroup = socketGroup
        self.gcodeAllowedWhilePrinting = gcodeAllowedWhilePrinting
        self.spoolDirectory = spoolDirectory
        self.profileDirectories = profileDirectories
        self.telemetry = telemetry
        self.retention = retention
        self.printers = printers
        self.mqtt = mqtt
        self.gpio = gpio
        self.http = http
        self.source = source
    }

    /// The control socket's path, the default filled in.
    public var controlSocketPath: String { controlSocket ?? ConfigurationFiles.resolve("printedged.sock", against: stateDirectory) }

    /// The spool's path, the default filled in.
    public var spoolPath: String { spoolDirectory ?? ConfigurationFiles.resolve("spool", against: stateDirectory) }

    /// Where the simulator of virtual printer `printerID` links its pty.
    /// A printer's serial log file (`serial_log`), resolved against the state directory.
    public func serialLogPath(of printer: PrinterConfiguration) -> String? {
        printer.serialLog.map { ConfigurationFiles.resolve($0, against: stateDirectory) }
    }

    public func virtualPrinterLink(_ printerID: String) -> String {
        ConfigurationFiles.resolve("\(printerID).tty", against: stateDirectory)
    }

    /// What `printedged` runs with when given no `--config`: one simulated printer, `sim`,
    /// and every other setting at its default. `config/printedge.toml` spells out exactly
    /// this (a test holds the two equal), so it documents the defaults.
    ///
    /// The `printedge-sim` profile comes from the default profile directories when one has
    /// it, else from `BuiltInProfiles`: this runs from any directory. Throws only when a
    /// profile file of that name is there and broken.
    public static func builtIn(workingDirectory: String? = nil) throws(ConfigurationError) -> DaemonConfiguration {
        let workingDirectory = try workingDirectory.orCurrentDirectory()
        var catalog = ProfileCatalog(
            directories: defaultProfileDirectories, configurationDirectory: nil, workingDirectory: workingDirectory)
        let profile = try catalog.profile(PrinterConfiguration.defaultVirtualProfile, referencedIn: builtInName, at: nil)
        let printer = PrinterConfiguration(
            id: builtInPrinterID, connection: .virtual(VirtualPrinterSettings(speedup: builtInSpeedup)), profile: profile)
        return DaemonConfiguration(printers: [printer], source: ConfigurationSource(file: builtInName))
    }
}
