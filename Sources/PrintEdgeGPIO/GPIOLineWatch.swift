/// Input lines `printedge gpio watch` reads edges from, and how each edge is printed.
///
/// Timestamps are the kernel's (CLOCK_MONOTONIC, since boot); each row also gives the time
/// since the same line's previous edge, which is what a bouncing switch or a chattering
/// relay shows up in.
public struct GPIOLineWatch {
    public let chip: GPIOChip
    /// The watched lines, in the order they were named.
    public let lines: [GPIOLineInfo]
    /// Each line's logical level when the watch began.
    public let initialValues: [UInt32: Bool]
    private let request: GPIOLineRequest
    private var previousTimestamps: [UInt32: UInt64] = [:]

    init(chip: GPIOChip, lines: [GPIOLineInfo], initialValues: [UInt32: Bool], request: GPIOLineRequest) {
        self.chip = chip
        self.lines = lines
        self.initialValues = initialValues
        self.request = request
    }

    /// "watching gpiochip0 [pinctrl-rp1]: 27 (GPIO27) = 1, 24 (GPIO24) = 0; Ctrl-C stops".
    public var header: String {
        let levels = lines.map { "\($0.label) = \(initialValues[$0.offset] == true ? 1 : 0)" }
        return "watching \(chip.title): \(levels.joined(separator: ", ")); Ctrl-C stops"
    }

    /// The request's descriptor: readable when edges wait.
    public var eventDescriptor: Int32 { request.eventDescriptor }

    /// The next edges, as rows; blocks until one arrives.
    public mutating func readRows() throws(GPIOError) -> [String] {
        try request.readEvents().map { row(for: $0) }
    }

    /// The next edges, as JSON records; blocks until one arrives.
    public func readRecords() throws(GPIOError) -> [GPIOBenchJSON.Edge] {
        try request.readEvents().map { GPIOBenchJSON.Edge(event: $0, name: line(at: $0.offset)?.name ?? "") }
    }

    /// `12.000000000  27 (GPIO27)  falling  #3 (line #2)  +0.250000000 s`; the gap is left
    /// out for a line's first edge.
    public mutating func row(for event: GPIOLineEvent) -> String {
        let gap = previousTimestamps[event.offset].map { "  +" + GPIOBench.seconds(event.timestampNanoseconds &- $0) + " s" } ?? ""
        previousTimestamps[event.offset] = event.timestampNanoseconds
        let edge = event.edge == .rising ? "rising " : "falling"
        return "\(GPIOBench.seconds(event.timestampNanoseconds))  \(line(at: event.offset)?.label ?? String(event.offset))  \(edge)"
            + "  #\(event.sequenceNumber) (line #\(event.lineSequenceNumber))\(gap)"
    }

    private func line(at offset: UInt32) -> GPIOLineInfo? {
        lines.first { $0.offset == offset }
    }
}
