import PrintEdgeCore
import PrintEdgeStore

/// One heater's temperature from a report, named once and the same way for `printedge
/// status` and for telemetry: `T0`, `T1`, `B`, `C`... (the telemetry channel's name).
struct HeaterTemperature: Sendable, Equatable {
    var channel: TelemetryChannel
    var actualCelsius: Double
    var targetCelsius: Double?

    /// Every heater in `report`, in the report's order, each once.
    ///
    /// Marlin prints `T:` for the active tool, and with more than one hotend `T0:`, `T1:`...
    /// as well (`print_heater_states()`), so there `T:` repeats one of them and is skipped. A
    /// single-hotend Marlin prints only `T:`: that is hotend 0.
    static func readings(in report: TemperatureReport) -> [HeaterTemperature] {
        let listsEachTool = report.readings.contains { $0.heater == .tool(0) }
        return report.readings.compactMap { reading in
            let channel: TelemetryChannel
            switch reading.heater {
            case .activeTool where listsEachTool: return nil
            case .activeTool: channel = .hotend(0)
            case .tool(let index): channel = .hotend(index)
            case .bed: channel = .bed
            case .chamber: channel = .chamber
            default: channel = TelemetryChannel(rawValue: reading.heater.description)
            }
            return HeaterTemperature(channel: channel, actualCelsius: reading.actualCelsius, targetCelsius: reading.targetCelsius)
        }
    }
}
