import CGPIO

/// One edge the kernel saw on a requested input, decoded from `gpio_v2_line_event`.
public struct GPIOLineEvent: Sendable, Hashable {
    /// In logical terms: on an active-low line, `rising` is the wire going low.
    public enum Edge: UInt32, Sendable, Hashable {
        case rising = 1
        case falling = 2
    }

    /// When the kernel saw the edge, in nanoseconds of CLOCK_MONOTONIC (uAPI v2's default
    /// event clock): the clock `MonotonicInstant.now()` reads, so the two subtract.
    public var timestampNanoseconds: UInt64
    public var edge: Edge
    public var offset: UInt32
    /// Counts events across all lines of the request, from 1: a gap means the kernel's
    /// buffer overflowed and events were dropped.
    public var sequenceNumber: UInt32
    /// Counts events of this line alone, from 1.
    public var lineSequenceNumber: UInt32

    public init(timestampNanoseconds: UInt64, edge: Edge, offset: UInt32, sequenceNumber: UInt32, lineSequenceNumber: UInt32) {
        self.timestampNanoseconds = timestampNanoseconds
        self.edge = edge
        self.offset = offset
        self.sequenceNumber = sequenceNumber
        self.lineSequenceNumber = lineSequenceNumber
    }

    init(kernelEvent event: gpio_v2_line_event, chip: String) throws(GPIOError) {
        guard let edge = Edge(rawValue: event.id) else {
            throw .unexpectedEvent(chip: chip, id: event.id, offset: event.offset)
        }
        self.init(
            timestampNanoseconds: event.timestamp_ns, edge: edge, offset: event.offset, sequenceNumber: event.seqno,
            lineSequenceNumber: event.line_seqno)
    }
}
