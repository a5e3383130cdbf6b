/// Which screw the others are levelled to.
public enum TrammingReference: Sendable, Equatable {
    /// This screw of the list (Klipper's `screw1` is its base; Marlin's G35 uses its first point).
    case screw(index: Int)
    /// The highest: every other screw is turned to raise the bed (Klipper's `DIRECTION=`
    /// picks the base the same way so that all turns go one way).
    case highest
    /// The lowest: every other screw is turned to lower the bed.
    case lowest
}

/// One round of tramming: each screw's height against the reference and what to turn.
public struct TrammingRound: Codable, Sendable, Equatable {
    public var adjustments: [ScrewAdjustment]
    public var toleranceMM: Double
    /// The largest difference from the reference, mm.
    public var largestDifferenceMM: Double

    /// No screw needs turning.
    public var isWithinTolerance: Bool { !adjustments.contains { $0.needsTurning } }

    /// From probed heights, one per screw, in the screws' order.
    public init(screws: [TrammingScrew], heightsMM: [Double], thread: ScrewThread, reference: TrammingReference, toleranceMM: Double) {
        precondition(screws.count == heightsMM.count && !screws.isEmpty, "one height per screw")
        let referenceIndex: Int
        switch reference {
        case .screw(let index): referenceIndex = min(max(index, 0), screws.count - 1)
        case .highest: referenceIndex = heightsMM.indices.max { heightsMM[$0] < heightsMM[$1] } ?? 0
        case .lowest: referenceIndex = heightsMM.indices.min { heightsMM[$0] < heightsMM[$1] } ?? 0
        }
        let base = heightsMM[referenceIndex]
        adjustments = zip(screws, heightsMM).enumerated().map { index, pair in
            ScrewAdjustment(screwName: pair.0.name, xMM: pair.0.xMM, yMM: pair.0.yMM, probedZMM: pair.1, differenceMM: pair.1 - base, isReference: index == referenceIndex, thread: thread, toleranceMM: toleranceMM)
        }
        self.toleranceMM = toleranceMM
        largestDifferenceMM = adjustments.map { abs($0.differenceMM) }.max() ?? 0
    }

    /// From Marlin's own `G35` report: its first point is the reference. The height difference
    /// is the firmware's when it reports millimetres (REPORT_TRAMMING_MM), otherwise it follows
    /// from the turns (which G35 truncates to the minute).
    public init(assistedTramming turns: [AssistedTrammingReport.Turn], referenceName: String, thread: ScrewThread, toleranceMM: Double) {
        var adjustments = [ScrewAdjustment(screwName: referenceName, probedZMM: nil, differenceMM: 0, isReference: true, thread: thread, toleranceMM: toleranceMM)]
        for turn in turns {
            let lower = turn.direction == thread.raisingDirection
            let difference = turn.differenceMM ?? (lower ? -1 : 1) * turn.turns * thread.pitchMM
            adjustments.append(ScrewAdjustment(screwName: turn.pointName, probedZMM: nil, differenceMM: difference,
                                               isReference: false, thread: thread, toleranceMM: toleranceMM))
        }
        self.adjustments = adjustments
        self.toleranceMM = toleranceMM
        largestDifferenceMM = adjustments.map { abs($0.differenceMM) }.max() ?? 0
    }

    enum CodingKeys: String, CodingKey {
        case adjustments
        case toleranceMM = "tolerance_mm"
        case largestDifferenceMM = "largest_difference_mm"
        case isWithinTolerance = "within_tolerance"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        adjustments = try container.decode([ScrewAdjustment].self, forKey: .adjustments)
        toleranceMM = try container.decode(Double.self, forKey: .toleranceMM)
        largestDifferenceMM = try container.decode(Double.self, forKey: .largestDifferenceMM)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(adjustments, forKey: .adjustments)
        try container.encode(toleranceMM, forKey: .toleranceMM)
        try container.encode(largestDifferenceMM, forKey: .largestDifferenceMM)
        try container.encode(isWithinTolerance, forKey: .isWithinTolerance)
    }
}
