import PrintEdgeCore

/// New extruder steps per mm from a marked-filament test. Marlin counts steps per mm, so
/// `new = old × requested ÷ actual` (Klipper's rotation distance is the inverse, `new = old ×
/// actual ÷ requested`, docs/Rotation_Distance.md; mixing the two up is a common mistake,
/// Klipper3d/klipper#1003).
///
/// The person marks the filament `markDistanceMM` above the extruder's inlet, the extruder
/// feeds `requestedMM`, and the person measures what is left between the inlet and the mark:
/// the extruded length is the difference. Measuring the length extruded instead of the length
/// left is the usual slip (franfrandev/OctoPrint-CalibrationCompanion#30), which is why a
/// change of more than 20 % must be confirmed.
public struct ExtruderStepsCalculation: Codable, Sendable, Equatable {
    /// Beyond this change the measurement is more likely wrong than the extruder.
    public static let confirmationThresholdPercent = 20.0

    public var previousStepsPerMM: Double
    public var requestedMM: Double
    public var markDistanceMM: Double
    public var remainingMM: Double
    public var extrudedMM: Double
    public var newStepsPerMM: Double
    public var changePercent: Double

    public var needsConfirmation: Bool { abs(changePercent) > Self.confirmationThresholdPercent }

    public init(previousStepsPerMM: Double, requestedMM: Double, markDistanceMM: Double, remainingMM: Double) throws(CalibrationRequestError) {
        guard remainingMM >= 0 else {
            throw .invalid(parameter: "remaining length", reason: "\(GCodeDecimal.text(remainingMM, decimals: 2)) mm is negative: measure from the extruder's inlet to the mark")
        }
        guard remainingMM < markDistanceMM else {
            throw .invalid(parameter: "remaining length", reason: "\(GCodeDecimal.text(remainingMM, decimals: 2)) mm is not less than the \(GCodeDecimal.text(markDistanceMM, decimals: 2)) mm the mark was at: the filament did not move in; check the hotend was hot and the filament not stuck, or measure again")
        }
        self.previousStepsPerMM = previousStepsPerMM
        self.requestedMM = requestedMM
        self.markDistanceMM = markDistanceMM
        self.remainingMM = remainingMM
        extrudedMM = markDistanceMM - remainingMM
        newStepsPerMM = previousStepsPerMM * requestedMM / extrudedMM
        changePercent = (newStepsPerMM / previousStepsPerMM - 1) * 100
    }

    /// The sentence shown before applying.
    public var summary: String {
        let sign = changePercent >= 0 ? "+" : ""
        return "\(GCodeDecimal.text(extrudedMM, decimals: 2)) mm went in of the \(GCodeDecimal.text(requestedMM, decimals: 2)) mm asked: "
            + "\(GCodeDecimal.fixed(newStepsPerMM, decimals: 2)) steps per mm instead of \(GCodeDecimal.fixed(previousStepsPerMM, decimals: 2)) (\(sign)\(GCodeDecimal.fixed(changePercent, decimals: 1)) %)"
    }

    enum CodingKeys: String, CodingKey {
        case previousStepsPerMM = "previous_steps_per_mm"
        case requestedMM = "requested_mm"
        case markDistanceMM = "mark_distance_mm"
        case remainingMM = "remaining_mm"
        case extrudedMM = "extruded_mm"
        case newStepsPerMM = "new_steps_per_mm"
        case changePercent = "change_percent"
    }
}
