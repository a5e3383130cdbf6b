import PrintEdgeCore

/// What the daemon must know about a printer model: how to talk to its firmware, how big
/// it is, how hot it may get, and the G-code around a job. Profiles live in
/// `hardware/profiles/<name>.toml`; a printer names one and may override its link settings.
public struct PrinterProfile: Sendable, Equatable {
    /// The file's stem: `prusa-mk3s` for `prusa-mk3s.toml`.
    public var name: String
    /// The file it was read from.
    public var file: String
    public var description: String
    /// The USB serial rate the firmware was built with (Marlin's BAUDRATE).
    public var baud: Int
    public var flow: FlowSelection
    /// The firmware's serial receive buffer (Marlin's RX_BUFFER_SIZE).
    public var rxBufferBytes: Int
    /// The firmware's command queue length (Marlin's BUFSIZE).
    public var commandSlots: Int
    /// The longest line the firmware takes, terminator included (Marlin's MAX_CMD_SIZE).
    public var maxLineBytes: Int
    public var buildVolume: BuildVolume
    /// The highest hotend target the daemon accepts.
    public var maxHotendCelsius: Double
    /// The highest bed target the daemon accepts.
    public var maxBedCelsius: Double
    /// Below this the hotend counts as cool: safe to cut the printer's power.
    public var safeHotendCelsius: Double
    public var scripts: GCodeScripts
    /// `[calibration]`: leveling system, mesh area, bed screws.
    public var calibration: CalibrationProfile

    public static let defaultBaud = 115_200
    public static let defaultFlow = FlowSelection.auto
    public static let defaultRxBufferBytes = 128
    public static let defaultCommandSlots = 4
    public static let defaultMaxLineBytes = LineFraming.marlinMaxLineBytes
    public static let defaultSafeHotendCelsius = 50.0

    public init(
        name: String, file: String, description: String = "", baud: Int = defaultBaud, flow: FlowSelection = defaultFlow,
        rxBufferBytes: Int = defaultRxBufferBytes, commandSlots: Int = defaultCommandSlots,
        maxLineBytes: Int = defaultMaxLineBytes, buildVolume: BuildVolume, maxHotendCelsius: Double,
        maxBedCelsius: Double, safeHotendCelsius: Double = defaultSafeHotendCelsius, scripts: GCodeScripts? = nil,
        calibration: CalibrationProfile = CalibrationProfile()
    ) {
        self.name = name
        self.file = file
        self.description = description
        self.baud = baud
        self.flow = flow
        self.rxBufferBytes = rxBufferBytes
        self.commandSlots = commandSlots
        self.maxLineBytes = maxLineBytes
        self.buildVolume = buildVolume
        self.maxHotendCelsius = maxHotendCelsius
        self.maxBedCelsius = maxBedCelsius
        self.safeHotendCelsius = safeHotendCelsius
        self.scripts = scripts ?? .defaults(for: buildVolume)
        self.calibration = calibration
    }

    /// Reads and checks the profile file at `path`.
    public static func load(path: String) throws(ConfigurationError) -> PrinterProfile {
        let document = try TOMLDocument.read(path: path)
        var table = TableReader(document: document)
        return try PrinterProfile(reading: &table, name: ConfigurationFiles.stem(of: path))
    }

    /// Checks a profile's `text`; `file` names it in errors and in `file`.
    static func parse(text: String, name: String, file: String) throws(ConfigurationError) -> PrinterProfile {
        var table = TableReader(document: try TOMLDocument(parsing: text, file: file))
        return try PrinterProfile(reading: &table, name: name)
    }

    // The link settings a `[[printer]]` may override, with the same checks everywhere.
    static var baudConstraint: ValueConstraint<Int> { .within(1...20_000_000) }
    static var rxBufferConstraint: ValueConstraint<Int> { .within(16...1 << 20) }
    static var commandSlotsConstraint: ValueConstraint<Int> { .within(1...4096) }

    static func readFlow(_ table: inout TableReader) throws(ConfigurationError) -> FlowSelection? {
        try table.optionalChoice("flow", choices: FlowSelection.allNames, parse: FlowSelection.init)
    }

    private init(reading table: inout TableReader, name: String) throws(ConfigurationError) {
        let description: String? = try table.optional("description")
        let baud: Int? = try table.optional("baud", Self.baudConstraint)
        let flow = try Self.readFlow(&table)
        let rxBufferBytes: Int? = try table.optional("rx_buffer_bytes", Self.rxBufferConstraint)
        let commandSlots: Int? = try table.optional("command_slots", Self.commandSlotsConstraint)
        let maxLineBytes: Int? = try table.optional("max_line_bytes", .within(16...4096))
        var volumeTable = try table.table("build_volume")
        var temperatureTable = try table.table("temperatures")
        var scriptTable = try table.table("gcode")
        var calibrationTable = try table.table("calibration")
        try table.rejectUnknownKeys()

        let buildVolume = try BuildVolume(reading: &volumeTable)
        let maxHotend: Double = try temperatureTable.required(
            "max_hotend_c", .within(1...500), meaning: "the highest hotend target to accept, in °C")
        let maxBed: Double = try temperatureTable.required(
            "max_bed_c", .within(1...200), meaning: "the highest bed target to accept, in °C")
        let safeHotend: Double? = try temperatureTable.optional("safe_hotend_c", .within(0...500))
        try temperatureTable.rejectUnknownKeys()
        if let safeHotend, safeHotend >= maxHotend {
            throw temperatureTable.invalid(
                "safe_hotend_c", "key `temperatures.safe_hotend_c` (\(safeHotend)) must be below max_hotend_c (\(maxHotend))")
        }
        let lineLimit = maxLineBytes ?? Self.defaultMaxLineBytes
        let scripts = try GCodeScripts(reading: &scriptTable, defaults: .defaults(for: buildVolume), maxLineBytes: lineLimit)
        let calibration = try CalibrationProfile(reading: &calibrationTable, volume: buildVolume)
        self.init(
            name: name, file: table.file, description: description ?? "", baud: baud ?? Self.defaultBaud,
            flow: flow ?? Self.defaultFlow, rxBufferBytes: rxBufferBytes ?? Self.defaultRxBufferBytes,
            commandSlots: commandSlots ?? Self.defaultCommandSlots, maxLineBytes: lineLimit, buildVolume: buildVolume,
            maxHotendCelsius: maxHotend, maxBedCelsius: maxBed,
            safeHotendCelsius: safeHotend ?? Self.defaultSafeHotendCelsius, scripts: scripts, calibration: calibration)
    }
}
