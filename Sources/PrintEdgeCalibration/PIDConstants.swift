import PrintEdgeCore

/// Kp, Ki and Kd as Marlin prints and takes them (`M301 P I D`, unscaled, 2 decimals).
public struct PIDConstants: Codable, Sendable, Equatable {
    public var kp: Double
    public var ki: Double
    public var kd: Double

    public init(kp: Double, ki: Double, kd: Double) {
        self.kp = kp
        self.ki = ki
        self.kd = kd
    }

    /// Marlin computes Kp only when more than two cycles ran, and prints `0.00` otherwise
    /// (MarlinFirmware/Marlin#6316): all zero is a failed tune, not a result.
    public var isAllZero: Bool { kp == 0 && ki == 0 && kd == 0 }

    /// The line that applies them, e.g. `M301 P22.2 I1.08 D114`.
    public func command(for heater: PIDHeater) -> String {
        let values = "P\(GCodeDecimal.text(kp, decimals: 2)) I\(GCodeDecimal.text(ki, decimals: 2)) D\(GCodeDecimal.text(kd, decimals: 2))"
        if case .hotend(let tool) = heater, tool > 0 {
            // With PID_PARAMS_PER_HOTEND `E` picks the hotend; without it Marlin ignores it.
            return "\(heater.constantsCommand) E\(tool) \(values)"
        }
        return "\(heater.constantsCommand) \(values)"
    }
}
