#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization

/// Writes printedged's log lines to standard error, one `write(2)` per line: with the
/// syslog priority prefix when journald reads that stream, with the time and level
/// otherwise (`LogLine`), rate-limited per kind of message (`LogRateLimiter`).
public final class JournalWriter: Sendable {
    public enum Format: Sendable, Equatable {
        /// `<4>printer=mk3s: …`: journald adds the time and pid.
        case journal
        /// `2025-03-01T14:05:12.345Z warning printer=mk3s: …`.
        case plain
    }

    /// What a message is, for the limiter and for the line that counts those left out.
    public struct Message: Sendable, Equatable {
        public var level: Logger.Level
        public var record: LogRecord
    }

    public let format: Format
    private let descriptor: Int32
    private let limiter: Mutex<LogRateLimiter<ContinuousClock.Instant, Message>>
    private let wallClockMS: @Sendable () -> Int64
    private let now: @Sendable () -> ContinuousClock.Instant

    /// `descriptor`: where lines go (standard error in the daemon, a pipe in tests).
    public init(descriptor: Int32, format: Format, policy: LogRateLimiter<ContinuousClock.Instant, Message>.Policy = .init(),
                now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now },
                wallClockMS: @escaping @Sendable () -> Int64 = JournalWriter.wallClockMS) {
        self.descriptor = descriptor
        self.format = format
        limiter = Mutex(LogRateLimiter(policy: policy))
        self.now = now
        self.wallClockMS = wallClockMS
    }

    /// Standard error, in the journal's format when `JOURNAL_STREAM` names it: systemd sets
    /// the variable to the `device:inode` of the stream it connected, and a process whose
    /// standard error was redirected since (a shell wrapper, `2>file`) must not prefix it.
    public static func standardError(environment: [String: String]) -> JournalWriter {
        JournalWriter(descriptor: STDERR_FILENO, format: isJournalStream(STDERR_FILENO, environment: environment) ? .journal : .plain)
    }

    static func isJournalStream(_ descriptor: Int32, environment: [String: String]) -> Bool {
        guard let stream = environment["JOURNAL_STREAM"] else { return false }
        let parts = stream.split(separator: ":")
        var info = stat()
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]), fstat(descriptor, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }

    public func write(_ record: LogRecord) {
        let message = Message(level: record.level, record: record)
        let action = limiter.withLock { $0.message(message, key: Self.key(record), at: now()) }
        switch action {
        case .write(let suppressions):
            for suppression in suppressions { emit(Self.summary(of: suppression)) }
            emit(record)
        case .suppress(let suppressions):
            for suppression in suppressions { emit(Self.summary(of: suppression)) }
        }
    }

    /// The kind of a message: its level, its printer and its text with every run of digits
    /// blanked, so "reconnecting in 2 s (attempt 41)" and "… in 4 s (attempt 42)" are one.
    static func key(_ record: LogRecord) -> String {
        var key = "\(record.level.rawValue) \(record[field: "printer"] ?? "-") "
        var inDigits = false
        for character in record.text {
            if character.isASCII, character.isNumber {
                if !inDigits { key.append("#") }
                inDigits = true
            } else {
                key.append(character)
                inDigits = false
            }
        }
        return key
    }

    static func summary(of suppression: LogRateLimiter<ContinuousClock.Instant, Message>.Suppression) -> LogRecord {
        let example = suppression.example.record
        let seconds = suppression.window.components.seconds
        let fields = example.fields.filter { $0.key == "printer" }
        return LogRecord(level: example.level,
                         text: "\(suppression.count) more like this in \(seconds) s left out, the last: \(example.text)",
                         fields: fields)
    }

    private func emit(_ record: LogRecord) {
        let line: String
        switch format {
        case .journal: line = LogLine.journal(level: record.level, body: record.body)
        case .plain: line = LogLine.plain(level: record.level, body: record.body, timeMS: record.timeMS ?? wallClockMS())
        }
        var bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }

    public static let wallClockMS: @Sendable () -> Int64 = {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}
