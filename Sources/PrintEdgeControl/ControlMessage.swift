import Foundation

/// One request on the control socket: a JSON object on one line. Fields a command does not
/// use are left out; the daemon says which one is missing. See docs/control.md. Written by
/// `ControlCoding.encode`, read by `init(line:)`.
public struct ControlRequest: Encodable, Sendable, Equatable {
    public var id: Int
    public var command: String
    public var printer: String?
    public var job: Int64?
    public var path: String?
    public var name: String?
    public var lines: [String]?
    public var force: Bool?
    public var states: [String]?
    public var limit: Int?
    /// An open file came with this request (SCM_RIGHTS); `path` then only names it.
    public var fileAttached: Bool?
    /// `calibrate.start`: the kind and its parameters.
    public var calibration: CalibrationRequest?
    /// `calibrate.answer`: what the person answered, as typed (`yes`, `20.5`, `-0.05`, `--`, `accept`).
    public var answer: String?
    /// `calibrations.list`: only these kinds (`bed_mesh`, `settings_backup`, …).
    public var kinds: [String]?
    /// `calibrations.get`: the record's id.
    public var record: Int64?

    public init(id: Int, command: String, printer: String? = nil, job: Int64? = nil, path: String? = nil,
                name: String? = nil, lines: [String]? = nil, force: Bool? = nil, states: [String]? = nil,
                limit: Int? = nil, fileAttached: Bool? = nil, calibration: CalibrationRequest? = nil, answer: String? = nil,
                kinds: [String]? = nil, record: Int64? = nil) {
        self.id = id
        self.command = command
        self.printer = printer
        self.job = job
        self.path = path
        self.name = name
        self.lines = lines
        self.force = force
        self.states = states
        self.limit = limit
        self.fileAttached = fileAttached
        self.calibration = calibration
        self.answer = answer
        self.kinds = kinds
        self.record = record
    }
}

/// One reply line. A request gets exactly one final reply (`ok` true or false); streaming
/// requests (`console`, `send`, `telemetry.tail`) get `event` or `sample` lines before it.
public struct ControlReply: Codable, Sendable, Equatable {
    public var id: Int
    /// Absent on intermediate lines, present on the final one.
    public var ok: Bool?
    public var error: ControlError?
    public var printers: [PrinterStatus]?
    /// With `status`: whether the daemon is recording what happens.
    public var storage: StorageStatus?
    /// With `status` and a fleet link: the link to the broker.
    public var fleet: FleetLinkStatus?
    /// With `fleet.retry`: how many refused messages were queued again.
    public var retried: Int?
    public var jobs: [JobSummary]?
    public var job: JobSummary?
    public var event: ConsoleEvent?
    public var samples: [TelemetryPoint]?
    /// With `power.on`, `power.off` and `power.status`: the relays concerned, as they are now.
    public var relays: [PowerRelayStatus]?
    /// `calibrate.start`: what the run does, asks and ends with.
    public var calibration: CalibrationEvent?
    /// `calibrations.list`, `calibrations.get`: stored runs.
    public var calibrations: [CalibrationEntry]?

    public init(id: Int, ok: Bool? = nil, error: ControlError? = nil, printers: [PrinterStatus]? = nil,
                storage: StorageStatus? = nil, fleet: FleetLinkStatus? = nil, retried: Int? = nil,
                jobs: [JobSummary]? = nil, job: JobSummary? = nil,
                event: ConsoleEvent? = nil, samples: [TelemetryPoint]? = nil, relays: [PowerRelayStatus]? = nil,
                calibration: CalibrationEvent? = nil, calibrations: [CalibrationEntry]? = nil) {
        self.id = id
        self.ok = ok
        self.error = error
        self.printers = printers
        self.storage = storage
        self.fleet = fleet
        self.retried = retried
        self.jobs = jobs
        self.job = job
        self.event = event
        self.samples = samples
        self.relays = relays
        self.calibration = calibration
        self.calibrations = calibrations
    }

    public static func failure(_ id: Int, _ code: ControlError.Code, _ message: String) -> ControlReply {
        ControlReply(id: id, ok: false, error: ControlError(code: code, message: message))
    }

    public var isFinal: Bool { ok != nil }
}

public struct ControlError: Codable, Sendable, Equatable, Error, CustomStringConvertible {
    public enum Code: String, Codable, Sendable {
        case badRequest = "bad_request"
        case unknownCommand = "unknown_command"
        case unknownPrinter = "unknown_printer"
        case unknownJob = "unknown_job"
        case busy
        case notConnected = "not_connected"
        case refused
        case storage
        /// The printer answered a person's G-code with `Error:` or "Unknown command".
        case firmwareError = "firmware_error"
        /// A calibration ended without a result; the `failed` event before says why.
        case calibrationFailed = "calibration_failed"
        /// The printer's profile or firmware lacks what the request needs (no bed screws, no
        /// leveling system, no EEPROM for `save`): the message names the key or the build option.
        case notConfigured = "not_configured"
        case `internal`
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

public struct PrinterStatus: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    /// offline, connecting, idle, printing, paused, finishing, error.
    public var state: String
    public var port: String
    public var firmware: String?
    public var flow: String?
    public var error: String?
    public var temperatures: [HeaterReading]
    public var job: JobSummary?
    /// For a printer found by its `match`: the USB device it is on, or what it waits for.
    public var device: PrinterDeviceStatus?
    /// With a fleet link: the commands the fleet sent this printer, and what became of them.
    public var fleetCommands: FleetCommandCounters?
    /// With a fleet link: the printer's messages the broker has not acknowledged yet.
    public var fleetOutbox: FleetOutboxStatus?
    /// The calibration running now, if any.
    public var calibrating: CalibrationActivity?
    /// Per kind, the latest completed calibration and whether a later one made it stale.
    public var calibrations: [CalibrationStandingStatus]?

    public init(id: String, name: String, state: String, port: String, firmware: String? = nil, flow: String? = nil,
                error: String? = nil, temperatures: [HeaterReading] = [], job: JobSummary? = nil,
                device: PrinterDeviceStatus? = nil) {
        self.id = id
        self.name = name
        self.state = state
        self.port = port
        self.firmware = firmware
        self.flow = flow
        self.error = error
        self.temperatures = temperatures
        self.job = job
        self.device = device
    }
}

/// Whether the daemon's database takes what happens. While it refuses writes (a full disk)
/// printing goes on: telemetry waits in memory, and job events the printers have taken wait
/// too, to be written first when space returns (docs/store.md, "a full disk").
public struct StorageStatus: Codable, Sendable, Equatable {
    /// recording, disk_full, failing.
    public var condition: String
    /// What is wrong, since when, and what to do; absent while recording.
    public var message: String?
    /// Milliseconds since the Unix epoch at which writes started failing.
    public var sinceMS: Int64?
    /// Telemetry samples held in memory, and those dropped (oldest first) to bound it.
    public var heldSamples: Int
    public var droppedSamples: Int
    /// Job events (a pause, a completion...) that happened and wait to be written.
    public var heldJobEvents: Int

    public init(condition: String, message: String? = nil, sinceMS: Int64? = nil, heldSamples: Int = 0,
                droppedSamples: Int = 0, heldJobEvents: Int = 0) {
        self.condition = condition
        self.message = message
        self.sinceMS = sinceMS
        self.heldSamples = heldSamples
        self.droppedSamples = droppedSamples
        self.heldJobEvents = heldJobEvents
    }

    public var isRecording: Bool { condition == "recording" }
}

public struct HeaterReading: Codable, Sendable, Equatable {
    public var heater: String
    public var actualCelsius: Double
    public var targetCelsius: Double?

    public init(heater: String, actualCelsius: Double, targetCelsius: Double?) {
        self.heater = heater
        self.actualCelsius = actualCelsius
        self.targetCelsius = targetCelsius
    }
}

public struct JobSummary: Codable, Sendable, Equatable {
    public var id: Int64
    public var printer: String
    public var name: String
    public var state: String
    public var sha256: String
    public var sizeBytes: Int64
    public var commands: Int
    public var layers: Int
    public var estimatedSeconds: Double?
    public var filamentMM: Double?
    public var acknowledgedSourceLine: Int
    public var acknowledgedBytes: Int64
    public var zMM: Double?
    public var layer: Int?
    /// 0...1 by bytes handled.
    public var fraction: Double
    public var etaSeconds: Double?
    public var failureReason: String?
    public var submittedAt: String?
    public var endedAt: String?

    public init(id: Int64, printer: String, name: String, state: String, sha256: String, sizeBytes: Int64, commands: Int,
                layers: Int, estimatedSeconds: Double?, filamentMM: Double?, acknowledgedSourceLine: Int,
                acknowledgedBytes: Int64, zMM: Double?, layer: Int?, fraction: Double, etaSeconds: Double?,
                failureReason: String?, submittedAt: String?, endedAt: String?) {
        self.id = id
        self.printer = printer
        self.name = name
        self.state = state
        self.sha256 = sha256
        self.sizeBytes = sizeBytes
        self.commands = commands
        self.layers = layers
        self.estimatedSeconds = estimatedSeconds
        self.filamentMM = filamentMM
        self.acknowledgedSourceLine = acknowledgedSourceLine
        self.acknowledgedBytes = acknowledgedBytes
        self.zMM = zMM
        self.layer = layer
        self.fraction = fraction
        self.etaSeconds = etaSeconds
        self.failureReason = failureReason
        self.submittedAt = submittedAt
        self.endedAt = endedAt
    }
}

/// Something a console shows: a line from the printer, a state change, a job event.
public struct ConsoleEvent: Codable, Sendable, Equatable {
    /// reply, state, job, error.
    public var kind: String
    public var printer: String
    public var text: String

    public init(kind: String, printer: String, text: String) {
        self.kind = kind
        self.printer = printer
        self.text = text
    }
}

public struct TelemetryPoint: Codable, Sendable, Equatable {
    public var printer: String
    /// Milliseconds since the Unix epoch.
    public var atMS: Int64
    public var channel: String
    public var value: Double
    public var target: Double?

    public init(printer: String, atMS: Int64, channel: String, value: Double, target: Double?) {
        self.printer = printer
        self.atMS = atMS
        self.channel = channel
        self.value = value
        self.target = target
    }
}

/// JSON lines: one object per line, keys as the Swift names (camelCase, units kept in them:
/// `atMS`, `zMM`), sorted so the output is stable.
public enum ControlCoding {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value)) + [UInt8(ascii: "\n")]
    }

    public static func decode<T: Decodable>(_ type: T.Type, from line: some Collection<UInt8>) throws -> T {
        let decoder = JSONDecoder()
        return try decoder.decode(type, from: Data(line))
    }
}
