import PrintEdgeCore

/// A new flow setting from a single-wall test print: walls come out `measured ÷ expected` as
/// thick as sliced, so the flow is scaled by `expected ÷ measured`. Computation only: the change
/// belongs in the slicer's filament profile, where it applies to every print of that filament.
public struct FlowCalibration: CalibrationOutcome {
    /// Beyond this the wall was probably measured wrong (over a seam, two walls, or a sliced
    /// width that is not the one printed).
    public static let plausibleChangePercent = 25.0

    public private(set) var kind: CalibrationKind = .flow
    public var expectedWallMM: Double
    public var measuredWallMM: Double
    public var currentPercent: Double
    public var newPercent: Double
    /// The same as a multiplier (`0.952`), the form PrusaSlicer and OrcaSlicer take.
    public var newMultiplier: Double
    /// Where to change it, in the slicers' own words.
    public var slicerSettings: [String]

    public init(expectedWallMM: Double, measuredWallMM: Double, currentPercent: Double = 100) throws(CalibrationRequestError) {
        guard expectedWallMM > 0, expectedWallMM < 5 else {
            throw .invalid(parameter: "expected-wall", reason: "\(GCodeDecimal.text(expectedWallMM, decimals: 3)) mm is not a wall width: give the extrusion width the slicer used, e.g. 0.45")
        }
        guard measuredWallMM > 0, measuredWallMM < 5 else {
            throw .invalid(parameter: "measured-wall", reason: "\(GCodeDecimal.text(measuredWallMM, decimals: 3)) mm is not a wall width: measure one wall with calipers, in mm")
        }
        guard currentPercent > 0, currentPercent <= 200 else {
            throw .invalid(parameter: "current", reason: "\(GCodeDecimal.text(currentPercent, decimals: 1)) % is not a flow setting (1–200 %)")
        }
        let change = (expectedWallMM / measuredWallMM - 1) * 100
        guard abs(change) <= Self.plausibleChangePercent else {
            throw .invalid(parameter: "measured-wall", reason: "\(GCodeDecimal.text(measuredWallMM, decimals: 3)) mm is more than \(Int(Self.plausibleChangePercent)) % off the \(GCodeDecimal.text(expectedWallMM, decimals: 3)) mm expected: measure a single wall away from the seam, and check the expected width is the slicer's extrusion width")
        }
        self.expectedWallMM = expectedWallMM
        self.measuredWallMM = measuredWallMM
        self.currentPercent = currentPercent
        newPercent = currentPercent * expectedWallMM / measuredWallMM
        newMultiplier = newPercent / 100
        let percent = GCodeDecimal.fixed(newPercent, decimals: 1)
        let multiplier = GCodeDecimal.fixed(newMultiplier, decimals: 3)
        slicerSettings = [
            "PrusaSlicer / SuperSlicer: Filament Settings › Filament › Extrusion multiplier = \(multiplier)",
            "OrcaSlicer / Bambu Studio: Filament › Flow ratio = \(multiplier)",
            "Cura: Material › Flow = \(percent) %",
        ]
    }

    /// A flow test changes nothing on the printer.
    public var settingsBefore: FirmwareSettings? { nil }
    public var settingsAfter: FirmwareSettings? { nil }

    enum CodingKeys: String, CodingKey {
        case kind
        case expectedWallMM = "expected_wall_mm"
        case measuredWallMM = "measured_wall_mm"
        case currentPercent = "current_percent"
        case newPercent = "new_percent"
        case newMultiplier = "new_multiplier"
        case slicerSettings = "slicer_settings"
    }
}
