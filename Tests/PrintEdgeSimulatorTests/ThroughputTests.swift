import Glibc
import PrintEdgeCore
import PrintEdgeSimulator
import Testing

/// How many bytes a second of host traffic the model processes on this machine. It
/// asserts only correctness; the figure is printed for the report (`swift test -c release`).
@Suite struct ThroughputTests {
    @Test func characterCountingHostStreamsWithoutLossAtOneMegabaud() {
        var configuration = VirtualMarlinConfiguration()
        configuration.baudRate = 1_000_000
        configuration.speedup = 1_000_000
        configuration.printsBannerAtStart = false
        configuration.recordsExecutionLog = false
        var printer = VirtualMarlin(configuration: configuration, start: .zero)

        // PRINTEDGE_THROUGHPUT_LINES raises the count for a measurement run.
        let lineCount = getenv("PRINTEDGE_THROUGHPUT_LINES").flatMap { Int(String(cString: $0)) } ?? 3_000
        var lines: [[UInt8]] = []
        lines.reserveCapacity(lineCount)
        for number in 1...lineCount {
            lines.append(Array(framed(number, "G1 X\(number % 200).\(number % 7) Y\(number % 150).25 E\(number).5 F9000").utf8))
        }
        var inFlight: [Int] = []  // byte counts of unacknowledged lines
        var inFlightBytes = 0
        var next = 0
        var clock = MonotonicInstant.zero
        var output: [UInt8] = []
        var oks = 0
        var lineStart: [UInt8] = []
        var bytesWritten = 0
        let started = MonotonicInstant.now()
        while oks < lineCount {
            // GRBL-style character counting, within the 127 bytes the ring holds.
            while next < lineCount && inFlightBytes + lines[next].count <= 127 && inFlight.count < 4 {
                printer.hostWrote(lines[next], at: clock)
                inFlight.append(lines[next].count)
                inFlightBytes += lines[next].count
                bytesWritten += lines[next].count
                next += 1
            }
            guard let event = printer.nextEventInstant else { break }
            clock = event
            output.removeAll(keepingCapacity: true)
            printer.advance(to: clock, appendingOutputTo: &output)
            for byte in output {
                if byte == UInt8(ascii: "\n") {
                    if lineStart == Array("ok".utf8) {
                        oks += 1
                        inFlightBytes -= inFlight.removeFirst()
                    }
                    lineStart.removeAll(keepingCapacity: true)
                } else if lineStart.count < 2 {
                    lineStart.append(byte)
                }
            }
        }
        let wall = (MonotonicInstant.now() - started).seconds
        let statistics = printer.statistics
        #expect(oks == lineCount)
        #expect(statistics.linesExecuted == lineCount)
        #expect(statistics.overrunBytes == 0)
        #expect(statistics.checksumErrors == 0)
        let virtualSeconds = (clock - .zero).seconds
        print(
            "VirtualMarlin throughput: \(bytesWritten) bytes in \(wall) s wall = \(Int(Double(bytesWritten) / wall)) bytes/s "
                + "(virtual \(virtualSeconds) s, \(Int(Double(bytesWritten) / virtualSeconds)) bytes/s on the wire)")
    }
}

extension MonotonicInstant {
    static func now() -> MonotonicInstant {
        var time = timespec()
        _ = clock_gettime(CLOCK_MONOTONIC, &time)
        return MonotonicInstant(nanoseconds: Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec))
    }
}
