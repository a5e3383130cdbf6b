import GRDB

/// What a telemetry sample measures, stored as a short name in `telemetry.channel`.
///
/// One narrow row per channel and instant rather than one wide row per poll: Marlin reports
/// temperatures (`M105`), positions (`M114`) and fans at different moments, and a printer
/// with a second hotend or a chamber adds channels, not columns.
public struct TelemetryChannel: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// Hotend `index` (`T0`, `T1`): value is the measured °C, target the set point.
    public static func hotend(_ index: Int) -> TelemetryChannel { .init(rawValue: "T\(index)") }
    /// The bed (`B`): value is the measured °C, target the set point.
    public static let bed = TelemetryChannel(rawValue: "B")
    /// The chamber (`C`): value is the measured °C, target the set point.
    public static let chamber = TelemetryChannel(rawValue: "C")
    /// Part-cooling fan `index` (`fan0`): value is the fraction of full speed, 0...1.
    public static func fan(_ index: Int) -> TelemetryChannel { .init(rawValue: "fan\(index)") }
    /// Axis positions in mm as `M114` reports them (logical coordinates).
    public static let x = TelemetryChannel(rawValue: "x")
    public static let y = TelemetryChannel(rawValue: "y")
    public static let z = TelemetryChannel(rawValue: "z")
    public static let e = TelemetryChannel(rawValue: "e")
    /// The running job's progress, 0...1 of its commands acknowledged.
    public static let progress = TelemetryChannel(rawValue: "progress")

    public var description: String { rawValue }
}

extension TelemetryChannel: DatabaseValueConvertible {}
