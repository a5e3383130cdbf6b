import Logging

/// Which records `printedge logs` shows: one printer's, one job's, from a time on, at a
/// level or worse. A record without the field asked for is not shown: a `--printer` filter
/// is about that printer's own lines.
public struct LogFilter: Sendable, Equatable {
    public var printer: String?
    public var job: Int64?
    public var sinceMS: Int64?
    public var minimumLevel: Logger.Level?

    public init(printer: String? = nil, job: Int64? = nil, sinceMS: Int64? = nil, minimumLevel: Logger.Level? = nil) {
        self.printer = printer
        self.job = job
        self.sinceMS = sinceMS
        self.minimumLevel = minimumLevel
    }

    public func admits(_ record: LogRecord) -> Bool {
        if let printer, record[field: "printer"] != printer { return false }
        if let job, record[field: "job"].flatMap({ Int64($0) }) != job { return false }
        if let sinceMS, let time = record.timeMS, time < sinceMS { return false }
        if let minimumLevel, record.level < minimumLevel { return false }
        return true
    }
}
