/// What `printedge gpio … --json` prints: scripts at the bench parse these, so the keys are
/// stable, snake_case with the unit in the name like every `printedge --json` (docs/control.md).
public enum GPIOBenchJSON {
    /// `chips`, and the chip of each `lines` listing.
    public struct Chip: Encodable, Equatable, Sendable {
        public var name: String
        public var label: String
        public var lines: UInt32
        public var path: String

        public init(_ chip: GPIOChip) {
            name = chip.name
            label = chip.label
            lines = chip.lineCount
            path = chip.path
        }
    }

    /// `lines`: one per chip.
    public struct ChipLines: Encodable, Equatable, Sendable {
        public var chip: Chip
        public var lines: [Line]
    }

    public struct Line: Encodable, Equatable, Sendable {
        public var offset: UInt32
        public var name: String
        public var consumer: String
        public var used: Bool
        public var direction: String
        public var activeLow: Bool
        public var bias: String
        public var drive: String
        public var edges: String
        public var debounceMicroseconds: Int64

        public init(_ line: GPIOLineInfo) {
            offset = line.offset
            name = line.name
            consumer = line.consumer
            used = line.isUsed
            direction = line.isOutput ? "output" : "input"
            activeLow = line.activeLow
            bias = line.bias.rawValue
            drive = line.drive.rawValue
            edges = line.edges.rawValue
            debounceMicroseconds = GPIOBench.microseconds(line.debounce)
        }

        enum CodingKeys: String, CodingKey {
            case offset, name, consumer, used, direction
            case activeLow = "active_low"
            case bias, drive, edges
            case debounceMicroseconds = "debounce_us"
        }
    }

    /// `get`: one per line read.
    public struct Value: Encodable, Equatable, Sendable {
        public var offset: UInt32
        public var name: String
        public var active: Bool
    }

    /// `watch`: one object per edge, each on its own line.
    public struct Edge: Encodable, Equatable, Sendable {
        public var timestampNanoseconds: UInt64
        public var offset: UInt32
        public var name: String
        public var edge: String
        public var sequenceNumber: UInt32
        public var lineSequenceNumber: UInt32

        public init(event: GPIOLineEvent, name: String) {
            timestampNanoseconds = event.timestampNanoseconds
            offset = event.offset
            self.name = name
            edge = event.edge == .rising ? "rising" : "falling"
            sequenceNumber = event.sequenceNumber
            lineSequenceNumber = event.lineSequenceNumber
        }

        enum CodingKeys: String, CodingKey {
            /// The kernel's CLOCK_MONOTONIC time of the edge: differences between edges are
            /// exact, the value itself is not a date.
            case timestampNanoseconds = "timestamp_ns"
            case offset, name, edge
            case sequenceNumber = "sequence_number"
            case lineSequenceNumber = "line_sequence_number"
        }
    }
}
