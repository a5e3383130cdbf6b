import PrintEdgeCore
import PrintEdgeSimulator

/// A host's view of a `VirtualMarlin` on a virtual clock: write text, let time pass, read
/// back whole reply lines with the instant their newline reached the host.
struct PrinterRig {
    var printer: VirtualMarlin
    var clock = MonotonicInstant.zero
    private var partial: [UInt8] = []

    init(banner: Bool = false, _ configure: (inout VirtualMarlinConfiguration) -> Void = { _ in }) {
        var configuration = VirtualMarlinConfiguration()
        configuration.printsBannerAtStart = banner
        configuration.firstMoveDelay = .zero
        // G28 is the tests' way to block the main loop; one second keeps it under the
        // keepalive interval.
        configuration.homingDuration = .seconds(1)
        configure(&configuration)
        printer = VirtualMarlin(configuration: configuration, start: .zero)
    }

    /// Writes text now.
    mutating func send(_ text: String) {
        printer.hostWrote(Array(text.utf8), at: clock)
    }

    /// Writes a framed line now: `N<n> <command>*<checksum>`.
    mutating func sendNumbered(_ number: Int, _ command: String) {
        send(framed(number, command))
    }

    /// Lets `duration` pass; returns the lines completed meanwhile.
    mutating func run(for duration: Duration) -> [String] {
        timedRun(for: duration).map(\.line)
    }

    /// Lets `duration` pass event by event; returns each completed line with the instant
    /// its newline arrived.
    mutating func timedRun(for duration: Duration) -> [(at: MonotonicInstant, line: String)] {
        let end = clock + duration
        var lines: [(at: MonotonicInstant, line: String)] = []
        while let next = printer.nextEventInstant, next <= end {
            clock = max(clock, next)
            collect(printer.advance(to: clock), at: clock, into: &lines)
        }
        clock = end
        collect(printer.advance(to: clock), at: clock, into: &lines)
        return lines
    }

    /// Presses the board's reset button now; returns the lines completed by then.
    mutating func resetBoard() -> [String] {
        var output: [UInt8] = []
        printer.resetBoard(at: clock, appendingOutputTo: &output)
        var lines: [(at: MonotonicInstant, line: String)] = []
        collect(output, at: clock, into: &lines)
        return lines.map(\.line)
    }

    /// Runs until nothing is left to happen (or `limit` passes).
    mutating func runUntilIdle(limit: Duration = .seconds(3600)) -> [String] {
        let end = clock + limit
        var lines: [(at: MonotonicInstant, line: String)] = []
        while let next = printer.nextEventInstant, next <= end {
            clock = max(clock, next)
            collect(printer.advance(to: clock), at: clock, into: &lines)
        }
        return lines.map(\.line)
    }

    private mutating func collect(_ bytes: [UInt8], at instant: MonotonicInstant, into lines: inout [(at: MonotonicInstant, line: String)]) {
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                lines.append((instant, String(decoding: partial, as: UTF8.self)))
                partial.removeAll()
            } else {
                partial.append(byte)
            }
        }
    }
}

/// `N<number> <command>*<checksum>\n` with the checksum hosts compute.
func framed(_ number: Int, _ command: String) -> String {
    let body = "N\(number) \(command)"
    return body + "*\(checksum(body))\n"
}

func checksum(_ text: String) -> UInt8 {
    text.utf8.reduce(0, ^)
}

/// Nanoseconds a byte takes at `baud`, 10 bits.
func byteNanoseconds(_ count: Int, baud: Int) -> Int64 {
    (Int64(count) * 10_000_000_000 + Int64(baud) - 1) / Int64(baud)
}

extension PrinterRig {
    /// Sends one command and runs until the printer is idle again; the lines it printed,
    /// keepalives left out.
    mutating func command(_ text: String) -> [String] {
        send(text + "\n")
        return runUntilIdle().filter { $0 != "echo:busy: processing" }
    }

    /// A printer for calibration tests: no probe scatter (exact figures), motion logged.
    static func calibration(_ configure: (inout VirtualMarlinConfiguration) -> Void = { _ in }) -> PrinterRig {
        PrinterRig {
            $0.probeScatterMillimetres = 0
            $0.recordsMotionLog = true
            configure(&$0)
        }
    }
}

/// A mesh from rows written as on the bilinear grid: `rows[0]` is the front row (Y min).
func mesh(rows: [[Double?]], minX: Double = 10, maxX: Double = 210, minY: Double = 10, maxY: Double = 210) -> BedMesh {
    var mesh = BedMesh(pointsX: rows[0].count, pointsY: rows.count, minX: minX, maxX: maxX, minY: minY, maxY: maxY)
    for (y, row) in rows.enumerated() {
        for (x, value) in row.enumerated() { mesh[x, y] = value }
    }
    return mesh
}
