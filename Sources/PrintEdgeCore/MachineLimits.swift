/// What a printer can physically do, for checking a file before it is printed: the build
/// volume its head may reach and the highest temperatures its heaters may be set to.
public struct MachineLimits: Sendable, Equatable, Codable {
    /// Native coordinates the head may reach, per axis. Set the real minimum of the machine
    /// (a Prusa MK3 purges at Y-3, so its profile says -4), not an idealised 0.
    public var xMM: ClosedRange<Double>
    public var yMM: ClosedRange<Double>
    public var zMM: ClosedRange<Double>
    public var maxHotendCelsius: Double
    public var maxBedCelsius: Double
    /// Extra room allowed beyond the build volume on every side; 0 by default, because the
    /// build volume is the place to state a machine's real reach.
    public var toleranceMM: Double

    public init(xMM: ClosedRange<Double>, yMM: ClosedRange<Double>, zMM: ClosedRange<Double>,
                maxHotendCelsius: Double, maxBedCelsius: Double, toleranceMM: Double = 0) {
        self.xMM = xMM
        self.yMM = yMM
        self.zMM = zMM
        self.maxHotendCelsius = maxHotendCelsius
        self.maxBedCelsius = maxBedCelsius
        self.toleranceMM = toleranceMM
    }
}
