import PrintEdgeCore
/// The object `printedge stream --json` prints, whatever happened: the stable interface for
/// fleet tooling and the benchmarks. Keys are snake_case; new keys may be added, none renamed.
public struct StreamReport: Codable, Sendable, Equatable {
    public var completed: Bool
    public var file: String?
    public var port: String?
    public var baud: Int?
    /// File commands the firmware took.
    public var lines: Int
    public var linesTotal: Int?
    /// Every byte written, retransmissions and syncs included.
    public var bytesSent: Int
    /// Lines written again.
    public var resends: Int
    public var resendRequests: Int
    public var lineErrors: Int
    public var timeouts: Int
    /// From the end of the handshake to the final acknowledgement.
    public var elapsedSeconds: Double
    public var linesPerSecond: Double
    public var flow: String?
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case completed, file, port, baud, lines, flow, error, resends, timeouts
        case linesTotal = "lines_total"
        case bytesSent = "bytes_sent"
        case resendRequests = "resend_requests"
        case lineErrors = "line_errors"
        case elapsedSeconds = "elapsed_s"
        case linesPerSecond = "lines_per_s"
    }

    /// The report of a stream that completed.
    public init(_ summary: StreamSummary, job: StreamJob, port: String, baud: Int) {
        let progress = summary.progress
        completed = true
        file = job.path
        self.port = port
        self.baud = baud
        lines = progress.linesAcknowledged
        linesTotal = job.commands
        bytesSent = progress.bytesSent
        resends = progress.retransmittedLines
        resendRequests = progress.resendRequests
        lineErrors = progress.lineErrors
        timeouts = progress.timeouts
        elapsedSeconds = Self.rounded(summary.elapsed.seconds)
        linesPerSecond = Self.rounded(summary.linesPerSecond)
        flow = progress.flow?.rawValue
        error = nil
    }

    /// The report of a stream that did not complete.
    public init(_ failure: StreamFailure, file: String, port: String, baud: Int) {
        completed = false
        self.file = file
        self.port = port
        self.baud = baud
        lines = 0
        linesTotal = nil
        switch failure {
        case .disconnected(_, _, let last, let total), .interrupted(let last, let total):
            lines = last
            linesTotal = total
        case .emergencyStopped(let last):
            lines = last
        case .protocolFailure(let protocolError):
            lines = protocolError.lastAcknowledgedLine ?? 0
        case .file, .rejected, .empty, .port, .log, .jobFailed:
            break
        }
        bytesSent = 0
        resends = 0
        resendRequests = 0
        lineErrors = 0
        timeouts = 0
        elapsedSeconds = 0
        linesPerSecond = 0
        flow = nil
        error = failure.description
    }

    private static func rounded(_ value: Double) -> Double {
        (value * 1000).rounded() / 1000
    }
}

extension HostProtocolError {
    /// File lines acknowledged before the failure, when the failure happened mid-stream.
    public var lastAcknowledgedLine: Int? {
        switch self {
        case .notResponding(_, let line), .firmwareReset(let line), .printerHalted(_, let line),
             .thermalError(_, let line), .cancelledByPrinter(let line):
            line
        case .noResponse, .resendOutOfHistory, .resendStuck:
            nil
        }
    }
}
