#if canImport(Glibc)
import Glibc
#endif
import PrintEdgeCore
import Synchronization

/// Every line written to the printer and every line it answered, timestamped: the serial
/// log a technician reads when a print went wrong (OctoPrint's `serial.log`, with the file's
/// own text beside each line sent).
///
/// ```
///     0.412318 > N57 G1 X10 Y20*57   ; 55: G1 X10 Y20 ; outer perimeter
///     0.414020 < ok
///     0.930101 > N57 G1 X10 Y20*57   ; resent, 55
/// ```
/// Stamps are seconds since the log's first line. Lines go to a file (`printedge stream --log`,
/// a printer's `serial_log`), rotated to `<path>.1` past `maxFileBytes`, and to whoever follows
/// the traffic live (`printedge log serial --follow`). File writes are buffered and flushed every
/// 64 KiB, at the end, and when the stream stops; a write error stops the file, never the print.
/// `Sendable` (its state behind a lock) so followers come and go from any thread; only the
/// link's thread writes lines.
public final class SerialLog: Sendable {
    public enum Failure: Error, Sendable, CustomStringConvertible {
        case cannotCreate(path: String, reason: String)
        case writeFailed(path: String, reason: String)

        public var description: String {
            switch self {
            case .cannotCreate(let path, let reason): "cannot create the serial log \(path): \(reason)"
            case .writeFailed(let path, let reason): "writing the serial log \(path) failed: \(reason) (disk full?)"
            }
        }
    }

    public typealias Follower = @Sendable (String) -> Void

    private struct File {
        var descriptor: Int32
        /// Bytes in the current file, the buffer included.
        var size = 0
        var buffer: [UInt8] = []
    }

    private struct State {
        var file: File?
        var origin: MonotonicInstant?
        var failure: Failure?
        var followers: [Int: Follower] = [:]
        var nextFollower = 0
    }

    /// The file, or `nil` for a log that only feeds followers.
    public let path: String?
    /// Past this many bytes the file becomes `<path>.1` (replacing an older one) and a new one
    /// starts; `nil`: no limit.
    public let maxFileBytes: Int?
    private let state: Mutex<State>

    public init(path: String, maxFileBytes: Int? = nil) throws(Failure) {
        self.path = path
        self.maxFileBytes = maxFileBytes
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .cannotCreate(path: path, reason: GCodeFileReader.reason(errno)) }
        var file = File(descriptor: descriptor)
        file.buffer.reserveCapacity(1 << 16)
        state = Mutex(State(file: file))
    }

    /// A log without a file: lines reach followers only.
    public init() {
        path = nil
        maxFileBytes = nil
        state = Mutex(State())
    }

    deinit {
        state.withLock { state in
            guard var file = state.file else { return }
            write(&file, failure: &state.failure)
            close(file.descriptor)
        }
    }

    /// The first write error; the file stops there rather than failing the print.
    public var failure: Failure? { state.withLock { $0.failure } }

    /// Whether anything reads what is logged: a file, or a follower.
    public var isRecording: Bool { state.withLock { $0.file != nil || !$0.followers.isEmpty } }

    /// `follower` gets every line from now on, formatted as in the file, until `unfollow`.
    public func follow(_ follower: @escaping Follower) -> Int {
        state.withLock { state in
            state.nextFollower += 1
            state.followers[state.nextFollower] = follower
            return state.nextFollower
        }
    }

    public func unfollow(_ token: Int) {
        _ = state.withLock { $0.followers.removeValue(forKey: token) }
    }

    /// A line of the log's own, marked `#`: a connection opened, closed.
    public func note(_ text: String, at now: MonotonicInstant) {
        append(now, "#", text)
    }

    func sent(_ transmission: HostProtocol.Transmission, at now: MonotonicInstant) {
        // One write may carry several lines (the handshake's pair); the hello's leading newline,
        // which ends a previous session's half line, is not a line.
        var lines = transmission.bytes.split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }
        guard !lines.isEmpty else { return }
        if case .line(_, let sourceLine, let isRetransmission) = transmission.kind, sourceLine > 0 {
            lines[lines.count - 1] += isRetransmission ? "   ; resent, \(sourceLine)" : "   ; \(sourceLine): \(transmission.original)"
        }
        for line in lines { append(now, ">", line) }
    }

    func received(_ line: Substring, at now: MonotonicInstant) {
        append(now, "<", String(line))
    }

    /// Writes what is buffered to the file.
    public func flush() {
        state.withLock { state in
            guard var file = state.file else { return }
            write(&file, failure: &state.failure)
            state.file = file
        }
    }

    private func write(_ file: inout File, failure: inout Failure?) {
        guard failure == nil, let path else { return }
        var offset = 0
        while offset < file.buffer.count {
            let written = file.buffer[offset...].withUnsafeBytes { Glibc.write(file.descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                failure = .writeFailed(path: path, reason: GCodeFileReader.reason(errno))
                break
            }
            offset += written
        }
        file.buffer.removeAll(keepingCapacity: true)
    }

    /// The full file becomes `<path>.1`; lines go on in a new one.
    private func rotate(_ file: inout File, failure: inout Failure?) {
        guard let path else { return }
        write(&file, failure: &failure)
        close(file.descriptor)
        _ = rename(path, path + ".1")
        file.descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        file.size = 0
        if file.descriptor < 0 { failure = .cannotCreate(path: path, reason: GCodeFileReader.reason(errno)) }
    }

    private func append(_ now: MonotonicInstant, _ direction: String, _ text: String) {
        let delivery = state.withLock { state -> (line: String, followers: [Follower])? in
            guard state.file != nil || !state.followers.isEmpty else { return nil }
            let start = state.origin ?? now
            state.origin = start
            let line = Self.line(since: start, now: now, direction, text)
            if var file = state.file, state.failure == nil {
                file.buffer.append(contentsOf: line.utf8)
                file.buffer.append(UInt8(ascii: "\n"))
                file.size += line.utf8.count + 1
                if file.buffer.count >= 1 << 16 { write(&file, failure: &state.failure) }
                if let maxFileBytes, file.size >= maxFileBytes { rotate(&file, failure: &state.failure) }
                state.file = file
            }
            return (line, Array(state.followers.values))
        }
        guard let delivery else { return }
        // Outside the lock: a follower may take its time, and may unfollow.
        for follower in delivery.followers { follower(delivery.line) }
    }

    private static func line(since start: MonotonicInstant, now: MonotonicInstant, _ direction: String, _ text: String) -> String {
        let micros = (now - start).nanosecondsClamped / 1000
        let seconds = String(micros / 1_000_000)
        let fraction = String(micros % 1_000_000)
        let stamp = String(repeating: " ", count: max(0, 6 - seconds.count)) + seconds + "."
            + String(repeating: "0", count: 6 - fraction.count) + fraction
        return "\(stamp) \(direction) \(text)"
    }
}
