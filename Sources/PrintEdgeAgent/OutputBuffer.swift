import PrintEdgeCore
import PrintEdgeSerial

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

    /// Writes what the transport takes now and forgets it.
    mutating func write(to transport: some LinkTransport) throws(SerialError) {
        let start = offset
        let result: Result<Int, SerialError> = bytes.withUnsafeBytes { raw in
            do throws(SerialError) {
                return .success(try transport.write(UnsafeRawBufferPointer(rebasing: raw[start...])))
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
