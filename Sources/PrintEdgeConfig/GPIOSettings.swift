/// The `[gpio]` section: the GPIO chip, and the lines wired to printer power relays, a
/// filament runout sensor, an emergency stop, a door switch and a status LED.
///
/// Lines in `[gpio]` itself serve the whole host (one relay feeding every printer, one
/// emergency stop for the room); lines in a `[[gpio.printer]]` serve that printer alone.
/// Where a printer has its own relay, runout sensor, door or LED, it is used instead of the
/// host's; an emergency stop of the host and one of the printer both stop it.
///
/// Lines are named by offset on the chip (`line = 17`) or by the name the device tree gives
/// them (`line = "GPIO17"`); names are checked against the chip when the daemon requests
/// the lines, offsets and duplicates here.
public struct GPIOSettings: Sendable, Equatable {
    /// A line by offset, or by the name `gpioinfo` and `printedge gpio lines` show.
    public enum LineReference: Sendable, Hashable, CustomStringConvertible {
        case offset(Int)
        case name(String)

        public var description: String {
            switch self {
            case .offset(let offset): "line \(offset)"
            case .name(let name): "line \"\(name)\""
            }
        }
    }

    /// A level on the wire.
    public enum Level: String, Sendable, Hashable, CaseIterable {
        case low
        case high
    }

    /// The line's internal resistor.
    public enum Bias: String, Sendable, Hashable, CaseIterable {
        /// As the boot firmware or device tree left it.
        case asIs = "as-is"
        case disabled
        case pullUp = "pull-up"
        case pullDown = "pull-down"
    }

    /// A relay switching a printer's supply.
    public struct PowerRelay: Sendable, Equatable {
        public var line: LineReference
        /// Most cheap relay boards switch on when their input is pulled low.
        public var activeLow: Bool
        /// How long the relay stays on once nothing prints; `nil`: until switched off by hand.
        public var idleOff: Duration?
        /// The relay never opens while a hotend it powers is hotter than this (the hotend's
        /// fan shares the supply); `nil`: each printer profile's `temperatures.safe_hotend_c`.
        public var safeHotendTemperatureCelsius: Double?

        public static let defaultIdleOff = Duration.seconds(30 * 60)

        public init(
            line: LineReference, activeLow: Bool = false, idleOff: Duration? = defaultIdleOff, safeHotendTemperatureCelsius: Double? = nil
        ) {
            self.line = line
            self.activeLow = activeLow
            self.idleOff = idleOff
            self.safeHotendTemperatureCelsius = safeHotendTemperatureCelsius
        }
    }

    /// A filament runout switch: pauses the job when the filament ends.
    public struct FilamentRunout: Sendable, Equatable {
        public var line: LineReference
        public var bias: Bias
        /// The level the sensor reads while filament passes through it.
        public var activeLevel: Level
        public var debounce: Duration

        public static let defaultDebounce = Duration.milliseconds(50)

        public init(line: LineReference, bias: Bias = .pullUp, activeLevel: Level = .low, debounce: Duration = defaultDebounce) {
            self.line = line
            self.bias = bias
            self.activeLevel = activeLevel
            self.debounce = debounce
        }
    }

    /// An emergency stop button, wired between the line and GND.
    public struct EmergencyStop: Sendable, Equatable {
        public var line: LineReference
        /// Normally closed (the default): a broken wire reads as pressed, so a cut cable stops
        /// the printer instead of silently disarming the button.
        public var normallyClosed: Bool
        public var bias: Bias
        /// Zero by default: the kernel delays an edge by the whole debounce period, and the
        /// first edge of a press is the one that counts.
        public var debounce: Duration

        public init(line: LineReference, normallyClosed: Bool = true, bias: Bias = .pullUp, debounce: Duration = .zero) {
            self.line = line
            self.normallyClosed = normallyClosed
            self.bias = bias
            self.debounce = debounce
        }
    }

    /// A door or enclosure switch: no job starts while it is open.
    public struct Door: Sendable, Equatable {
        public var line: LineReference
        public var bias: Bias
        /// The level the switch reads while the door is closed.
        public var activeLevel: Level
        public var debounce: Duration
        /// Opening the door pauses a running print (otherwise it only guards starting).
        public var pauseOnOpen: Bool

        public static let defaultDebounce = Duration.milliseconds(20)

        public init(line: LineReference, bias: Bias = .pullUp, activeLevel: Level = .low, debounce: Duration = defaultDebounce, pauseOnOpen: Bool = false) {
            self.line = line
            self.bias = bias
            self.activeLevel = activeLevel
            self.debounce = debounce
            self.pauseOnOpen = pauseOnOpen
        }
    }

    /// An LED showing idle / printing / paused / error as blink patterns.
    public struct StatusLED: Sendable, Equatable {
        public var line: LineReference
        /// An LED wired from 3.3 V to the line lights when the line is low.
        public var activeLow: Bool

        public init(line: LineReference, activeLow: Bool = false) {
            self.line = line
            self.activeLow = activeLow
        }
    }

    /// What is wired, for the host or for one printer.
    public struct Lines: Sendable, Equatable {
        public var powerRelay: PowerRelay?
        public var filamentRunout: FilamentRunout?
        public var emergencyStop: EmergencyStop?
        public var door: Door?
        public var statusLED: StatusLED?

        public init(
            powerRelay: PowerRelay? = nil, filamentRunout: FilamentRunout? = nil, emergencyStop: EmergencyStop? = nil,
            door: Door? = nil, statusLED: StatusLED? = nil
        ) {
            self.powerRelay = powerRelay
            self.filamentRunout = filamentRunout
            self.emergencyStop = emergencyStop
            self.door = door
            self.statusLED = statusLED
        }

        public var isEmpty: Bool { self == Lines() }
    }

    /// The lines of one printer, from its `[[gpio.printer]]`.
    public struct PrinterLines: Sendable, Equatable {
        public var printerID: String
        public var lines: Lines

        public init(printerID: String, lines: Lines) {
            self.printerID = printerID
            self.lines = lines
        }
    }

    /// A chip's label (`pinctrl-rp1`) or device path (`/dev/gpiochip0`); labels survive the
    /// renumbering of chips between kernels.
    public var chip: String
    /// Lines serving every printer.
    public var host: Lines
    /// Lines of single printers, in file order.
    public var printers: [PrinterLines]

    public init(chip: String, host: Lines = Lines(), printers: [PrinterLines] = []) {
        self.chip = chip
        self.host = host
        self.printers = printers
    }

    /// The lines of printer `id` alone (not the host's).
    public func lines(forPrinter id: String) -> Lines? {
        printers.first { $0.printerID == id }?.lines
    }

    /// Reads `[gpio]`. `printerIDs`, when given, are the configured printers: a
    /// `[[gpio.printer]]` for any other id is an error.
    init(reading table: inout TableReader, printerIDs: [String]? = nil) throws(ConfigurationError) {
        let chip: String = try table.required(
            "chip", .notEmpty, meaning: "a chip label such as \"pinctrl-rp1\" or a path such as \"/dev/gpiochip0\"")
        var claims = LineClaims()
        let host = try Self.readLines(&table, claims: &claims)
        var printerTables = try table.tables("printer")
        try table.rejectUnknownKeys()

        var printers: [PrinterLines] = []
        var firstLineByID: [String: Int] = [:]
        for index in printerTables.indices {
            let id: String = try printerTables[index].required("id", meaning: "the id of a [[printer]] this table wires")
            guard PrinterConfiguration.isValidID(id) else {
                throw printerTables[index].invalid("id", "printer id \"\(id)\" is not a valid printer id (1 to 32 of a-z, 0-9, `_`, `-`)")
            }
            if let printerIDs, !printerIDs.contains(id) {
                throw printerTables[index].invalid(
                    "id", "[[gpio.printer]] names printer `\(id)`, which no [[printer]] has; the printers are \(printerIDs.map { "`\($0)`" }.joined(separator: ", "))")
            }
            if let earlier = firstLineByID[id] {
                throw printerTables[index].invalid(
                    "id", "printer `\(id)` has a [[gpio.printer]] at line \(earlier) already; put all its lines in one", kind: .duplicateKey)
            }
            firstLineByID[id] = printerTables[index].position?.line ?? 0
            printerTables[index].title = "[[gpio.printer]] `\(id)`"
            let lines = try Self.readLines(&printerTables[index], claims: &claims)
            try printerTables[index].rejectUnknownKeys()
            guard !lines.isEmpty else {
                throw printerTables[index].invalid(
                    "id", "[[gpio.printer]] `\(id)` wires nothing: add power_relay, filament_runout, emergency_stop, door or status_led",
                    kind: .missingKey)
            }
            printers.append(PrinterLines(printerID: id, lines: lines))
        }
        self.init(chip: chip, host: host, printers: printers)
    }

    // MARK: - Reading the line tables

    /// The line tables of `[gpio]` or of one `[[gpio.printer]]`.
    private static func readLines(_ table: inout TableReader, claims: inout LineClaims) throws(ConfigurationError) -> Lines {
        var lines = Lines()
        if var relay = try table.optionalTable("power_relay") {
            let line = try readLine(&relay, claims: &claims)
            let activeLow: Bool = try relay.value("active_low", default: false)
            let idleMinutes: Int = try relay.value(
                "idle_off_minutes", default: Int(PowerRelay.defaultIdleOff.components.seconds / 60), .within(0...10_080))
            let safe: Double? = try relay.optional("safe_hotend_c", .within(30...120))
            try relay.rejectUnknownKeys()
            lines.powerRelay = PowerRelay(
                line: line, activeLow: activeLow, idleOff: idleMinutes == 0 ? nil : .seconds(idleMinutes * 60),
                safeHotendTemperatureCelsius: safe)
        }
        if var runout = try table.optionalTable("filament_runout") {
            let line = try readLine(&runout, claims: &claims)
            let bias = try readBias(&runout) ?? .pullUp
            let level = try readLevel(&runout) ?? .low
            let debounce = try readDebounce(&runout) ?? FilamentRunout.defaultDebounce
            try runout.rejectUnknownKeys()
            lines.filamentRunout = FilamentRunout(line: line, bias: bias, activeLevel: level, debounce: debounce)
        }
        if var stop = try table.optionalTable("emergency_stop") {
            let line = try readLine(&stop, claims: &claims)
            let normallyClosed: Bool = try stop.value("normally_closed", default: true)
            let bias = try readBias(&stop) ?? .pullUp
            let debounce = try readDebounce(&stop) ?? .zero
            try stop.rejectUnknownKeys()
            lines.emergencyStop = EmergencyStop(line: line, normallyClosed: normallyClosed, bias: bias, debounce: debounce)
        }
        if var door = try table.optionalTable("door") {
            let line = try readLine(&door, claims: &claims)
            let bias = try readBias(&door) ?? .pullUp
            let level = try readLevel(&door) ?? .low
            let debounce = try readDebounce(&door) ?? Door.defaultDebounce
            let pauseOnOpen: Bool = try door.value("pause_on_open", default: false)
            try door.rejectUnknownKeys()
            lines.door = Door(line: line, bias: bias, activeLevel: level, debounce: debounce, pauseOnOpen: pauseOnOpen)
        }
        if var led = try table.optionalTable("status_led") {
            let line = try readLine(&led, claims: &claims)
            let activeLow: Bool = try led.value("active_low", default: false)
            try led.rejectUnknownKeys()
            lines.statusLED = StatusLED(line: line, activeLow: activeLow)
        }
        return lines
    }

    private static let lineMeaning = "the line's offset on the chip, such as 17, or its name, such as \"GPIO17\""

    private static func readLine(_ table: inout TableReader, claims: inout LineClaims) throws(ConfigurationError) -> LineReference {
        let line: LineReference = try table.required("line", meaning: lineMeaning)
        if case .name(let name) = line, name.isEmpty || name.utf8.count > 31 {
            throw table.invalid("line", "key `\(table.dotted("line"))` must name a line in 1 to 31 bytes (the kernel's limit), found \"\(name)\"")
        }
        if case .offset(let offset) = line, !(0...Int(UInt32.max)).contains(offset) {
            throw table.invalid("line", "key `\(table.dotted("line"))` must be a line offset from 0, found \(offset)")
        }
        try claims.claim(line, by: table)
        return line
    }

    private static func readBias(_ table: inout TableReader) throws(ConfigurationError) -> Bias? {
        try table.optionalChoice("bias", choices: Bias.allCases.map(\.rawValue), parse: Bias.init(rawValue:))
    }

    private static func readLevel(_ table: inout TableReader) throws(ConfigurationError) -> Level? {
        try table.optionalChoice("active_level", choices: Level.allCases.map(\.rawValue), parse: Level.init(rawValue:))
    }

    private static func readDebounce(_ table: inout TableReader) throws(ConfigurationError) -> Duration? {
        let milliseconds: Int? = try table.optional("debounce_ms", .within(0...1000))
        return milliseconds.map { .milliseconds($0) }
    }

    /// Which table took which line, so that a line wired to two functions is an error at the
    /// second, naming the first. An offset and a name for the same line look different
    /// here; the daemon catches those when it resolves names on the chip (the second
    /// request finds the line busy).
    private struct LineClaims {
        private var owners: [LineReference: (key: String, line: Int)] = [:]

        mutating func claim(_ line: LineReference, by table: TableReader) throws(ConfigurationError) {
            let key = table.dotted("line")
            if let owner = owners[line] {
                throw table.invalid(
                    "line", "\(line) is wired twice: `\(owner.key)` at line \(owner.line) has it too; a line can serve one function",
                    kind: .duplicateKey)
            }
            owners[line] = (key, table.position(of: "line")?.line ?? 0)
        }
    }
}

extension GPIOSettings.LineReference: TOMLDecodable {
    static var expectation: String { "a line offset (an integer) or a line name (a string)" }

    static func decode(_ value: TOMLValue) -> Result<GPIOSettings.LineReference, TOMLTypeMismatch> {
        switch value.content {
        case .integer(let offset): .success(.offset(offset))
        case .string(let name): .success(.name(name))
        default: .failure(TOMLTypeMismatch(value))
        }
    }
}
