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
/// Writes are buffered and flushed every 64 KiB, at the end, and when the stream stops.
/// `Sendable` (its state behind a lock) so a log can be attached to a running link from
/// another thread; only the link's thread writes lines.
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

    private struct State {
        var buffer: [UInt8] = []
        var origin: MonotonicInstant?
        var failure: Failure?
    }

    public let path: String
    private let descriptor: Int32
    private let state = Mutex(State())

    /// The first write error; logging stops there rather than failing the print.
    public var failure: Failure? { state.withLock { $0.failure } }

    public init(path: String) throws(Failure) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .cannotCreate(path: path, reason: GCodeFileReader.reason(errno)) }
        state.withLock { $0.buffer.reserveCapacity(1 << 16) }
    }

    deinit {
        flush()
        close(descriptor)
    }

    func sent(_ transmission: HostProtocol.Transmission, at now: MonotonicInstant) {
        // The hello's leading newline (which ends a previous session's half line) is not a line.
        var text = String(decoding: transmission.bytes.dropLast().drop { $0 == UInt8(ascii: "\n") }, as: UTF8.self)
        if case .line(_, let sourceLine, let isRetransmission) = transmission.kind, sourceLine > 0 {
            text += isRetransmission ? "   ; resent, \(sourceLine)" : "   ; \(sourceLine): \(transmission.original)"
        }
        append(now, ">", text)
    }

    func received(_ line: Substring, at now: MonotonicInstant) {
        append(now, "<", String(line))
    }

    func flush() {
        state.withLock { write(&$0) }
    }

    private func write(_ state: inout State) {
        guard state.failure == nil else { return }
        var offset = 0
        while offset < state.buffer.count {
            let written = state.buffer[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                state.failure = .writeFailed(path: path, reason: GCodeFileReader.reason(errno))
                break
            }
            offset += written
        }
        state.buffer.removeAll(keepingCapacity: true)
    }

    private func append(_ now: MonotonicInstant, _ direction: String, _ text: String) {
        state.withLock { state in
            guard state.failure == nil else { return }
            let start = state.origin ?? now
            state.origin = start
            let micros = (now - start).nanosecondsClamped / 1000
            let seconds = String(micros / 1_000_000)
            let fraction = String(micros % 1_000_000)
            let stamp = String(repeating: " ", count: max(0, 6 - seconds.count)) + seconds + "."
                + String(repeating: "0", count: 6 - fraction.count) + fraction
            state.buffer.append(contentsOf: "\(stamp) \(direction) \(text)\n".utf8)
            if state.buffer.count >= 1 << 16 { write(&state) }
        }
    }
}
