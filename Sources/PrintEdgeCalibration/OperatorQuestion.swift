/// Something only the person at the printer can answer: that the filament is marked, how far
/// the mark moved, which way to nudge the nozzle.
public struct OperatorQuestion: Sendable, Equatable, Codable {
    public enum Kind: String, Codable, Sendable {
        /// Yes or no (`OperatorAnswer.yes`, `.no`).
        case confirm
        /// A length in mm (`.length`), within `minimumMM…maximumMM`.
        case length
        /// Live babystepping: `.babystep(mm:)` moves the nozzle, `.accept` takes the height.
        case babystep
        /// Paper test in TESTZ style: `.testZ` moves the nozzle, `.accept` takes the height.
        case testZ = "test_z"
    }

    public var kind: Kind
    public var prompt: String
    /// Why the previous answer was refused; the question is asked again with it.
    public var problem: String?
    /// Lines to show with the question (the screw instructions of a tramming round).
    public var details: [String]
    public var minimumMM: Double?
    public var maximumMM: Double?
    /// The step sizes to offer for babystepping, mm.
    public var stepsMM: [Double]?
    /// Where the nozzle is, e.g. `Z position: 0.100 --> 0.150 <-- 0.200`.
    public var position: String?

    public init(kind: Kind, prompt: String, problem: String? = nil, details: [String] = [], minimumMM: Double? = nil, maximumMM: Double? = nil,
                stepsMM: [Double]? = nil, position: String? = nil) {
        self.kind = kind
        self.prompt = prompt
        self.problem = problem
        self.details = details
        self.minimumMM = minimumMM
        self.maximumMM = maximumMM
        self.stepsMM = stepsMM
        self.position = position
    }

    /// The same question again, saying why the last answer did not do.
    func refusing(_ problem: String) -> OperatorQuestion {
        var question = self
        question.problem = problem
        return question
    }

    enum CodingKeys: String, CodingKey {
        case kind, prompt, problem, details
        case minimumMM = "minimum_mm"
        case maximumMM = "maximum_mm"
        case stepsMM = "steps_mm"
        case position
    }
}

/// The person's answer to an `OperatorQuestion`. Stopping is not an answer: it is the
/// session's `cancelled` event.
public enum OperatorAnswer: Sendable, Equatable {
    case yes
    case no
    case length(mm: Double)
    /// Move the nozzle by this much (negative: towards the bed).
    case babystep(mm: Double)
    case testZ(TestZMove)
    /// Take the nozzle's present height.
    case accept
}

/// A move of the paper test, as Klipper's `TESTZ Z=` takes it (docs/Bed_Level.md,
/// `manual_probe.py`): a distance, or `+`/`-` to go halfway towards the nearest height already
/// tried above/below, `++`/`--` to go all the way to it; each bisecting move at most 0.2 mm.
public enum TestZMove: Sendable, Equatable {
    case by(mm: Double)
    case halfwayUp
    case halfwayDown
    case toNextUp
    case toNextDown

    /// Reads what a person types: `+`, `-`, `++`, `--`, or a signed distance like `-0.1`.
    public init?(text: String) {
        switch text {
        case "+": self = .halfwayUp
        case "-": self = .halfwayDown
        case "++": self = .toNextUp
        case "--": self = .toNextDown
        default:
            guard let number = DecimalNumber(text[...]), number.value != 0 else { return nil }
            self = .by(mm: number.value)
        }
    }
}
