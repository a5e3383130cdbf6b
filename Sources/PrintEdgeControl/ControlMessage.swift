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
    /// Keep streaming what comes next (`log.serial`) until the client goes.
    public var follow: Bool?
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
                limit: Int? = nil, fileAttached: Bool? = nil, follow: Bool? = nil, calibration: CalibrationRequest? = nil, answer: String? = nil,
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
        self.follow = follow
        self.calibration = calibration
        self.answer = answer
        self.kinds = kinds
        self.record = record
    }

    enum CodingKeys: String, CodingKey {
        case schema, id, command, printer, job, path, name, lines, force, states, limit
        case fileAttached = "file_attached"
        case follow, calibration, answer, kinds, record
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ControlCoding.schema, forKey: .schema)
        try container.encode(id, forKey: .id)
        try container.encode(command, forKey: .command)
        try container.encodeIfPresent(printer, forKey: .printer)
        try container.encodeIfPresent(job, forKey: .job)
        try container.encodeIfPresent(path, forKey: .path)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(lines, forKey: .lines)
        try container.encodeIfPresent(force, forKey: .force)
        try container.encodeIfPresent(states, forKey: .states)
        try container.encodeIfPresent(limit, forKey: .limit)
        try container.encodeIfPresent(fileAttached, forKey: .fileAttached)
        try container.encodeIfPresent(follow, forKey: .follow)
        try container.encodeIfPresent(calibration, forKey: .calibration)
        try container.encodeIfPresent(answer, forKey: .answer)
        try container.encodeIfPresent(kinds, forKey: .kinds)
        try container.encodeIfPresent(record, forKey: .record)
    }
}

/// One reply line. A request gets exactly one final reply (`ok` true or false); streaming
/// requests (`console`, `send`, `telemetry.tail`, and `jobs.submit` with its progress) get
/// intermediate lines before it. Every line carries `schema`.
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
    /// With `status`: the daemon's version (`PrintEdgeVersion`), so a CLI of another
    /// release can say so.
    public var daemonVersion: String?
    /// With `fleet.retry`: how many refused messages were queued again.
    public var retried: Int?
    public var jobs: [JobSummary]?
    public var job: JobSummary?
    public var event: ConsoleEvent?
    public var samples: [TelemetryPoint]?
    /// With `power.on`, `power.off` and `power.status`: the relays concerned, as they are now.
    public var relays: [PowerRelayStatus]?
    /// Intermediate lines of `jobs.submit`: how far the copy and the analysis are.
    public var submission: SubmissionProgress?
    /// With `health`: the daemon's verdict on itself.
    public var health: HealthVerdict?
    /// With `backup`: what was copied.
    public var backup: BackupReport?
    /// `calibrate.start`: what the run does, asks and ends with.
    public var calibration: CalibrationEvent?
    /// `calibrations.list`, `calibrations.get`: stored runs.
    public var calibrations: [CalibrationEntry]?
    /// With `jobs.show`: the job and its events.
    public var history: JobHistory?

    public init(id: Int, ok: Bool? = nil, error: ControlError? = nil, printers: [PrinterStatus]? = nil,
                storage: StorageStatus? = nil, fleet: FleetLinkStatus? = nil, daemonVersion: String? = nil, retried: Int? = nil,
                jobs: [JobSummary]? = nil, job: JobSummary? = nil,
                event: ConsoleEvent? = nil, samples: [TelemetryPoint]? = nil, relays: [PowerRelayStatus]? = nil,
                submission: SubmissionProgress? = nil,
                health: HealthVerdict? = nil, backup: BackupReport? = nil,
                calibration: CalibrationEvent? = nil, calibrations: [CalibrationEntry]? = nil, history: JobHistory? = nil) {
        self.id = id
        self.ok = ok
        self.error = error
        self.printers = printers
        self.storage = storage
        self.fleet = fleet
        self.daemonVersion = daemonVersion
        self.retried = retried
        self.jobs = jobs
        self.job = job
        self.event = event
        self.samples = samples
        self.relays = relays
        self.submission = submission
        self.health = health
        self.backup = backup
        self.calibration = calibration
        self.calibrations = calibrations
        self.history = history
    }

    public static func failure(_ id: Int, _ code: ControlError.Code, _ message: String) -> ControlReply {
        ControlReply(id: id, ok: false, error: ControlError(code: code, message: message))
    }

    public var isFinal: Bool { ok != nil }

    enum CodingKeys: String, CodingKey {
        case schema, id, ok, error, printers, storage, fleet
        case daemonVersion = "daemon_version"
        case retried, jobs, job, event, samples, relays, submission, health, backup, calibration, calibrations, history
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ControlCoding.schema, forKey: .schema)
        try container.encode(id, forKey: .id)
        try container.encodeIfPresent(ok, forKey: .ok)
        try container.encodeIfPresent(error, forKey: .error)
        try container.encodeIfPresent(printers, forKey: .printers)
        try container.encodeIfPresent(storage, forKey: .storage)
        try container.encodeIfPresent(fleet, forKey: .fleet)
        try container.encodeIfPresent(daemonVersion, forKey: .daemonVersion)
        try container.encodeIfPresent(retried, forKey: .retried)
        try container.encodeIfPresent(jobs, forKey: .jobs)
        try container.encodeIfPresent(job, forKey: .job)
        try container.encodeIfPresent(event, forKey: .event)
        try container.encodeIfPresent(samples, forKey: .samples)
        try container.encodeIfPresent(relays, forKey: .relays)
        try container.encodeIfPresent(submission, forKey: .submission)
        try container.encodeIfPresent(health, forKey: .health)
        try container.encodeIfPresent(backup, forKey: .backup)
        try container.encodeIfPresent(calibration, forKey: .calibration)
        try container.encodeIfPresent(calibrations, forKey: .calibrations)
        try container.encodeIfPresent(history, forKey: .history)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let schema = try container.decodeIfPresent(Int.self, forKey: .schema)
        guard schema == ControlCoding.schema else {
            throw DecodingError.dataCorruptedError(
                forKey: .schema, in: container,
                debugDescription: "schema \(schema.map(String.init) ?? "missing"), this CLI reads schema \(ControlCoding.schema)")
        }
        self.init(
            id: try container.decode(Int.self, forKey: .id), ok: try container.decodeIfPresent(Bool.self, forKey: .ok),
            error: try container.decodeIfPresent(ControlError.self, forKey: .error),
            printers: try container.decodeIfPresent([PrinterStatus].self, forKey: .printers),
            storage: try container.decodeIfPresent(StorageStatus.self, forKey: .storage),
            fleet: try container.decodeIfPresent(FleetLinkStatus.self, forKey: .fleet),
            daemonVersion: try container.decodeIfPresent(String.self, forKey: .daemonVersion),
            retried: try container.decodeIfPresent(Int.self, forKey: .retried),
            jobs: try container.decodeIfPresent([JobSummary].self, forKey: .jobs),
            job: try container.decodeIfPresent(JobSummary.self, forKey: .job),
            event: try container.decodeIfPresent(ConsoleEvent.self, forKey: .event),
            samples: try container.decodeIfPresent([TelemetryPoint].self, forKey: .samples),
            relays: try container.decodeIfPresent([PowerRelayStatus].self, forKey: .relays),
            submission: try container.decodeIfPresent(SubmissionProgress.self, forKey: .submission),
            health: try container.decodeIfPresent(HealthVerdict.self, forKey: .health),
            backup: try container.decodeIfPresent(BackupReport.self, forKey: .backup),
            calibration: try container.decodeIfPresent(CalibrationEvent.self, forKey: .calibration),
            calibrations: try container.decodeIfPresent([CalibrationEntry].self, forKey: .calibrations),
            history: try container.decodeIfPresent(JobHistory.self, forKey: .history))
    }
}

public struct ControlError: Codable, Sendable, Equatable, Error, CustomStringConvertible {
    /// Stable codes a client may switch on; `printedge` turns each into one exit status
    /// (docs/control.md, "Error codes").
    public enum Code: String, Codable, Sendable, CaseIterable {
        /// The request is malformed: a field missing, of the wrong type, unknown.
        case badRequest = "bad_request"
        case unknownCommand = "unknown_command"
        case unknownPrinter = "unknown_printer"
        case unknownJob = "unknown_job"
        /// The printer is doing something that excludes the request.
        case busy
        case notConnected = "not_connected"
        /// The printer or the job cannot do it in the state it is in (pause with nothing
        /// printing, start a finished job, a GPIO interlock, the daemon stopping).
        case refused
        /// The G-code file was refused: outside the build volume or the printer's limits, a
        /// line the firmware cannot take, no command at all.
        case rejectedFile = "rejected_file"
        /// The daemon cannot read the file named (`path` without an attached file).
        case unreadableFile = "unreadable_file"
        /// The configuration has no such part (no `[gpio]` relay, no `[mqtt]` link), or the
        /// printer's profile or firmware lacks what a calibration needs (no bed screws, no
        /// leveling system, no EEPROM for `save`): the message names the key or the build option.
        case notConfigured = "not_configured"
        /// The database or the disk refused the write.
        case storage
        /// The printer answered a person's G-code with `Error:` or "Unknown command".
        case firmwareError = "firmware_error"
        /// A calibration ended without a result; the `failed` event before says why.
        case calibrationFailed = "calibration_failed"
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
    /// offline, connecting, idle, printing, paused, finishing, error, halted.
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
    /// While `halted`: why and since when; a reset (`printedge reset`) clears it.
    public var halt: PrinterHalt?
    /// When `temperatures` were read (RFC 3339, `ControlTime`); `nil` before the first reading.
    public var temperaturesAt: String?
    /// The link is down (or not yet up): `temperatures` are the last ones read, not live.
    public var temperaturesStale: Bool = false

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

    enum CodingKeys: String, CodingKey {
        case id, name, state, port, firmware, flow, error, temperatures, job, device
        case fleetCommands = "fleet_commands"
        case fleetOutbox = "fleet_outbox"
        case calibrating, calibrations
        case halt
        case temperaturesAt = "temperatures_at"
        case temperaturesStale = "temperatures_stale"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(state, forKey: .state)
        try container.encode(port, forKey: .port)
        try container.encode(firmware, forKey: .firmware)
        try container.encode(flow, forKey: .flow)
        try container.encode(error, forKey: .error)
        try container.encode(temperatures, forKey: .temperatures)
        try container.encode(job, forKey: .job)
        try container.encode(device, forKey: .device)
        try container.encode(fleetCommands, forKey: .fleetCommands)
        try container.encode(fleetOutbox, forKey: .fleetOutbox)
        try container.encode(calibrating, forKey: .calibrating)
        try container.encode(calibrations, forKey: .calibrations)
        try container.encode(halt, forKey: .halt)
        try container.encode(temperaturesAt, forKey: .temperaturesAt)
        try container.encode(temperaturesStale, forKey: .temperaturesStale)
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

    enum CodingKeys: String, CodingKey {
        case condition, message
        case sinceMS = "since"
        case heldSamples = "held_samples"
        case droppedSamples = "dropped_samples"
        case heldJobEvents = "held_job_events"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(condition, forKey: .condition)
        try container.encode(message, forKey: .message)
        try container.encodeTime(sinceMS, forKey: .sinceMS)
        try container.encode(heldSamples, forKey: .heldSamples)
        try container.encode(droppedSamples, forKey: .droppedSamples)
        try container.encode(heldJobEvents, forKey: .heldJobEvents)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(condition: try container.decode(String.self, forKey: .condition),
                  message: try container.decodeIfPresent(String.self, forKey: .message),
                  sinceMS: try container.decodeTimeIfPresent(forKey: .sinceMS),
                  heldSamples: try container.decode(Int.self, forKey: .heldSamples),
                  droppedSamples: try container.decode(Int.self, forKey: .droppedSamples),
                  heldJobEvents: try container.decode(Int.self, forKey: .heldJobEvents))
    }
}

public struct HeaterReading: Codable, Sendable, Equatable {
    /// `T0`, `T1`, `B`, `C` as the firmware names them.
    public var heater: String
    public var actualCelsius: Double
    public var targetCelsius: Double?

    public init(heater: String, actualCelsius: Double, targetCelsius: Double?) {
        self.heater = heater
        self.actualCelsius = actualCelsius
        self.targetCelsius = targetCelsius
    }

    enum CodingKeys: String, CodingKey {
        case heater
        case actualCelsius = "actual_c"
        case targetCelsius = "target_c"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(heater, forKey: .heater)
        try container.encode(actualCelsius, forKey: .actualCelsius)
        try container.encode(targetCelsius, forKey: .targetCelsius)
    }
}

/// Something a console shows: a line from the printer, a state change, a job event.
public struct ConsoleEvent: Codable, Sendable, Equatable {
    /// reply, state, job, message, error.
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

    enum CodingKeys: String, CodingKey {
        case printer
        case atMS = "at"
        case channel, value, target
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(printer, forKey: .printer)
        try container.encodeTime(atMS, forKey: .atMS)
        try container.encode(channel, forKey: .channel)
        try container.encode(value, forKey: .value)
        try container.encode(target, forKey: .target)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(printer: try container.decode(String.self, forKey: .printer), atMS: try container.decodeTime(forKey: .atMS),
                  channel: try container.decode(String.self, forKey: .channel), value: try container.decode(Double.self, forKey: .value),
                  target: try container.decodeIfPresent(Double.self, forKey: .target))
    }
}

/// How far `jobs.submit` is with a file: a 50 MB file takes tens of seconds on a Pi to copy,
/// hash and analyse, and a person should see it move.
public struct SubmissionProgress: Codable, Sendable, Equatable {
    /// copying (into the spool, SHA-256 on the way), analysing (layers, limits, estimate).
    public var stage: String
    public var doneBytes: Int64
    /// The file's size, when the daemon could learn it.
    public var totalBytes: Int64?

    public init(stage: String, doneBytes: Int64, totalBytes: Int64?) {
        self.stage = stage
        self.doneBytes = doneBytes
        self.totalBytes = totalBytes
    }

    enum CodingKeys: String, CodingKey {
        case stage
        case doneBytes = "done_bytes"
        case totalBytes = "total_bytes"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(stage, forKey: .stage)
        try container.encode(doneBytes, forKey: .doneBytes)
        try container.encode(totalBytes, forKey: .totalBytes)
    }
}

/// The one JSON dialect of the control socket and of every `printedge --json`
/// (docs/control.md, "JSON"): snake_case keys with the unit in the name (`z_mm`, `eta_s`,
/// `actual_c`, `size_bytes`), moments as `ControlTime` text (`submitted_at`), every key of a
/// data object present (`null` when unknown), keys sorted, and `schema` in every top-level
/// object.
public enum ControlCoding {
    /// Raised when a key is renamed or removed or a meaning changes; adding a key is not a change.
    public static let schema = 1

    /// One line: the object and `\n`.
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        Array(try encoder(pretty: false).encode(value)) + [UInt8(ascii: "\n")]
    }

    public static func decode<T: Decodable>(_ type: T.Type, from line: some Collection<UInt8>) throws -> T {
        try JSONDecoder().decode(type, from: Data(line))
    }

    /// `value` as a top-level document: its keys and `schema`.
    public static func document<T: Encodable>(_ value: T, pretty: Bool) throws -> String {
        String(decoding: try encoder(pretty: pretty).encode(Document(body: value)), as: UTF8.self)
    }

    private static func encoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// The body's own keys beside `schema`: JSONEncoder merges two keyed containers of one
    /// encoder into one object.
    private struct Document<Body: Encodable>: Encodable {
        var body: Body

        enum Key: String, CodingKey { case schema }

        func encode(to encoder: any Encoder) throws {
            try body.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(ControlCoding.schema, forKey: .schema)
        }
    }
}
