import PrintEdgeControl

/// Why a fleet command was refused: the `error` of its reply. The message says what was
/// wrong and what would be right (the field, the type expected, the values allowed); `field`
/// names the JSON member at fault, so a fleet console can point at it.
struct FleetCommandError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable codes a fleet program may switch on (docs/mqtt-commands.md, "Errors").
    enum Code: String, Sendable, CaseIterable {
        /// The payload is not JSON (the message gives the byte offset).
        case badJSON = "bad_json"
        /// JSON, but not a command: a field missing, of the wrong type, out of range, unknown.
        case badRequest = "bad_request"
        case unknownCommand = "unknown_command"
        /// Longer than `max_command_bytes`; not read at all.
        case payloadTooLarge = "payload_too_large"
        /// The topic names a printer this daemon does not have.
        case unknownPrinter = "unknown_printer"
        case unknownJob = "unknown_job"
        /// The printer is doing something that excludes the command (a job while printing).
        case busy
        case notConnected = "not_connected"
        /// The printer or the job cannot do it now (pause with nothing printing, a file
        /// outside the build volume, a GPIO interlock).
        case refused
        /// A `gcode` line holds a command outside the allow-list in force.
        case gcodeNotAllowed = "gcode_not_allowed"
        /// The delivered file's SHA-256 is not the one announced.
        case sha256Mismatch = "sha256_mismatch"
        /// A chunk or `transfer_status` names a transfer this daemon does not hold.
        case unknownTransfer = "unknown_transfer"
        /// A chunk does not fit its transfer (index out of range, wrong length).
        case badChunk = "bad_chunk"
        /// The transfer was not completed within `transfer_expiry_s`.
        case transferExpired = "transfer_expired"
        /// `max_transfers` deliveries are already under way.
        case tooManyTransfers = "too_many_transfers"
        /// The URL could not be fetched after every attempt.
        case downloadFailed = "download_failed"
        /// The database or the disk refused the write.
        case storage
        case `internal`
    }

    var code: Code
    var message: String
    var field: String?

    init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    /// The same refusal the control socket would give, in the fleet's vocabulary.
    init(_ error: ControlError) {
        let code: Code =
            switch error.code {
            case .badRequest: .badRequest
            case .unknownCommand: .unknownCommand
            case .unknownPrinter: .unknownPrinter
            case .unknownJob: .unknownJob
            case .busy: .busy
            case .notConnected: .notConnected
            // The fleet's vocabulary keeps one code for every "cannot do it": its consoles
            // switch on it (docs/mqtt-commands.md); the message says which.
            case .refused, .rejectedFile, .unreadableFile, .notConfigured: .refused
            case .storage: .storage
            // A `gcode` command is answered when its lines are queued, before the printer could refuse them.
            case .firmwareError: .refused
            // The fleet starts no calibration: only a person at the printer can answer one.
            case .calibrationFailed: .refused
            case .internal: .internal
            }
        self.init(code, error.message)
    }

    var description: String { "\(code.rawValue): \(message)" }
}
