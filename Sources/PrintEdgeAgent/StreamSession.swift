import PrintEdgeCore
import PrintEdgeSerial

/// Streams one G-code file into a printer: the I/O loop around `HostProtocol`.
///
/// One thread, one ppoll: the port (readable, and writable while bytes wait), the stop
/// descriptor, and the protocol's next deadline as the timeout. The file is read through a
/// fixed buffer a few dozen lines ahead of the wire, so memory does not grow with the job.
public final class StreamSession {
    public struct Options: Sendable {
        public var protocolConfiguration = HostProtocol.Configuration()
        public var progressInterval: Duration = .milliseconds(250)
        /// How often the port's path is checked: a removed node does not always hang up the fd.
        public var presenceCheckInterval: Duration = .seconds(1)

        public init() {}
    }

    public enum Observation: Sendable {
        case event(HostProtocol.Event)
        case progress(StreamProgress, elapsed: Duration)
    }

    public let job: StreamJob
    public let options: Options
    private let port: SerialPort
    private let stopSignal: WakeupPipe
    /// Where every line sent and received goes, if anywhere (single owner, like the port).
    private let serialLog: SerialLog?

    public init(job: StreamJob, port: SerialPort, options: Options, stopSignal: WakeupPipe, serialLog: SerialLog? = nil) {
        self.job = job
        self.port = port
        self.options = options
        self.stopSignal = stopSignal
        self.serialLog = serialLog
    }

    public func run(observe: (Observation) -> Void) throws(StreamFailure) -> StreamSummary {
        // The end of the log matters most when the stream fails: flush on every way out.
        defer { serialLog?.flush() }
        let reader: GCodeFileReader
        do {
            reader = try GCodeFileReader(path: job.path)
        } catch {
            throw .file(error)
        }
        var preflight = GCodePreflight(maxFramedBytes: job.maxFramedBytes)
        var machine = HostProtocol(configuration: options.protocolConfiguration)
        var output = OutputBuffer()
        var replies = ReplyAssembler()
        var readBuffer = [UInt8](repeating: 0, count: 4096)
        var poll = PollSet()
        let portSlot = poll.add(port.fileDescriptor, interest: .readable)
        let stopSlot = poll.add(stopSignal.fileDescriptor, interest: .readable)

        let began = MonotonicInstant.now()
        var streamingSince = began
        var nextProgress = began + options.progressInterval
        var nextPresenceCheck = began + options.presenceCheckInterval
        machine.start(at: began)

        func disconnected(_ reason: String) -> StreamFailure {
            .disconnected(path: port.path, reason: reason, lastAcknowledgedLine: machine.progress.linesAcknowledged,
                          totalLines: job.commands)
        }

        while true {
            var now = MonotonicInstant.now()
            while machine.wantsMoreLines {
                let raw: ArraySlice<UInt8>?
                do {
                    raw = try reader.nextLine()
                } catch {
                    throw .file(error)
                }
                guard let raw else {
                    machine.finishInput()
                    break
                }
                do {
                    if let command = try preflight.check(rawLine: raw) {
                        let original = serialLog == nil ? "" : String(decoding: raw, as: UTF8.self)
                        machine.enqueue(GCodeLine(sourceLine: reader.sourceLine, command: command, original: original))
                    }
                } catch {
                    throw .rejected(error, path: job.path)
                }
            }
            while output.pendingByteCount < OutputBuffer.highWater, let transmission = machine.nextTransmission(at: now) {
                output.append(transmission.bytes)
                serialLog?.sent(transmission, at: now)
            }
            if output.pendingByteCount > 0 {
                do throws(SerialError) {
                    try output.write(to: port)
                } catch {
                    throw disconnected(Self.reason(error))
                }
            }
            if machine.isTerminal && output.pendingByteCount == 0 { break }

            var wakeAt = min(nextProgress, nextPresenceCheck)
            if let deadline = machine.nextDeadline { wakeAt = min(wakeAt, deadline) }
            poll.setInterest(output.pendingByteCount > 0 ? [.readable, .writable] : .readable, forSlot: portSlot)
            do {
                _ = try poll.wait(timeout: max(.zero, wakeAt - now))
            } catch {
                throw .port(error)
            }
            now = MonotonicInstant.now()

            let readiness = poll.readiness(ofSlot: portSlot)
            if readiness.contains(.invalid) { throw disconnected("the port's descriptor became invalid") }
            if !readiness.isDisjoint(with: [.readable, .hangup, .error]) {
                while true {
                    let count: Int
                    do throws(SerialError) {
                        count = try port.read(into: &readBuffer)
                    } catch {
                        throw disconnected(Self.reason(error))
                    }
                    if count == 0 { break }
                    replies.append(readBuffer[0..<count]) { line in
                        serialLog?.received(line, at: now)
                        if let event = machine.replyReceived(line, at: now) {
                            if case .identified = event { streamingSince = now }
                            observe(.event(event))
                        }
                    }
                }
            }
            if poll.readiness(ofSlot: stopSlot).contains(.readable) {
                stopSignal.drain()
                machine.stop()
                output.dropLinesNotStarted()
            }
            if let event = machine.clockAdvanced(to: now) {
                observe(.event(event))
            }
            if now >= nextPresenceCheck {
                nextPresenceCheck = now + options.presenceCheckInterval
                if !port.isDevicePresent() { throw disconnected("\(port.path) disappeared") }
            }
            if now >= nextProgress {
                nextProgress = now + options.progressInterval
                observe(.progress(machine.progress, elapsed: now - streamingSince))
            }
        }

        let elapsed = MonotonicInstant.now() - streamingSince
        observe(.progress(machine.progress, elapsed: elapsed))
        let progress = machine.progress
        switch machine.status {
        case .finished:
            return StreamSummary(progress: progress, elapsed: elapsed)
        case .failed(let error):
            throw .protocolFailure(error)
        case .stopped:
            throw .interrupted(lastAcknowledgedLine: progress.linesAcknowledged, totalLines: job.commands)
        case .emergencyStopped:
            throw .emergencyStopped(lastAcknowledgedLine: progress.linesAcknowledged)
        case .idle, .handshaking, .streaming, .pausedByPrinter:
            preconditionFailure("StreamSession left its loop in \(machine.status)")
        }
    }

    private static func reason(_ error: SerialError) -> String {
        if case .disconnected(_, let reason) = error { return reason }
        return error.description
    }
}

/// Bytes handed out by the protocol and not yet taken by the driver, with the line
/// boundaries kept so a stop can drop whole lines but never cut one.
struct OutputBuffer {
    static let highWater = 4096
    private var bytes: [UInt8] = []
    private var offset = 0
    private var lines = RingBuffer<Range<Int>>(capacity: 64)

    var pendingByteCount: Int { bytes.count - offset }

    mutating func append(_ line: [UInt8]) {
        if offset == bytes.count {
            bytes.removeAll(keepingCapacity: true)
            offset = 0
            lines.removeAll()
        }
        let start = bytes.count
        bytes.append(contentsOf: line)
        lines.append(start..<bytes.count)
    }

    /// Writes what the driver takes now and forgets it.
    mutating func write(to port: SerialPort) throws(SerialError) {
        let start = offset
        let result: Result<Int, SerialError> = bytes.withUnsafeBytes { raw in
            do throws(SerialError) {
                return .success(try port.write(UnsafeRawBufferPointer(rebasing: raw[start...])))
            } catch {
                return .failure(error)
            }
        }
        consume(try result.get())
    }

    mutating func consume(_ count: Int) {
        offset += count
        while let line = lines.first, line.upperBound <= offset { lines.popFirst() }
    }

    /// Keeps the rest of the line being written, if one is half out, and drops the lines
    /// not begun.
    mutating func dropLinesNotStarted() {
        guard let current = lines.first else { return }
        let keep = offset > current.lowerBound ? current.upperBound : offset
        bytes.removeSubrange(keep...)
        lines.removeAll()
        if keep > offset { lines.append(current) }
    }
}

extension SerialPort {
    /// Reads into the whole of `buffer`; see `read(into:)`.
    func read(into buffer: inout [UInt8]) throws(SerialError) -> Int {
        let result: Result<Int, SerialError> = buffer.withUnsafeMutableBytes { raw in
            do throws(SerialError) {
                return .success(try read(into: raw))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

/// Splits the bytes read from the port into reply lines.
struct ReplyAssembler {
    /// Longer "lines" are noise or binary junk; they are cut rather than buffered forever.
    static let maxLineBytes = 1024
    private var partial: [UInt8] = []

    mutating func append(_ chunk: ArraySlice<UInt8>, line emit: (Substring) -> Void) {
        var start = chunk.startIndex
        while let newline = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) {
            partial.append(contentsOf: chunk[start..<newline])
            deliver(emit)
            start = newline + 1
        }
        partial.append(contentsOf: chunk[start...])
        if partial.count > Self.maxLineBytes { deliver(emit) }
    }

    private mutating func deliver(_ emit: (Substring) -> Void) {
        if partial.last == UInt8(ascii: "\r") { partial.removeLast() }
        if !partial.isEmpty {
            emit(String(decoding: partial, as: UTF8.self)[...])
        }
        partial.removeAll(keepingCapacity: true)
    }
}
