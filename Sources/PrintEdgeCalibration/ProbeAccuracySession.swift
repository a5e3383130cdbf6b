import PrintEdgeCore

/// `printedge calibrate probe-accuracy`: homes, runs `M48` (verbosity 2, so each sample is
/// reported as it comes), and judges the result as Klipper judges `PROBE_ACCURACY`
/// (range within 0.025 mm). `M48` needs a homed printer (`echo:Home XYZ First`) and
/// Z_MIN_PROBE_REPEATABILITY_TEST; it turns leveling off for the test and back on itself.
public struct ProbeAccuracySession: CalibrationSession {
    public struct Configuration: Sendable, Equatable {
        /// 4–50, the range Marlin accepts (`?Sample size not plausible (4-50).`).
        public var samples: Int
        /// Where to probe; nil: where the probe is after homing.
        public var xMM: Double?
        public var yMM: Double?
        public var rangeLimitMM: Double

        public init(samples: Int = 10, xMM: Double? = nil, yMM: Double? = nil, rangeLimitMM: Double = ProbeAccuracyVerdict.defaultRangeLimitMM) throws(CalibrationRequestError) {
            guard (4...50).contains(samples) else {
                throw .invalid(parameter: "samples", reason: "\(samples) is outside the 4–50 samples M48 accepts; 10 is usual")
            }
            guard (xMM == nil) == (yMM == nil) else {
                throw .invalid(parameter: "position", reason: "give both X and Y, or neither to probe where the probe is after homing")
            }
            self.samples = samples
            self.xMM = xMM
            self.yMM = yMM
            self.rangeLimitMM = rangeLimitMM
        }
    }

    public struct Progress: Codable, Sendable, Equatable {
        public var number: Int
        public var count: Int
        public var zMM: Double

        public init(number: Int, count: Int, zMM: Double) {
            self.number = number
            self.count = count
            self.zMM = zMM
        }

        enum CodingKeys: String, CodingKey {
            case number, count
            case zMM = "z_mm"
        }
    }

    public struct Outcome: CalibrationOutcome {
        public private(set) var kind: CalibrationKind = .probeAccuracy
        public var repeatability: ProbeRepeatability
        public var verdict: ProbeAccuracyVerdict

        public var settingsBefore: FirmwareSettings? { nil }
        public var settingsAfter: FirmwareSettings? { nil }

        public init(repeatability: ProbeRepeatability, verdict: ProbeAccuracyVerdict) {
            self.repeatability = repeatability
            self.verdict = verdict
        }

        enum CodingKeys: String, CodingKey {
            case kind, repeatability, verdict
        }
    }

    private enum State: Sendable {
        case idle
        /// G28 and M48 are running.
        case measuring(ProbeRepeatabilityParser)
        case ended
    }

    public let configuration: Configuration
    private var state: State = .idle

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public mutating func start() -> Action {
        guard case .idle = state else { preconditionFailure("ProbeAccuracySession.start() called twice") }
        var m48 = "M48 P\(configuration.samples) V2"
        if let x = configuration.xMM, let y = configuration.yMM {
            m48 += " X\(GCodeDecimal.text(x, decimals: 2)) Y\(GCodeDecimal.text(y, decimals: 2))"
        }
        state = .measuring(ProbeRepeatabilityParser())
        return .send(CommandBatch(["G28", m48], purpose: "homing and probing \(configuration.samples) times", limit: .seconds(180 + configuration.samples * 30)))
    }

    public mutating func lineReceived(_ line: String) -> Action {
        guard case .measuring(var parser) = state else { return .wait }
        if let alarm = FirmwareText.alarm(line[...]) { return fail(.firmware, alarm) }
        if let command = FirmwareText.unknownCommand(line[...]), command.hasPrefix("M48") {
            return fail(.unsupported, "this firmware has no M48 (it answered `Unknown command: \"\(command)\"`): it was built without Z_MIN_PROBE_REPEATABILITY_TEST")
        }
        let event = parser.consume(line)
        state = .measuring(parser)
        switch event {
        case .sample(let number, let count, let z)?:
            return .report([Progress(number: number, count: count, zMM: z)])
        case .failed(let message)?:
            return fail(.firmware, "M48 failed: \"\(message)\"")
        case .finished?, nil:
            return .wait
        }
    }

    public mutating func commandsHandled() -> Action {
        switch state {
        case .idle: preconditionFailure("ProbeAccuracySession.commandsHandled() before start()")
        case .ended: return .wait
        case .measuring(let parser):
            do {
                let repeatability = try parser.result()
                state = .ended
                return .finish(Outcome(repeatability: repeatability, verdict: ProbeAccuracyVerdict(repeatability, rangeLimitMM: configuration.rangeLimitMM)))
            } catch {
                return fail(.unreadableOutput, error.description)
            }
        }
    }

    public mutating func operatorAnswered(_ answer: OperatorAnswer) -> Action { .wait }

    public mutating func cancelled() -> Action {
        guard case .measuring = state else { return .wait }
        return fail(.cancelled, "the probe accuracy test was stopped")
    }

    public mutating func linkLost() -> Action {
        guard case .measuring = state else { return .wait }
        return fail(.linkLost, "the link to the printer was lost during the probe accuracy test")
    }

    public mutating func timedOut() -> Action {
        guard case .measuring = state else { return .wait }
        return fail(.timedOut, "M48 did not finish in time")
    }

    /// Homing and probing move the head: `M410` drops what is planned.
    private mutating func fail(_ cause: CalibrationFailure.Cause, _ reason: String) -> Action {
        state = .ended
        return .fail(CalibrationFailure(cause: cause, reason: reason, safeStop: SafeStop(emergencyLines: ["M410"])))
    }
}
