extension DaemonConfiguration {
    /// A Unix socket path holds at most 107 bytes (`sun_path` is 108 with its NUL).
    static let maxSocketPathBytes = 107

    /// Reads, parses and checks the configuration file at `path`, and every profile its
    /// printers name.
    ///
    /// - Parameter workingDirectory: where relative profile directories are looked up after
    ///   the configuration file's own directory; `nil`: the process's working directory.
    public static func load(path: String, workingDirectory: String? = nil) throws(ConfigurationError) -> DaemonConfiguration {
        let workingDirectory = try workingDirectory.orCurrentDirectory()
        let document = try TOMLDocument.read(path: path)
        let configurationDirectory = ConfigurationFiles.directory(of: ConfigurationFiles.resolve(path, against: workingDirectory))
        return try DaemonConfiguration(
            document: document, configurationDirectory: configurationDirectory, workingDirectory: workingDirectory)
    }

    init(document: TOMLDocument, configurationDirectory: String?, workingDirectory: String) throws(ConfigurationError) {
        var root = TableReader(document: document)
        // Every section is asked for before anything is checked, so a misspelt section
        // (`[telemetri]`, `[[printers]]`) is reported as such, not as what it lacks.
        var daemonTable = try root.table("daemon")
        var telemetryTable = try root.table("telemetry")
        var retentionTable = try root.table("retention")
        let mqttTable = try root.optionalTable("mqtt")
        let gpioTable = try root.optionalTable("gpio")
        var httpTable = try root.table("http")
        var printerTables = try root.tables("printer")
        try root.rejectUnknownKeys()

        let defaults = DaemonConfiguration(printers: [])
        let socketPath = ValueConstraint<String> {
            $0.isEmpty ? "must not be empty"
                : $0.utf8.count > Self.maxSocketPathBytes
                    ? "is \($0.utf8.count) bytes long; a Unix socket path holds at most \(Self.maxSocketPathBytes)" : nil
        }
        let stateDirectory: String = try daemonTable.value("state_directory", default: defaults.stateDirectory, .notEmpty)
        let controlSocket: String? = try daemonTable.optional("control_socket", socketPath)
        if controlSocket == nil {
            let path = ConfigurationFiles.resolve("printedged.sock", against: stateDirectory)
            if path.utf8.count > Self.maxSocketPathBytes {
                throw daemonTable.invalid(
                    "state_directory",
                    "the control socket's default path \(path) is \(path.utf8.count) bytes long; a Unix socket path holds at most \(Self.maxSocketPathBytes): set `daemon.control_socket` to a shorter path, or shorten `daemon.state_directory`")
            }
        }
        let socketGroup: String? = try daemonTable.optional("socket_group", .notEmpty)
        let allowedWhilePrinting: [String] = try daemonTable.value(
            "gcode_allow_while_printing", default: defaults.gcodeAllowedWhilePrinting)
        for word in allowedWhilePrinting {
            if let problem = FleetCommandSettings.problem(withAllowedCommand: word) {
                throw daemonTable.invalid("gcode_allow_while_printing", "key `daemon.gcode_allow_while_printing` \(problem)")
            }
        }
        let spoolDirectory: String? = try daemonTable.optional("spool_directory", .notEmpty)
        let noEmptyEntry = ValueConstraint<[String]> { $0.contains("") ? "must not hold an empty path" : nil }
        let profileDirectories: [String] = try daemonTable.value(
            "profile_directories", default: defaults.profileDirectories, noEmptyEntry)
        try daemonTable.rejectUnknownKeys()

        let telemetry = try TelemetrySettings(reading: &telemetryTable)
        let retention = try RetentionSettings(reading: &retentionTable)
        var mqtt: MQTTSettings?
        if var table = mqttTable { mqtt = try MQTTSettings(reading: &table) }
        let http = try HTTPSettings(reading: &httpTable)

        guard !printerTables.isEmpty else {
            throw ConfigurationError(
                kind: .missingKey, file: document.file, position: nil, key: "printer",
                message: "no printer is configured: add a [[printer]] table with an `id` and `match = { … }` (see `printedge ports`), `port = \"/dev/serial/by-id/…\"` or `virtual = true`")
        }
        var catalog = ProfileCatalog(
            directories: profileDirectories, configurationDirectory: configurationDirectory, workingDirectory: workingDirectory)
        var printers: [PrinterConfiguration] = []
        for index in printerTables.indices {
            let printer = try PrinterConfiguration(reading: &printerTables[index], catalog: &catalog)
            try Self.checkDistinct(printer, from: printers, table: printerTables[index], earlierTables: printerTables[..<index])
            if let mqtt, printer.id == MQTTSettings.agentTopicLevel {
                throw printerTables[index].invalid(
                    "id",
                    "printer id `\(printer.id)` cannot be used with [mqtt]: \(mqtt.topicPrefix)/\(mqtt.fleet)/\(printer.id)/ holds the daemons' presence (\(mqtt.topicPrefix)/\(mqtt.fleet)/\(printer.id)/<host>/online), and this printer's topics would mix with it; rename the printer")
            }
            printers.append(printer)
        }
        // After the printers: `[[gpio.printer]]` entries must name one of them.
        var gpio: GPIOSettings?
        if var table = gpioTable { gpio = try GPIOSettings(reading: &table, printerIDs: printers.map(\.id)) }
        self.init(
            stateDirectory: stateDirectory, controlSocket: controlSocket, socketGroup: socketGroup,
            gcodeAllowedWhilePrinting: allowedWhilePrinting, spoolDirectory: spoolDirectory, profileDirectories: profileDirectories, telemetry: telemetry,
            retention: retention, printers: printers, mqtt: mqtt, gpio: gpio, http: http, source: ConfigurationSource(document: document))
    }

    /// Two printers may share neither an id (it names them everywhere) nor a port (the
    /// second open would fail with EBUSY, or worse, both would write to one printer), nor a
    /// match that covers the other's (neither printer would ever connect to its device).
    private static func checkDistinct(
        _ printer: PrinterConfiguration, from earlier: [PrinterConfiguration], table: TableReader,
        earlierTables: ArraySlice<TableReader>
    ) throws(ConfigurationError) {
        for (other, otherTable) in zip(earlier, earlierTables) {
            let otherLine = otherTable.position?.line ?? 0
            if other.id == printer.id {
                throw table.invalid(
                    "id", "duplicate printer id \"\(printer.id)\": the [[printer]] at line \(otherLine) has it too; every printer needs its own",
                    kind: .duplicateKey)
            }
            if case .port(let path) = printer.connection, case .port(let otherPath) = other.connection, path == otherPath {
                throw table.invalid(
                    "port", "printers `\(other.id)` (line \(otherLine)) and `\(printer.id)` both use port \(path); each printer needs its own port",
                    kind: .duplicateKey)
            }
            if let match = printer.portMatch, let otherMatch = other.portMatch, match.covers(otherMatch) || otherMatch.covers(match) {
                throw table.invalid(
                    "match",
                    "the matches of printers `\(other.id)` (line \(otherLine), \(otherMatch)) and `\(printer.id)` (\(match)) both fit every device the narrower one names, so neither printer would connect to it; give each its board's serial number or `path` (`printedge ports` suggests one per device)",
                    kind: .duplicateKey)
            }
        }
    }
}
