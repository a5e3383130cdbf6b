/// A temperature line as Marlin prints it for `M105`, `M155` autoreports and heating waits:
/// `T:210.00 /210.00 B:60.00 /60.00 T0:210.00 /210.00 T1:25.00 /0.00 C:35.0 /40.0 @:127 B@:0 W:?`.
public struct TemperatureReport: Sendable, Equatable {
    public enum Heater: Hashable, Sendable, CustomStringConvertible {
        /// `T:` is the active tool; `T0:`, `T1:`... a specific one.
        case activeTool
        case tool(Int)
        case bed
        case chamber
        case probe
        case cooler
        case board
        case redundant
        case other(String)

        init(name: Substring) {
            switch name {
            case "T": self = .activeTool
            case "B": self = .bed
            case "C": self = .chamber
            case "P": self = .probe
            case "L": self = .cooler
            case "M": self = .board
            case "R": self = .redundant
            default:
                if name.first == "T", let index = Int(name.dropFirst()) {
                    self = .tool(index)
                } else {
                    self = .other(String(name))
                }
            }
        }

        public var description: String {
            switch self {
            case .activeTool: "T"
            case .tool(let index): "T\(index)"
            case .bed: "B"
            case .chamber: "C"
            case .probe: "P"
            case .cooler: "L"
            case .board: "M"
            case .redundant: "R"
            case .other(let name): name
            }
        }
    }

    public struct Reading: Sendable, Equatable {
        public var heater: Heater
        public var actualCelsius: Double
        public var targetCelsius: Double?

        public init(heater: Heater, actualCelsius: Double, targetCelsius: Double?) {
            self.heater = heater
            self.actualCelsius = actualCelsius
            self.targetCelsius = targetCelsius
        }
    }

    public var readings: [Reading]
    /// Heater power as reported (`@:` active tool, `B@:` bed, `@0:` tool 0), 0...127 on AVR.
    public var power: [String: Int]
    /// Marlin adds `W:` (seconds left, or `?`) while `M109`/`M190` waits for a temperature:
    /// without BUSY_WHILE_HEATING these lines are its only sign of life during the wait.
    public var isHeatingWait: Bool

    public init(readings: [Reading], power: [String: Int] = [:], isHeatingWait: Bool = false) {
        self.readings = readings
        self.power = power
        self.isHeatingWait = isHeatingWait
    }

    public func reading(_ heater: Heater) -> Reading? {
        readings.first { $0.heater == heater }
    }

    /// Parses the report part of a line (after `ok ` when it came with an ok); `nil` when
    /// the text holds no temperature reading at all.
    public static func parse(_ text: Substring) -> TemperatureReport? {
        var readings: [Reading] = []
        var power: [String: Int] = [:]
        var isHeatingWait = false
        var tokens = text.split(whereSeparator: { $0 == " " || $0 == "\t" })[...]
        while let token = tokens.popFirst() {
            if token.hasPrefix("(") { continue }  // raw ADC values printed by `M105 R`
            guard let colon = token.firstIndex(of: ":") else { continue }
            let name = token[..<colon]
            var value = token[token.index(after: colon)...]
            if name == "W" { isHeatingWait = true }
            if name.isEmpty || name == "W" || name == "E" { continue }
            if name.hasSuffix("@") || name.hasPrefix("@") {
                if let watts = Int(value) { power[String(name)] = watts }
                continue
            }
            var target: Double?
            if let slash = value.firstIndex(of: "/") {  // `T:210.0/215.0` without a blank
                target = Double(value[value.index(after: slash)...])
                value = value[..<slash]
            } else if let next = tokens.first, next.hasPrefix("/") {
                target = Double(next.dropFirst())
                tokens = tokens.dropFirst()
            }
            guard let actual = Double(value), name.allSatisfy({ $0.isLetter || $0.isNumber }) else { continue }
            readings.append(Reading(heater: Heater(name: name), actualCelsius: actual, targetCelsius: target))
        }
        return readings.isEmpty ? nil : TemperatureReport(readings: readings, power: power, isHeatingWait: isHeatingWait)
    }
}
