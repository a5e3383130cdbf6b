import PrintEdgeControl

/// Every status `printedge` exits with, in one table: 0–3 say how a job ended (`jobs
/// follow`, `watch`, `stream`), the rest are sysexits(3) codes, so a script tells a typo from
/// a busy printer from a stopped daemon without reading the message. `printedge --help` and
/// the README print this table.
enum ExitStatus: Int32, CaseIterable {
    case success = 0
    case jobFailed = 1
    case jobCancelled = 2
    case jobInterrupted = 3
    case usage = 64
    case dataError = 65
    case noInput = 66
    case unknownPrinter = 67
    case unavailable = 69
    case software = 70
    case cannotCreate = 73
    case ioError = 74
    case temporaryFailure = 75
    case protocolError = 76
    case noPermission = 77
    case configuration = 78
    case interrupted = 130

    /// One line each, short enough for an 80-column `--help`.
    var meaning: String {
        switch self {
        case .success: "done; a followed job completed"
        case .jobFailed: "failed: a job (or aborted), a stream, a calibration"
        case .jobCancelled: "the job was cancelled"
        case .jobInterrupted: "the job was interrupted: `printedge jobs recover` it"
        case .usage: "a wrong option or value (EX_USAGE)"
        case .dataError: "G-code refused: limits, a line too long, unknown command (EX_DATAERR)"
        case .noInput: "no such file or job (EX_NOINPUT)"
        case .unknownPrinter: "no such printer (EX_NOUSER)"
        case .unavailable: "printedged not running, or the printer not connected (EX_UNAVAILABLE)"
        case .software: "printedged failed internally (EX_SOFTWARE)"
        case .cannotCreate: "a file cannot be created (EX_CANTCREAT)"
        case .ioError: "the database, the disk or a device failed (EX_IOERR)"
        case .temporaryFailure: "not now: busy, or the wrong state for it (EX_TEMPFAIL)"
        case .protocolError: "the CLI and printedged are of different releases? (EX_PROTOCOL)"
        case .noPermission: "no permission for the socket or a device (EX_NOPERM)"
        case .configuration: "not configured: no [gpio] relay, no [mqtt] link (EX_CONFIG)"
        case .interrupted: "stopped by Ctrl-C or SIGTERM"
        }
    }

    /// The table as `--help`, the man page and the README show it: every line indented, so
    /// the man page keeps one line per status.
    static var table: String {
        allCases.map { status in
            let code = String(status.rawValue)
            return String(repeating: " ", count: 5 - code.count) + code + "  " + status.meaning
        }.joined(separator: "\n")
    }

    /// The status a refusal of the daemon exits with.
    init(_ code: ControlError.Code) {
        self =
            switch code {
            case .badRequest: .usage
            case .unknownCommand: .protocolError
            case .unknownPrinter: .unknownPrinter
            case .unknownJob: .noInput
            case .busy, .refused: .temporaryFailure
            case .notConnected: .unavailable
            case .rejectedFile, .firmwareError: .dataError
            case .unreadableFile: .noInput
            case .notConfigured: .configuration
            case .storage: .ioError
            case .calibrationFailed: .jobFailed
            case .internal: .software
            }
    }

    /// The status a job that ended like this exits `follow` with; `nil` while it runs.
    init?(jobState state: String) {
        switch state {
        case "completed": self = .success
        case "failed", "aborted": self = .jobFailed
        case "cancelled": self = .jobCancelled
        case "interrupted": self = .jobInterrupted
        default: return nil
        }
    }
}

/// A failure `printedge` reports as one line on standard error and `status`.
struct CLIFailure: Error, CustomStringConvertible {
    var status: ExitStatus
    var message: String

    init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    var description: String { message }

    /// What a failure to reach or understand the daemon means for the exit status.
    init(_ failure: ControlClient.Failure) {
        switch failure {
        case .daemonNotRunning, .connectionLost, .socket: self.init(.unavailable, failure.description)
        case .permissionDenied: self.init(.noPermission, failure.description)
        case .badReply: self.init(.protocolError, failure.description)
        }
    }

    init(_ error: ControlError) {
        self.init(ExitStatus(error.code), error.message)
    }
}
