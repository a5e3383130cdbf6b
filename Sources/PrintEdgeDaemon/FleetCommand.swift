import PrintEdgeControl

/// One command from the fleet, validated: what the payload on `<printer>/cmd` asks for
/// (docs/mqtt-commands.md). Parsing is pure (`FleetCommandParser`); `FleetCommands` carries
/// the command out against the printer.
struct FleetCommand: Sendable, Equatable {
    /// The sender's correlation id, echoed in the reply: a string or an integer, as sent.
    var id: FleetCommandID
    var action: Action

    enum Action: Sendable, Equatable {
        case startJob(JobSource, options: JobOptions)
        /// `job`: the job the sender means; refused when the printer's job is another one.
        case pause(job: Int64?)
        case resume(job: Int64?)
        case cancel(job: Int64?)
        /// Normalised lines, each allowed by the idle allow-list (the printing one is checked
        /// against the printer's state when the command runs).
        case gcode([(word: String, line: String)])
        case setTemperature(heater: Heater, targetCelsius: Double)
        case emergencyStop
        case statusRequest
        case transferStatus(transfer: String)

        static func == (lhs: Action, rhs: Action) -> Bool {
            switch (lhs, rhs) {
            case (.startJob(let a, let x), .startJob(let b, let y)): a == b && x == y
            case (.pause(let a), .pause(let b)), (.resume(let a), .resume(let b)), (.cancel(let a), .cancel(let b)): a == b
            case (.gcode(let a), .gcode(let b)): a.map(\.line) == b.map(\.line)
            case (.setTemperature(let h, let t), .setTemperature(let i, let u)): h == i && t == u
            case (.emergencyStop, .emergencyStop), (.statusRequest, .statusRequest): true
            case (.transferStatus(let a), .transferStatus(let b)): a == b
            default: false
            }
        }

        /// The command's name on the wire.
        var name: String {
            switch self {
            case .startJob: "start_job"
            case .pause: "pause"
            case .resume: "resume"
            case .cancel: "cancel"
            case .gcode: "gcode"
            case .setTemperature: "set_temperature"
            case .emergencyStop: "emergency_stop"
            case .statusRequest: "status_request"
            case .transferStatus: "transfer_status"
            }
        }
    }

    /// Where a `start_job` file comes from.
    enum JobSource: Sendable, Equatable {
        /// A job already queued on this printer (a file delivered with `"start": false`).
        case queuedJob(Int64)
        /// Chunks on `<printer>/files/<transfer>/<index>`.
        case chunks(FileTransferAnnouncement)
        /// An http(s) URL, fetched with `Range` resumption.
        case download(url: String, sha256: String, sizeBytes: Int64?)
    }

    struct JobOptions: Sendable, Equatable {
        /// The job's name; the transfer id or the URL's last path segment when absent.
        var name: String?
        /// Start printing once queued (the default); `false` only queues the job.
        var start = true
        /// Queue a file that breaks the printer's limits (`jobs submit --force`).
        var force = false
    }

    /// A heater a `set_temperature` may set.
    enum Heater: Sendable, Equatable, CustomStringConvertible {
        /// Extruder `n` (`T0`…`T7`): `M104 T<n> S<celsius>`.
        case hotend(Int)
        /// `B`: `M140 S<celsius>`.
        case bed

        var description: String {
            switch self {
            case .hotend(let index): "T\(index)"
            case .bed: "B"
            }
        }

        /// The G-code that sets it without waiting (a waiting `M109` would hold the printer's
        /// queue, and the command's reply does not wait for temperatures anyway).
        func line(targetCelsius: Double) -> String {
            let celsius = targetCelsius.rounded() == targetCelsius ? String(Int(targetCelsius)) : String(targetCelsius)
            return switch self {
            case .hotend(let index): "M104 T\(index) S\(celsius)"
            case .bed: "M140 S\(celsius)"
            }
        }
    }
}

/// A command's `id` as sent, so the reply carries the very same JSON value.
enum FleetCommandID: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case integer(Int64)

    var json: JSONValue {
        switch self {
        case .string(let text): .string(text)
        case .integer(let value): .integer(value)
        }
    }

    var description: String {
        switch self {
        case .string(let text): "\"\(text)\""
        case .integer(let value): String(value)
        }
    }
}
