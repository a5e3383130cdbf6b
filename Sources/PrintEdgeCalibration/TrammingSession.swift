import PrintEdgeCore

/// `printedge calibrate tramming`: measures the bed at its screws, says how far to turn each one
/// in words and figures, and repeats until every screw is within tolerance (or the rounds run
/// out, or the person stops).
///
/// With `G30` the probe touches each screw's position and the corrections are computed here
/// (`TrammingRound`); `G30` prints `Bed X: Y: Z:` in both the 2.1 and the bugfix format, and
/// turns bed leveling off without turning it back on. With `G35` Marlin computes the turns
/// itself and unhomes Z afterwards; every round therefore starts with `G28`.
public struct TrammingSession: CalibrationSession {
    private enum State: Sendable {
        case idle
        /// Homing and probing round `round` with `G30`.
        case probing(round: Int, readings: [ProbeReading])
        /// Homing and `G35` for round `round`.
        case assisted(round: Int, report: AssistedTrammingReport, missingCommand: Bool)
        /// Waiting for the person to turn the screws.
        case turning(round: Int)
        case ended
    }

    public let configuration: Configuration
    private var state: State = .idle
    private var method: Method
    private var rounds: [TrammingRound] = []
    private var motionMayRun = false

    public init(configuration: Configuration) {
        self.configuration = configuration
        method = configuration.method
    }

    public mutating func start() -> Action {
        guard case .idle = state else { preconditionFailure("TrammingSession.start() called twice") }
        return startRound(1, homing: true)
    }

    public mutating func lineReceived(_ line: String) -> Action {
        let text = line[...]
        guard isRunning else { return .wait }
        if let alarm = FirmwareText.alarm(text) { return fail(.firmware, alarm) }
        switch state {
        case .probing(let round, var readings):
            if let message = FirmwareText.errorMessage(text), message.lowercased().contains("probing failed") {
                return fail(.firmware, "the probe did not trigger at screw \(readings.count + 1) (\(configuration.screws[min(readings.count, configuration.screws.count - 1)].name)): \"\(message)\"")
            }
            let body = FirmwareText.body(text)
            if body.hasPrefix("Z Probe Past Bed") {
                return fail(.firmware, "screw \(readings.count + 1) (\(configuration.screws[min(readings.count, configuration.screws.count - 1)].name)) is out of the probe's reach (\"Z Probe Past Bed\"): correct its position in the profile (it is where the probe, not the nozzle, goes)")
            }
            if let reading = ProbeReading(line: text) {
                readings.append(reading)
                state = .probing(round: round, readings: readings)
            }
        case .assisted(let round, var report, var missing):
            if let command = FirmwareText.unknownCommand(text), command.hasPrefix("G35") {
                guard configuration.method == .automatic else {
                    return fail(.unsupported, "this firmware has no G35 (it answered `Unknown command: \"\(command)\"`): it was built without ASSISTED_TRAMMING; use the probe method")
                }
                missing = true
            } else {
                report.consume(text)
            }
            state = .assisted(round: round, report: report, missingCommand: missing)
        default:
            break
        }
        return .wait
    }

    public mutating func commandsHandled() -> Action {
        switch state {
        case .idle:
            preconditionFailure("TrammingSession.commandsHandled() before start()")
        case .ended, .turning:
            return .wait
        case .probing(let round, let readings):
            guard readings.count == configuration.screws.count else {
                return fail(.unreadableOutput, "G30 reported \(readings.count) of \(configuration.screws.count) screws' heights: the output was cut short")
            }
            let result = TrammingRound(screws: configuration.screws, heightsMM: readings.map(\.zMM), thread: configuration.thread,
                                       reference: configuration.reference, toleranceMM: configuration.toleranceMM)
            return roundMeasured(round, result)
        case .assisted(let round, let report, let missing):
            if missing {
                method = .probe
                return startRound(round, homing: false)
            }
            let turns: [AssistedTrammingReport.Turn]
            do {
                turns = try report.result()
            } catch {
                if case .firmwareRefused = error { return fail(.firmware, error.description) }
                return fail(.unreadableOutput, error.description)
            }
            let result = TrammingRound(assistedTramming: turns, referenceName: "first G35 point's screw", thread: configuration.thread, toleranceMM: configuration.toleranceMM)
            return roundMeasured(round, result)
        }
    }

    public mutating func operatorAnswered(_ answer: OperatorAnswer) -> Action {
        guard case .turning(let round) = state else { return .wait }
        switch answer {
        case .yes:
            return startRound(round + 1, homing: true)
        case .no:
            return finish(withinTolerance: false)
        default:
            return .ask(turnQuestion(rounds.last).refusing("answer yes once the screws are turned, or no to stop here"))
        }
    }

    public mutating func cancelled() -> Action {
        guard isRunning else { return .wait }
        return fail(.cancelled, "tramming was stopped")
    }

    public mutating func linkLost() -> Action {
        guard isRunning else { return .wait }
        return fail(.linkLost, "the link to the printer was lost during tramming")
    }

    public mutating func timedOut() -> Action {
        guard isRunning else { return .wait }
        return fail(.timedOut, "the printer did not finish probing in time")
    }

    private var isRunning: Bool {
        switch state {
        case .idle, .ended: false
        default: true
        }
    }

    private mutating func startRound(_ round: Int, homing: Bool) -> Action {
        motionMayRun = true
        var lines = homing ? ["G28"] : []
        if method == .probe {
            lines += configuration.screws.map { "G30 X\(GCodeDecimal.text($0.xMM, decimals: 2)) Y\(GCodeDecimal.text($0.yMM, decimals: 2))" }
            state = .probing(round: round, readings: [])
        } else {
            // `Configuration` turns `automatic` into `probe` for threads G35 does not know.
            lines.append("G35 S\(configuration.thread.assistedTrammingCode ?? 30)")
            state = .assisted(round: round, report: AssistedTrammingReport(), missingCommand: false)
        }
        return .send(CommandBatch(lines, purpose: "probing the bed at its screws (round \(round))", limit: .seconds(300 + 30 * configuration.screws.count)),
                     reports: [Progress(round: round)])
    }

    private mutating func roundMeasured(_ round: Int, _ result: TrammingRound) -> Action {
        motionMayRun = false
        rounds.append(result)
        let report = [Progress(round: round, result: result)]
        if result.isWithinTolerance {
            return finish(withinTolerance: true, reports: report)
        }
        guard round < configuration.maximumRounds else {
            return fail(.notConverged, "the bed is not within \(GCodeDecimal.fixed(configuration.toleranceMM, decimals: 2)) mm after \(round) rounds; still to do: "
                        + result.adjustments.filter(\.needsTurning).map(\.instruction).joined(separator: "; "), reports: report)
        }
        state = .turning(round: round)
        return .ask(turnQuestion(result), reports: report)
    }

    private func turnQuestion(_ result: TrammingRound?) -> OperatorQuestion {
        OperatorQuestion(kind: .confirm, prompt: "Turn the screws as shown (clockwise as seen from above), then answer yes to measure again, or no to stop here",
                         details: result?.adjustments.map(\.instruction) ?? [])
    }

    private mutating func finish(withinTolerance: Bool, reports: [Progress] = []) -> Action {
        state = .ended
        // Every round but the last was followed by "yes, turned"; the last one was not.
        let turned = rounds.dropLast().contains { !$0.isWithinTolerance }
        var notes: [String] = []
        if turned {
            notes.append("the bed's tilt changed: calibrate the Z offset again, then make a new mesh (both were measured on the old tilt)")
        }
        if method == .probe {
            notes.append("G30 turned bed leveling off; a new mesh (or M420 S1) turns it back on")
        } else {
            notes.append("G35 left Z unhomed: home before printing")
        }
        if !withinTolerance, let last = rounds.last {
            notes.append("not yet within \(GCodeDecimal.fixed(last.toleranceMM, decimals: 2)) mm")
        }
        return .finish(Outcome(rounds: rounds, isWithinTolerance: withinTolerance, screwsTurned: turned, method: method == .automatic ? .assisted : method,
                               thread: configuration.thread, notes: notes), reports: reports)
    }

    private mutating func fail(_ cause: CalibrationFailure.Cause, _ reason: String, reports: [Progress] = []) -> Action {
        let stop = motionMayRun ? SafeStop(emergencyLines: ["M410"]) : SafeStop()
        state = .ended
        motionMayRun = false
        return .fail(CalibrationFailure(cause: cause, reason: reason, safeStop: stop), reports: reports)
    }
}
