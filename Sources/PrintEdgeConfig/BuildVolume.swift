/// Where the nozzle can go, in machine coordinates (mm), as Marlin's X_MIN_POS…X_MAX_POS,
/// Y_MIN_POS…Y_MAX_POS and Z_MAX_POS define it. Used to check a job fits before it starts
/// and to park the head for pause and cancel.
public struct BuildVolume: Sendable, Equatable {
    public var xMinMM: Double
    public var xMaxMM: Double
    public var yMinMM: Double
    public var yMaxMM: Double
    public var zMaxMM: Double

    public init(xMinMM: Double = 0, xMaxMM: Double, yMinMM: Double = 0, yMaxMM: Double, zMaxMM: Double) {
        self.xMinMM = xMinMM
        self.xMaxMM = xMaxMM
        self.yMinMM = yMinMM
        self.yMaxMM = yMaxMM
        self.zMaxMM = zMaxMM
    }

    /// Reads `[build_volume]`: the maxima are required, the minima default to 0.
    init(reading table: inout TableReader) throws(ConfigurationError) {
        let finite = ValueConstraint<Double> { $0.isFinite && abs($0) <= 10_000 ? nil : "must be within -10000…10000 mm, found \($0)" }
        let xMin: Double? = try table.optional("x_min_mm", finite)
        let xMax: Double = try table.required("x_max_mm", finite, meaning: "the largest X the nozzle reaches, in mm")
        let yMin: Double? = try table.optional("y_min_mm", finite)
        let yMax: Double = try table.required("y_max_mm", finite, meaning: "the largest Y the nozzle reaches, in mm")
        let zMax: Double = try table.required("z_max_mm", .positive, meaning: "the highest Z the nozzle reaches, in mm")
        try table.rejectUnknownKeys()
        self.init(xMinMM: xMin ?? 0, xMaxMM: xMax, yMinMM: yMin ?? 0, yMaxMM: yMax, zMaxMM: zMax)
        if xMaxMM <= xMinMM {
            throw table.invalid("x_max_mm", "key `\(table.dotted("x_max_mm"))` (\(xMaxMM)) must be greater than x_min_mm (\(xMinMM))")
        }
        if yMaxMM <= yMinMM {
            throw table.invalid("y_max_mm", "key `\(table.dotted("y_max_mm"))` (\(yMaxMM)) must be greater than y_min_mm (\(yMinMM))")
        }
    }
}
