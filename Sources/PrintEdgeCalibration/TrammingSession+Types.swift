import PrintEdgeCore

extension TrammingSession {
    /// How the screws are measured.
    public enum Method: String, Codable, Sendable {
        /// `G30 X Y` at each of the profile's screws, then the corrections computed here.
        case probe
        /// Marlin's own `G35` (ASSISTED_TRAMMING): its compiled-in points and names, its first
        /// point as the reference.
        case assisted
        /// `G35` when the firmware has it, otherwise `G30` (an `Unknown command: "G35"`
        /// answer switches for the rest of the run).
        case automatic
    }

    public struct Configuration: Sendable, Equatable {
        public var screws: [TrammingScrew]
        public var thread: ScrewThread
        public var toleranceMM: Double
        public var reference: TrammingReference
        public var maximumRounds: Int
        public var method: Method

        public init(screws: [TrammingScrew], thread: ScrewThread = .standard, toleranceMM: Double? = nil, reference: TrammingReference = .screw(index: 0),
                    maximumRounds: Int = 5, method: Method = .probe) throws(CalibrationRequestError) {
            if method != .assisted {
                guard screws.count >= 2 else {
                    throw .invalid(parameter: "screws", reason: "the printer's profile lists \(screws.count) bed screw\(screws.count == 1 ? "" : "s"): tramming needs at least two, with the probe position over each")
                }
            }
            if case .screw(let index) = reference, !screws.isEmpty, !screws.indices.contains(index) {
                throw .invalid(parameter: "reference", reason: "there is no screw \(index + 1); the profile lists \(screws.count)")
            }
            if method == .assisted, thread.assistedTrammingCode == nil {
                throw .invalid(parameter: "thread", reason: "Marlin's G35 knows M3, M4 and M5 threads, not \(thread.size.rawValue): use the probe method")
            }
            let tolerance = toleranceMM ?? thread.defaultToleranceMM
            guard tolerance > 0, tolerance <= 1 else {
                throw .invalid(parameter: "tolerance", reason: "\(GCodeDecimal.text(tolerance, decimals: 3)) mm is outside 0–1 mm")
            }
            guard (1...20).contains(maximumRounds) else {
                throw .invalid(parameter: "rounds", reason: "\(maximumRounds) is outside 1–20 rounds")
            }
            self.screws = screws
            self.thread = thread
            self.toleranceMM = tolerance
            self.reference = reference
            self.maximumRounds = maximumRounds
            self.method = thread.assistedTrammingCode == nil && method == .automatic ? .probe : method
        }
    }

    public struct Progress: Codable, Sendable, Equatable {
        public var round: Int
        /// Nil while the round is being probed.
        public var result: TrammingRound?

        public init(round: Int, result: TrammingRound? = nil) {
            self.round = round
            self.result = result
        }
    }

    public struct Outcome: CalibrationOutcome {
        public private(set) var kind: CalibrationKind = .tramming
        public var rounds: [TrammingRound]
        public var isWithinTolerance: Bool
        /// The person was asked to turn a screw: the bed's tilt changed.
        public var screwsTurned: Bool
        /// `probe` or `assisted`, as it ran.
        public var method: Method
        public var thread: ScrewThread
        /// What to do next, in words.
        public var notes: [String]

        public var settingsBefore: FirmwareSettings? { nil }
        public var settingsAfter: FirmwareSettings? { nil }

        /// Turning screws tilts the bed: the probe offset and the mesh were measured on the old
        /// one. A first round already within tolerance changed nothing.
        public var invalidates: [CalibrationKind] { screwsTurned ? kind.invalidates : [] }

        public init(rounds: [TrammingRound], isWithinTolerance: Bool, screwsTurned: Bool, method: Method, thread: ScrewThread, notes: [String]) {
            self.rounds = rounds
            self.isWithinTolerance = isWithinTolerance
            self.screwsTurned = screwsTurned
            self.method = method
            self.thread = thread
            self.notes = notes
        }

        enum CodingKeys: String, CodingKey {
            case kind, rounds
            case isWithinTolerance = "within_tolerance"
            case screwsTurned = "screws_turned"
            case method, thread, notes
        }
    }
}
