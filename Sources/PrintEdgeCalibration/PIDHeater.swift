/// A heater `M303` can tune: `E<n>` a hotend, `E-1` the bed, `E-2` the chamber (`HID_BED`,
/// `HID_CHAMBER` in Marlin's `Conditionals_adv.h`).
public enum PIDHeater: Sendable, Hashable, Codable, CustomStringConvertible {
    case hotend(tool: Int)
    case bed
    case chamber

    /// The `E` word of `M303`.
    public var autotuneIndex: Int {
        switch self {
        case .hotend(let tool): tool
        case .bed: -1
        case .chamber: -2
        }
    }

    /// The command that sets (and `M503` reports) this heater's constants.
    public var constantsCommand: String {
        switch self {
        case .hotend: "M301"
        case .bed: "M304"
        case .chamber: "M309"
        }
    }

    /// The command that turns this heater off.
    public var offCommand: String {
        switch self {
        case .hotend(let tool): "M104 T\(tool) S0"
        case .bed: "M140 S0"
        case .chamber: "M141 S0"
        }
    }

    /// The kind of run the store files the result under.
    public var calibrationKind: CalibrationKind {
        switch self {
        case .hotend: .pidHotend
        case .bed: .pidBed
        case .chamber: .pidChamber
        }
    }

    public var description: String {
        switch self {
        case .hotend(let tool): "hotend \(tool)"
        case .bed: "bed"
        case .chamber: "chamber"
        }
    }

    enum CodingKeys: String, CodingKey {
        case kind
        case tool
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .kind) {
        case "hotend": self = .hotend(tool: try container.decode(Int.self, forKey: .tool))
        case "bed": self = .bed
        case "chamber": self = .chamber
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "unknown heater \"\(other)\": hotend, bed or chamber")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .hotend(let tool):
            try container.encode("hotend", forKey: .kind)
            try container.encode(tool, forKey: .tool)
        case .bed: try container.encode("bed", forKey: .kind)
        case .chamber: try container.encode("chamber", forKey: .kind)
        }
    }
}
