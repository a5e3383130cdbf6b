/// Which way a knob turns.
public enum TurnDirection: String, Codable, Sendable {
    case clockwise
    case counterClockwise = "counter_clockwise"

    public var opposite: TurnDirection { self == .clockwise ? .counterClockwise : .clockwise }

    /// As a person says it.
    public var words: String { self == .clockwise ? "clockwise" : "counter-clockwise" }
}

/// A bed screw's thread and which turn of its knob raises the bed.
///
/// Named as Klipper names `screw_thread` (`CW-M3`, `CCW-M4`, …): the direction is the one in
/// which "rotation of the knob decreases the gap between the nozzle and the bed" (Klipper
/// docs/Config_Reference.md `[screws_tilt_adjust]`), i.e. raises the bed under that screw.
/// Marlin's `G35 S30|31|40|41|50|51` means the same (`G35.cpp`: for S30 a point lower than the
/// first is turned CW). Clockwise is as seen from above, looking down at the bed: on the usual
/// spring-and-knob bed (knobs under the bed, Klipper's default CW-M3), loosening the knob seen
/// from above turns it clockwise and lets the spring push the bed up. A person crouching to
/// look up at the knob sees the opposite rotation; the words printed say "as seen from above".
public struct ScrewThread: Codable, Sendable, Equatable, CustomStringConvertible {
    public enum Size: String, Codable, Sendable, CaseIterable {
        case m3 = "M3"
        case m4 = "M4"
        case m5 = "M5"
        case m6 = "M6"

        /// ISO coarse pitch, the figures Klipper and Marlin use (M3 0.5, M4 0.7, M5 0.8, M6 1.0 mm).
        public var pitchMM: Double {
            switch self {
            case .m3: 0.5
            case .m4: 0.7
            case .m5: 0.8
            case .m6: 1.0
            }
        }
    }

    public var size: Size
    /// The turn that raises the bed under the screw.
    public var raisingDirection: TurnDirection

    public init(size: Size, raisingDirection: TurnDirection) {
        self.size = size
        self.raisingDirection = raisingDirection
    }

    /// M3, clockwise raises: most printers, and the default of both Klipper and Marlin
    /// (`TRAMMING_SCREW_THREAD 30`).
    public static let standard = ScrewThread(size: .m3, raisingDirection: .clockwise)

    /// Reads `CW-M3`, `CCW-M5`, … (any case).
    public init?(name: String) {
        let parts = name.uppercased().split(separator: "-")
        guard parts.count == 2, let size = Size(rawValue: String(parts[1])) else { return nil }
        switch parts[0] {
        case "CW": raisingDirection = .clockwise
        case "CCW": raisingDirection = .counterClockwise
        default: return nil
        }
        self.size = size
    }

    public var pitchMM: Double { size.pitchMM }

    /// Within a tenth of a turn the bed is trammed: Klipper's guide says to stop "when all
    /// adjustments are below 6 minutes" (docs/Manual_Level.md), 6/60 of a turn.
    public var defaultToleranceMM: Double { pitchMM / 10 }

    /// `G35`'s `S` word, nil for M6 (Marlin knows M3 to M5 only).
    public var assistedTrammingCode: Int? {
        let base: Int
        switch size {
        case .m3: base = 30
        case .m4: base = 40
        case .m5: base = 50
        case .m6: return nil
        }
        return base + (raisingDirection == .clockwise ? 0 : 1)
    }

    public var description: String {
        (raisingDirection == .clockwise ? "CW-" : "CCW-") + size.rawValue
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let thread = ScrewThread(name: name) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(name)\" is not a screw thread: CW-M3, CCW-M3, CW-M4, … CCW-M6")
        }
        self = thread
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
