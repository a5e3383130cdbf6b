/// `printedge calibrate mesh`: probes a new mesh (or reads the stored one) and restores what it
/// disturbed.
///
/// Temperature autoreports are paused (`M155 S0`) for the run and restored afterwards: the
/// bilinear grid printer does not pause them, and a report landing between two rows is how
/// Bed Level Visualizer's data got "tainted" (its README's Known Issues). The parser skips such
/// lines anyway; pausing also keeps the serial log readable. Leveling is turned on at the end
/// (`M420 S1`): probing leaves it off on some paths (G30, a failed G29).
public struct BedMeshSession: CalibrationSession {
    private enum State: Sendable {
        case idle
        /// `M155 S0` and `G28`.
        case homing
        /// `G29` (or `G29 P1` + `G29 T`, or `M420 V`) is running.
        case probing(BedMeshParser)
        /// `M420 S1` and `M155` restore.
        case restoring(BedMesh, LevelingState)
        case ended
    }

    public let configuration: Configuration
    private var state: State = .idle
    private var motionMayRun = false
    private var autoreportPaused = false

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public mutating func start() -> Action {
        guard case .idle = state else { preconditionFailure("BedMeshSession.start() called twice") }
        autoreportPaused = true
        if configuration.fromStored {
            state = .probing(BedMeshParser(expecting: configuration.expectation))
            return .send(CommandBatch(["M155 S0", "M420 V"], purpose: "reading the stored mesh"), reports: [Progress(stage: .reading)])
        }
        state = .homing
        motionMayRun = true
        return .send(CommandBatch(["M155 S0", "G28"], purpose: "homing", limit: .seconds(300)), reports: [Progress(stage: .homing)])
    }

    public mutating func lineReceived(_ line: String) -> Action {
        let text = line[...]
        guard isRunning else { return .wait }
        if let alarm = FirmwareText.alarm(text) { return fail(.firmware, alarm) }
        if let command = FirmwareText.unknownCommand(text), command.hasPrefix("G29") || command.hasPrefix("M420") {
            return fail(.unsupported, "this firmware has no bed leveling (it answered `Unknown command: \"\(command)\"`)")
        }
        if let refusal = Self.refusal(text) { return fail(.firmware, refusal) }
        switch state {
        case .probing(var parser):
            parser.consume(text)
            state = .probing(parser)
        case .restoring(let mesh, var leveling):
            leveling.consume(text)
            state = .restoring(mesh, leveling)
        default:
            break
        }
        return .wait
    }

    public mutating func commandsHandled() -> Action {
        switch state {
        case .idle:
            preconditionFailure("BedMeshSession.commandsHandled() before start()")
        case .ended:
            return .wait
        case .homing:
            state = .probing(BedMeshParser(expecting: configuration.expectation))
            let lines = configuration.system == .unified ? ["G29 P1", "G29 T"] : ["G29"]
            return .send(CommandBatch(lines, purpose: "probing the mesh", limit: .seconds(30 * 60)), reports: [Progress(stage: .probing)])
        case .probing(let parser):
            let mesh: BedMesh
            do {
                mesh = try parser.result()
            } catch {
                if case .missing = error { return fail(.firmware, error.description) }
                return fail(.unreadableOutput, error.description)
            }
            motionMayRun = false
            state = .restoring(mesh, LevelingState())
            return .send(CommandBatch(["M420 S1", "M155 S\(configuration.autoreportIntervalSeconds)"], purpose: "turning leveling on and temperature reports back on"),
                         reports: [Progress(stage: .restoring)])
        case .restoring(let mesh, let leveling):
            autoreportPaused = false
            state = .ended
            guard let analysis = BedMeshAnalysis(mesh) else { return fail(.unreadableOutput, "the mesh has no probed point") }
            var comparison: BedMeshComparison?
            var problem: String?
            if let previous = configuration.previous {
                do {
                    comparison = try BedMeshComparison(before: previous, after: mesh)
                } catch {
                    problem = error.description
                }
            }
            return .finish(Outcome(mesh: mesh, analysis: analysis, comparison: comparison, comparisonProblem: problem, fromStored: configuration.fromStored,
                                   levelingEnabled: leveling.isEnabled ?? (leveling.hasValidMesh == false ? false : nil)))
        }
    }

    public mutating func operatorAnswered(_ answer: OperatorAnswer) -> Action { .wait }

    public mutating func cancelled() -> Action {
        guard isRunning else { return .wait }
        return fail(.cancelled, "the mesh was stopped; the stored mesh is unchanged unless G29 had finished")
    }

    public mutating func linkLost() -> Action {
        guard isRunning else { return .wait }
        return fail(.linkLost, "the link to the printer was lost while making the mesh")
    }

    public mutating func timedOut() -> Action {
        guard isRunning else { return .wait }
        return fail(.timedOut, "the printer did not finish in time")
    }

    private var isRunning: Bool {
        switch state {
        case .idle, .ended: false
        default: true
        }
    }

    /// G29's and M420's refusals (research §1.4, §1.6, §1.7): probing failures, a missing
    /// probe, an unhomed printer.
    private static func refusal(_ line: Substring) -> String? {
        if let message = FirmwareText.errorMessage(line) {
            guard message.lowercased().contains("probing failed") else { return nil }
            return "the probe did not trigger (`Error:\(message)`): check the probe, and that the mesh area is within its reach"
        }
        let text = FirmwareText.body(line)
        if text.hasPrefix("?Error probing point") || text.hasPrefix("G29 P1 requires a probe") || (text.hasPrefix("Home ") && text.hasSuffix("First")) {
            return "G29 refused: \"\(text)\""
        }
        if text == "?" { return "the firmware refused G29 with `?` (a MARLIN_SMALL_BUILD hides its reason)" }
        return nil
    }

    private mutating func fail(_ cause: CalibrationFailure.Cause, _ reason: String) -> Action {
        var stop = SafeStop()
        if motionMayRun { stop.emergencyLines.append("M410") }
        if autoreportPaused { stop.lines.append("M155 S\(configuration.autoreportIntervalSeconds)") }
        state = .ended
        motionMayRun = false
        autoreportPaused = false
        return .fail(CalibrationFailure(cause: cause, reason: reason, safeStop: stop))
    }
}
