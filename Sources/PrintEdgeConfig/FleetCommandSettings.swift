/// `[mqtt.commands]`: what the fleet may ask of this daemon's printers, and how much of its
/// disk and time a file delivery may take (docs/mqtt-commands.md).
///
/// The G-code allow-lists are the fleet's only way to reach the firmware directly, so the
/// defaults hold commands that move, heat, cool and report, and nothing that writes the
/// EEPROM (`M500`, `M502`), flashes firmware (`M997`), writes the SD card (`M28`, `M30`),
/// waits for a person at the printer (`M600`) or changes the machine's calibration (`M92`,
/// `M851`, `G29`). An operator who needs more lists it here, knowingly.
public struct FleetCommandSettings: Sendable, Equatable {
    /// Commands (`G28`, `M104`) a `gcode` command may send while the printer has no job.
    public var gcodeAllowed: [String]
    /// The subset a `gcode` command may send while a job is printing or paused: nothing that
    /// moves the head under the job, only tuning (temperatures, fans, speed and flow factors,
    /// babystepping) and reports.
    public var gcodeAllowedWhilePrinting: [String]
    /// A `cmd` payload longer than this is refused unread (`payload_too_large`).
    public var maxCommandBytes: Int
    /// Where chunked transfers and downloads keep their part files until they are verified;
    /// `nil`: `transfers` under the state directory.
    public var transferDirectory: String?
    /// The largest file a `start_job` may deliver.
    public var maxFileBytes: Int
    /// The largest chunk a transfer may announce (each chunk is one MQTT message).
    public var maxChunkBytes: Int
    /// Deliveries under way at once (part files on disk); another `start_job` is refused.
    public var maxTransfers: Int
    /// An unfinished delivery older than this is dropped with its part file, and its
    /// `start_job` gets its one reply: `transfer_expired`.
    public var transferExpiry: Duration
    /// A download gives up connecting after this, and retries (with `Range`).
    public var downloadConnectTimeout: Duration
    /// A download that receives nothing for this long is cut, and retried (with `Range`).
    public var downloadStallTimeout: Duration
    /// Attempts per download, the first included; each resumes where the last stopped.
    public var downloadAttempts: Int
    /// CA certificates for `https` downloads; `nil`: the system's.
    public var downloadCAFile: String?

    /// Moving, homing, heating, fans, motors, speed and flow factors, babystepping, messages
    /// and reports (Marlin's G-code index, marlinfw.org/meta/gcode).
    public static let defaultGCodeAllowed = [
        "G0", "G1", "G4", "G28", "G90", "G91", "G92",
        "M17", "M18", "M82", "M83", "M84", "M104", "M105", "M106", "M107", "M109", "M114", "M115", "M117", "M119",
        "M140", "M190", "M220", "M221", "M290", "M400",
    ]
    /// Temperatures (without waiting), fans, speed and flow factors, babystepping, messages, reports.
    public static let defaultGCodeAllowedWhilePrinting = [
        "M104", "M105", "M106", "M107", "M114", "M117", "M140", "M220", "M221", "M290",
    ]
    /// Commands the host protocol itself depends on, which no allow-list may hold: `M110`
    /// renumbers the lines the host counts, and `M112` has its own command (`emergency_stop`).
    public static let neverAllowed: Set<String> = ["M110", "M112"]

    public init(
        gcodeAllowed: [String] = defaultGCodeAllowed, gcodeAllowedWhilePrinting: [String] = defaultGCodeAllowedWhilePrinting,
        maxCommandBytes: Int = 65_536, transferDirectory: String? = nil, maxFileBytes: Int = 268_435_456,
        maxChunkBytes: Int = 1_048_576, maxTransfers: Int = 4, transferExpiry: Duration = .seconds(86_400),
        downloadConnectTimeout: Duration = .seconds(15), downloadStallTimeout: Duration = .seconds(60),
        downloadAttempts: Int = 5, downloadCAFile: String? = nil
    ) {
        self.gcodeAllowed = gcodeAllowed
        self.gcodeAllowedWhilePrinting = gcodeAllowedWhilePrinting
        self.maxCommandBytes = maxCommandBytes
        self.transferDirectory = transferDirectory
        self.maxFileBytes = maxFileBytes
        self.maxChunkBytes = maxChunkBytes
        self.maxTransfers = maxTransfers
        self.transferExpiry = transferExpiry
        self.downloadConnectTimeout = downloadConnectTimeout
        self.downloadStallTimeout = downloadStallTimeout
        self.downloadAttempts = downloadAttempts
        self.downloadCAFile = downloadCAFile
    }

    /// Reads `[mqtt.commands]`; absent keys keep the defaults of `init()`.
    init(reading table: inout TableReader) throws(ConfigurationError) {
        let defaults = FleetCommandSettings()
        let allowed: [String]? = try table.optional("gcode_allow")
        let allowedWhilePrinting: [String]? = try table.optional("gcode_allow_while_printing")
        let maxCommandBytes: Int? = try table.optional("max_command_bytes", .within(256...16_777_216))
        let directory: String? = try table.optional("transfer_directory", .notEmpty)
        let maxFileMB: Int? = try table.optional("max_file_mb", .within(1...65_536))
        let maxChunkKB: Int? = try table.optional("max_chunk_kb", .within(1...65_536))
        let maxTransfers: Int? = try table.optional("max_transfers", .within(1...64))
        let expiry: Double? = try table.optional("transfer_expiry_s", .positive)
        let connect: Double? = try table.optional("download_connect_timeout_s", .positive)
        let stall: Double? = try table.optional("download_stall_timeout_s", .positive)
        let attempts: Int? = try table.optional("download_attempts", .within(1...100))
        let caFile: String? = try table.optional("download_ca_file", .notEmpty)
        try table.rejectUnknownKeys()

        for (key, list) in [("gcode_allow", allowed), ("gcode_allow_while_printing", allowedWhilePrinting)] {
            guard let list else { continue }
            for word in list {
                if let problem = Self.problem(withAllowedCommand: word) {
                    throw table.invalid(key, "key `\(table.dotted(key))` \(problem)")
                }
            }
        }
        self.init(
            gcodeAllowed: allowed ?? defaults.gcodeAllowed,
            gcodeAllowedWhilePrinting: allowedWhilePrinting ?? defaults.gcodeAllowedWhilePrinting,
            maxCommandBytes: maxCommandBytes ?? defaults.maxCommandBytes, transferDirectory: directory,
            maxFileBytes: maxFileMB.map { $0 << 20 } ?? defaults.maxFileBytes,
            maxChunkBytes: maxChunkKB.map { $0 << 10 } ?? defaults.maxChunkBytes,
            maxTransfers: maxTransfers ?? defaults.maxTransfers,
            transferExpiry: expiry.map { .seconds($0) } ?? defaults.transferExpiry,
            downloadConnectTimeout: connect.map { .seconds($0) } ?? defaults.downloadConnectTimeout,
            downloadStallTimeout: stall.map { .seconds($0) } ?? defaults.downloadStallTimeout,
            downloadAttempts: attempts ?? defaults.downloadAttempts, downloadCAFile: caFile)
    }

    /// Why `word` cannot be in an allow-list: it must be one command word as Marlin reads it
    /// (`G`, `M` or `T` and a number, upper case), and not one the host protocol owns.
    static func problem(withAllowedCommand word: String) -> String? {
        let scalars = Array(word.unicodeScalars)
        guard let letter = scalars.first, ["G", "M", "T"].contains(letter), scalars.count > 1,
              scalars.dropFirst().allSatisfy({ ("0"..."9").contains($0) })
        else {
            return "holds \"\(word)\"; each entry is one command word: G, M or T and its number in upper case (\"M104\")"
        }
        if neverAllowed.contains(word) {
            return "holds \"\(word)\", which cannot be allowed: M110 renumbers the lines the daemon counts, and M112 is the `emergency_stop` command"
        }
        return nil
    }
}

extension FleetCommandSettings {
    /// Reads the `commands` table of `[mqtt]`, or the defaults when there is none.
    init(readingSubtableOf mqtt: inout TableReader) throws(ConfigurationError) {
        var table = try mqtt.table("commands")
        try self.init(reading: &table)
    }
}

extension FleetCommandSettings {
    /// `transfer_directory`, or `transfers` under the state directory.
    public func transferPath(stateDirectory: String) -> String {
        transferDirectory ?? ConfigurationFiles.resolve("transfers", against: stateDirectory)
    }
}
