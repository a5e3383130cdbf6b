/// One hotend's temperature and the temperature below which its printer may lose power
/// (the printer profile's `temperatures.safe_hotend_c`, or the relay's own override).
public struct HotendReading: Sendable, Equatable {
    public var temperatureCelsius: Double
    public var safeTemperatureCelsius: Double

    public init(temperatureCelsius: Double, safeTemperatureCelsius: Double) {
        self.temperatureCelsius = temperatureCelsius
        self.safeTemperatureCelsius = safeTemperatureCelsius
    }

    /// At or below its safe temperature.
    public var isCool: Bool { temperatureCelsius <= safeTemperatureCelsius }
}
