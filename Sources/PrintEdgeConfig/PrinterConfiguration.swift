import PrintEdgeCore

/// One `[[printer]]`: which printer, how it is reached, and its profile with this
/// printer's overrides already applied.
public struct PrinterConfiguration: Sendable, Equatable {
    public enum Connection: Sendable, Equatable {
        /// A serial device: `/dev/ttyACM0`, or better a `/dev/serial/by-id/…` link, which
        /// keeps naming the same printer when USB devices are re-plugged in another order.
        case port(path: String)
        /// A USB serial device recognised by its serial number, ids or udev link whenever
        /// it is plugged in, whatever its node (`HotplugTracker` follows it).
        case match(PortMatch)
        /// A simulated Marlin the daemon starts itself.
        case virtual(VirtualPrinterSettings)
    }

    /// Names the printer in commands, topics, logs and file names.
    public var id: String
    /// For people: "Prusa MK3S by the window". `nil`: show the id.
    public var name: String?
    public var connection: Connection
    public var profile: PrinterProfile
    /// Where the serial traffic is kept (`serial_log`), relative to the state directory;
    /// `nil`: none, though `printedge log serial --follow` still shows it live.
    public var serialLog: String?
    /// Past this size the log becomes `<serial_log>.1` and a new one starts (`serial_log_max_mb`).
    public var serialLogMaxBytes: Int

    public static let defaultSerialLogMaxBytes = 10 << 20

    public static let defaultProfile = "marlin-generic"
    public static let defaultVirtualProfile = "printedge-sim"

    public init(id: String, name: String? = nil, connection: Connection, profile: PrinterProfile, serialLog: String? = nil,
                serialLogMaxBytes: Int = defaultSerialLogMaxBytes) {
        self.id = id
        self.name = name
        self.connection = connection
        self.profile = profile
        self.serialLog = serialLog
        self.serialLogMaxBytes = serialLogMaxBytes
    }

    /// The printer's match when it is found through hot-plug, for `HotplugTracker`.
    public var portMatch: PortMatch? {
        if case .match(let match) = connection { match } else { nil }
    }

    /// `[a-z0-9][a-z0-9_-]{0,31}`: safe in MQTT topics, file names and shell commands alike.
    public static func isValidID(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard let first = bytes.first, bytes.count <= 32, isLowercaseAlphanumeric(first) else { return false }
        return bytes.allSatisfy { isLowercaseAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    private static func isLowercaseAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    /// Reads one `[[printer]]`, resolving its profile through `catalog`.
    init(reading table: inout TableReader, catalog: inout ProfileCatalog) throws(ConfigurationError) {
        let id: String = try table.required(
            "id", meaning: "a short name such as \"mk3s-1\": lowercase letters, digits, `_` and `-`")
        guard Self.isValidID(id) else {
            throw table.invalid(
                "id",
                "printer id \"\(id)\" must be 1 to 32 lowercase letters, digits, `_` or `-`, starting with a letter or digit (it names the printer in topics and file names)")
        }
        table.title = "printer `\(id)`"
        let name: String? = try table.optional("name", .notEmpty)
        let port: String? = try table.optional("port", .notEmpty)
        let match = try Self.readMatch(&table, printerID: id)
        let isVirtual: Bool = try table.value("virtual", default: false)
        let speedup: Double? = try table.optional("speedup", .positive)
        let simulatorPath: String? = try table.optional("simulator_path", .notEmpty)
        let simulatorArguments: [String]? = try table.optional("simulator_arguments")
        let profileReference: String? = try table.optional("profile", .notEmpty)
        let baud: Int? = try table.optional("baud", PrinterProfile.baudConstraint)
        let flow = try PrinterProfile.readFlow(&table)
        let rxBufferBytes: Int? = try table.optional("rx_buffer_bytes", PrinterProfile.rxBufferConstraint)
        let commandSlots: Int? = try table.optional("command_slots", PrinterProfile.commandSlotsConstraint)
        let serialLog: String? = try table.optional("serial_log", .notEmpty)
        let serialLogMaxMB: Int? = try table.optional("serial_log_max_mb", .within(1...1024))
        try table.rejectUnknownKeys()

        let connection: Connection
        switch (port, match, isVirtual) {
        case (.some, .some, _):
            throw table.invalid(
                "match",
                "printer `\(id)` has both `port` and `match`: a printer is either on a fixed device or found by its match; remove one")
        case (.some, nil, true), (nil, .some, true):
            throw table.invalid(
                "virtual",
                "printer `\(id)` has both `\(port == nil ? "match" : "port")` and `virtual = true`: a printer is either on USB or simulated; remove one")
        case (nil, nil, false):
            throw table.invalid(
                "port",
                "printer `\(id)` has no connection: add `port = \"/dev/serial/by-id/…\"` or `match = { serial = \"…\" }` (`printedge ports` prints one per plugged-in device) for a printer on USB, or `virtual = true` for a simulated one",
                kind: .missingKey)
        case (.some(let path), nil, false):
            try Self.rejectSimulatorKeys(table, printerID: id, reachedBy: "is on port \(path)")
            connection = .port(path: path)
        case (nil, .some(let match), false):
            try Self.rejectSimulatorKeys(table, printerID: id, reachedBy: "is found by its match")
            connection = .match(match)
        case (nil, nil, true):
            connection = .virtual(
                VirtualPrinterSettings(speedup: speedup ?? 1, simulatorPath: simulatorPath, extraArguments: simulatorArguments ?? []))
        }

        let reference = profileReference ?? (isVirtual ? Self.defaultVirtualProfile : Self.defaultProfile)
        var profile = try catalog.profile(reference, referencedIn: table.file, at: table.position(of: "profile") ?? table.position)
        if let baud { profile.baud = baud }
        if let flow { profile.flow = flow }
        if let rxBufferBytes { profile.rxBufferBytes = rxBufferBytes }
        if let commandSlots { profile.commandSlots = commandSlots }
        self.init(id: id, name: name, connection: connection, profile: profile, serialLog: serialLog,
                  serialLogMaxBytes: serialLogMaxMB.map { $0 << 20 } ?? Self.defaultSerialLogMaxBytes)
    }

    private static func rejectSimulatorKeys(_ table: TableReader, printerID: String, reachedBy: String) throws(ConfigurationError) {
        let simulatorKeys = ["speedup", "simulator_path", "simulator_arguments"]
        if let key = simulatorKeys.first(where: { table.position(of: $0) != nil }) {
            throw table.invalid(key, "key `printer.\(key)` applies to virtual printers only, and printer `\(printerID)` \(reachedBy)")
        }
    }

    /// Reads `match = { … }`: a `path` (a /dev/serial/by-id or by-path link) alone, or a
    /// `serial`, or a `usb_id` narrowed by an optional `serial`.
    private static func readMatch(_ table: inout TableReader, printerID: String) throws(ConfigurationError) -> PortMatch? {
        let example = "{ usb_id = \"2c99:0002\", serial = \"CZPX1234X004XK12345\" } or { path = \"/dev/serial/by-path/…\" }"
        if let raw = table.table["match"], !raw.isTable {
            throw ConfigurationError(
                kind: .wrongType, file: table.file, position: raw.position, key: "printer.match",
                message: "key `printer.match` must be a table such as \(example), found \(raw.typeName); `printedge ports` prints one for each plugged-in device")
        }
        guard var match = try table.optionalTable("match") else { return nil }
        match.title = "the match of printer `\(printerID)`"
        let path: String? = try match.optional("path", .notEmpty)
        let serial: String? = try match.optional("serial", .notEmpty)
        let usbIDText: String? = try match.optional("usb_id", .notEmpty)
        try match.rejectUnknownKeys()

        if let path {
            guard path.hasPrefix("/"), path.contains("/serial/by-id/") || path.contains("/serial/by-path/") else {
                throw match.invalid(
                    "path",
                    "key `printer.match.path` must be a udev link under /dev/serial/by-id/ or /dev/serial/by-path/, found \"\(path)\"; for a fixed device node write `port = \"\(path)\"` instead")
            }
            if let key = ["serial", "usb_id"].first(where: { match.position(of: $0) != nil }) {
                throw match.invalid(
                    key, "the match of printer `\(printerID)` names a link, which is one device already; remove `\(key)` or `path`")
            }
            return .link(path)
        }
        if let usbIDText {
            guard let usbID = USBDeviceID(usbIDText) else {
                throw match.invalid(
                    "usb_id", "key `printer.match.usb_id` must be vendor:product in hex, as lsusb prints it (\"2c99:0002\"), found \"\(usbIDText)\"")
            }
            return .usbID(usbID, serialNumber: serial)
        }
        if let serial { return .serialNumber(serial) }
        throw ConfigurationError(
            kind: .missingKey, file: match.file, position: match.position, key: "printer.match",
            message: "the match of printer `\(printerID)` is empty: it needs `serial`, `usb_id` (with an optional `serial`) or `path`, e.g. \(example)")
    }
}
