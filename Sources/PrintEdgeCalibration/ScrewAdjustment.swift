import PrintEdgeCore

/// What to do with one screw in a tramming round.
public struct ScrewAdjustment: Codable, Sendable, Equatable {
    /// The screw's name, and where it was probed (unknown when the firmware's G35 probed it).
    public var screwName: String
    public var xMM: Double?
    public var yMM: Double?
    /// The probed height, mm (nil when the firmware computed the turns itself, G35).
    public var probedZMM: Double?
    /// How much higher (+) or lower (−) the bed is at this screw than at the reference, mm.
    public var differenceMM: Double
    public var isReference: Bool
    /// Turns to bring it level with the reference.
    public var turns: Double
    /// Nil for the reference and for a screw within tolerance.
    public var direction: TurnDirection?
    /// The sentence to show, e.g. "turn the front-left screw clockwise a quarter turn and a
    /// bit: 0.31 turn".
    public var instruction: String
    /// Why: "the bed is 0.16 mm low there".
    public var reason: String

    public var needsTurning: Bool { direction != nil }

    /// `differenceMM` → turns and words; `toleranceMM` decides whether to touch it at all.
    public init(screwName: String, xMM: Double? = nil, yMM: Double? = nil, probedZMM: Double?, differenceMM: Double, isReference: Bool,
                thread: ScrewThread, toleranceMM: Double) {
        self.screwName = screwName
        self.xMM = xMM
        self.yMM = yMM
        self.probedZMM = probedZMM
        self.differenceMM = differenceMM
        self.isReference = isReference
        turns = abs(differenceMM) / thread.pitchMM
        let amount = GCodeDecimal.fixed(abs(differenceMM), decimals: 2)
        let side = differenceMM < 0 ? "low" : "high"
        let spoken = screwName.lowercased().hasSuffix("screw") ? "the \(screwName)" : "the \(screwName) screw"
        if isReference {
            direction = nil
            instruction = "leave \(spoken): it is the reference"
            reason = "the other screws are set to its height"
        } else if abs(differenceMM) <= toleranceMM {
            direction = nil
            instruction = "leave \(spoken): it is within \(GCodeDecimal.fixed(toleranceMM, decimals: 2)) mm"
            reason = "the bed is \(amount) mm \(side) there"
        } else {
            // Low at this screw: turn the way that raises the bed; high: the other way.
            let turn = differenceMM < 0 ? thread.raisingDirection : thread.raisingDirection.opposite
            direction = turn
            instruction = "turn \(spoken) \(turn.words) \(ScrewTurnWords.phrase(turns: turns)): \(ScrewTurnWords.figure(turns: turns))"
            reason = "the bed is \(amount) mm \(side) there; \(turn.words) as seen from above"
        }
    }

    enum CodingKeys: String, CodingKey {
        case screwName = "screw"
        case xMM = "x_mm"
        case yMM = "y_mm"
        case probedZMM = "probed_z_mm"
        case differenceMM = "difference_mm"
        case isReference = "reference"
        case turns, direction, instruction, reason
    }
}
