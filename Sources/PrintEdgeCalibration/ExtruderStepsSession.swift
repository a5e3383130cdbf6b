import PrintEdgeCore

/// `printedge calibrate esteps`: reads the present E steps per mm (`M92 E` from `M503 S0`),
/// heats, has the person mark the filament, extrudes slowly in relative mode (`M83`), asks how
/// much is left to the mark, computes the new steps per mm (confirming a change over 20 %),
/// applies it (`M92 E`) and optionally saves it.
///
/// The hotend is turned off as soon as the extrusion is done: measuring takes the person a
/// while, and nothing after it needs heat.
public struct ExtruderStepsSession: CalibrationSession {
    private enum State: Sendable {
        case idle
        case readingSettings(FirmwareSettingsParser)
        case heating(before: FirmwareSettings, stepsPerMM: Double)
        /// Waiting for the person to mark the filament.
        case awaitingMark(before: FirmwareSettings, stepsPerMM: Double)
        case extruding(before: FirmwareSettings, stepsPerMM: Double)
        /// Waiting for the length left to the mark.
        case awaitingLength(before: FirmwareSettings, stepsPerMM: Double)
        /// Waiting for the person to confirm a change over 20 %.
        case awaitingConfirmation(before: FirmwareSettings, calculation: ExtruderStepsCalculation)
        case applying(before: FirmwareSettings, calculation: ExtruderStepsCalculation)
        case verifying(before: FirmwareSettings, calculation: ExtruderStepsCalculation, readback: SettingsReadback)
        case ended
    }

    public let configuration: Configuration
    private var state: State = .idle
    private var heaterMayBeOn = false
    private var motionMayRun = false

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public mutating func start() -> Action {
        guard case .idle = state else { preconditionFailure("ExtruderStepsSession.start() called twice") }
        state = .readingSettings(FirmwareSettingsParser())
        return .send(CommandBatch(["M503 S0"], purpose: "reading the present steps per mm"), reports: [Progress(stage: .readingSettings)])
    }

    public mutating func lineReceived(_ line: String) -> Action {
        let text = line[...]
        guard isRunning else { return .wait }
        if let alarm = FirmwareText.alarm(text) { return fail(.firmware, alarm) }
        switch state {
        case .readingSettings(var parser):
            parser.consume(text)
            state = .readingSettings(parser)
        case .verifying(let before, let calculation, var readback):
            readback.lineReceived(text)
            state = .verifying(before: before, calculation: calculation, readback: readback)
        case .extruding:
            let body = FirmwareText.body(text)
            if body.hasPrefix("cold extrusion prevented") || body.hasPrefix("E cold extrusion") {
                return fail(.firmware, "the firmware refused to extrude (\"\(body)\"): the hotend is below EXTRUDE_MINTEMP; choose a higher temperature")
            }
        default:
            break
        }
        return .wait
    }

    public mutating func commandsHandled() -> Action {
        switch state {
        case .idle:
            preconditionFailure("ExtruderStepsSession.commandsHandled() before start()")
        case .ended, .awaitingMark, .awaitingLength, .awaitingConfirmation:
            return .wait
        case .readingSettings(let parser):
            let before: FirmwareSettings
            do {
                before = try parser.result()
            } catch {
                return fail(.unreadableOutput, error.description)
            }
            guard let steps = before.value("M92", "E", where: ["T": String(configuration.tool)])?.number, steps > 0 else {
                return fail(.unreadableOutput, "M503 S0 reported no steps per mm for extruder \(configuration.tool) (no `M92 … E…` line)")
            }
            state = .heating(before: before, stepsPerMM: steps)
            heaterMayBeOn = true
            let tool = configuration.tool
            let celsius = GCodeDecimal.text(configuration.temperatureCelsius, decimals: 1)
            return .send(CommandBatch(["M104 T\(tool) S\(celsius)", "M109 T\(tool) S\(celsius)"], purpose: "heating the hotend to \(celsius) °C", limit: .seconds(15 * 60)),
                         reports: [Progress(stage: .heating)])
        case .heating(let before, let steps):
            state = .awaitingMark(before: before, stepsPerMM: steps)
            return .ask(markQuestion)
        case .extruding(let before, let steps):
            motionMayRun = false
            heaterMayBeOn = false
            state = .awaitingLength(before: before, stepsPerMM: steps)
            return .ask(lengthQuestion)
        case .applying(let before, let calculation):
            let selector: [Character: String] = ["T": String(configuration.tool)]
            let readback = SettingsReadback(save: configuration.save, eeprom: configuration.eeprom, check: .values([
                .init(code: "M92", selector: selector, letter: "E", value: calculation.newStepsPerMM, label: "E steps per mm"),
            ]))
            state = .verifying(before: before, calculation: calculation, readback: readback)
            return .send(readback.firstBatch, reports: [Progress(stage: .verifying)])
        case .verifying(let before, let calculation, var readback):
            switch readback.commandsHandled() {
            case .send(let batch):
                state = .verifying(before: before, calculation: calculation, readback: readback)
                return .send(batch)
            case .done(let settings, let persistence):
                state = .ended
                return .finish(Outcome(tool: configuration.tool, calculation: calculation, persistence: persistence, settingsBefore: before, settingsAfter: settings))
            case .failed(let cause, let reason):
                return fail(cause, reason)
            }
        }
    }

    public mutating func operatorAnswered(_ answer: OperatorAnswer) -> Action {
        switch state {
        case .awaitingMark(let before, let steps):
            guard answer == .yes else {
                return .ask(markQuestion.refusing("answer yes once the filament is marked; stop with Ctrl-C"))
            }
            let tool = configuration.tool
            let length = GCodeDecimal.text(configuration.requestedMM, decimals: 2)
            var lines = tool > 0 ? ["T\(tool)"] : []
            lines += ["M83", "G1 E\(length) F\(GCodeDecimal.text(configuration.feedrateMMPerMinute, decimals: 0))", "M400", "M104 T\(tool) S0"]
            let seconds = Int(configuration.requestedMM / configuration.feedrateMMPerMinute * 60)
            motionMayRun = true
            state = .extruding(before: before, stepsPerMM: steps)
            return .send(CommandBatch(lines, purpose: "extruding \(length) mm slowly", limit: .seconds(seconds * 2 + 60)), reports: [Progress(stage: .extruding)])
        case .awaitingLength(let before, let steps):
            guard case .length(let remaining) = answer else {
                return .ask(lengthQuestion.refusing("give the length in mm, e.g. 20.5"))
            }
            let calculation: ExtruderStepsCalculation
            do {
                calculation = try ExtruderStepsCalculation(previousStepsPerMM: steps, requestedMM: configuration.requestedMM, markDistanceMM: configuration.markDistanceMM, remainingMM: remaining)
            } catch {
                return .ask(lengthQuestion.refusing(error.description))
            }
            if calculation.needsConfirmation {
                state = .awaitingConfirmation(before: before, calculation: calculation)
                return .ask(confirmationQuestion(calculation))
            }
            return apply(calculation, before: before)
        case .awaitingConfirmation(let before, let calculation):
            switch answer {
            case .yes:
                return apply(calculation, before: before)
            case .no:
                state = .awaitingLength(before: before, stepsPerMM: calculation.previousStepsPerMM)
                return .ask(lengthQuestion)
            default:
                return .ask(confirmationQuestion(calculation).refusing("answer yes to apply it, or no to measure again"))
            }
        default:
            return .wait
        }
    }

    public mutating func cancelled() -> Action {
        guard isRunning else { return .wait }
        return fail(.cancelled, "the e-steps calibration was stopped; the steps per mm are unchanged")
    }

    public mutating func linkLost() -> Action {
        guard isRunning else { return .wait }
        return fail(.linkLost, "the link to the printer was lost during the e-steps calibration; the heater-off and stop lines are sent when the link is back")
    }

    public mutating func timedOut() -> Action {
        guard isRunning else { return .wait }
        let what = if case .heating = state { "the hotend did not reach its temperature in time: check its heater and thermistor" } else { "the printer did not answer in time" }
        return fail(.timedOut, what)
    }

    private var isRunning: Bool {
        switch state {
        case .idle, .ended: false
        default: true
        }
    }

    private var markQuestion: OperatorQuestion {
        OperatorQuestion(kind: .confirm, prompt: "Mark the filament \(GCodeDecimal.text(configuration.markDistanceMM, decimals: 1)) mm above where it enters the extruder, then answer yes to extrude \(GCodeDecimal.text(configuration.requestedMM, decimals: 1)) mm")
    }

    private var lengthQuestion: OperatorQuestion {
        OperatorQuestion(kind: .length, prompt: "How far is the mark from where the filament enters the extruder now? (mm; it was \(GCodeDecimal.text(configuration.markDistanceMM, decimals: 1)) mm)",
                         minimumMM: 0, maximumMM: configuration.markDistanceMM)
    }

    private func confirmationQuestion(_ calculation: ExtruderStepsCalculation) -> OperatorQuestion {
        OperatorQuestion(kind: .confirm, prompt: "\(calculation.summary). That is more than a 20 % change, which usually means a measuring slip (the length extruded instead of the length left). Apply it anyway? (no: measure again)")
    }

    private mutating func apply(_ calculation: ExtruderStepsCalculation, before: FirmwareSettings) -> Action {
        state = .applying(before: before, calculation: calculation)
        let tool = configuration.tool
        let steps = GCodeDecimal.text(calculation.newStepsPerMM, decimals: 2)
        // `T` picks the extruder only with DISTINCT_E_FACTORS; a plain `M92 E` is tool 0's.
        let line = tool > 0 ? "M92 T\(tool) E\(steps)" : "M92 E\(steps)"
        return .send(CommandBatch([line], purpose: "applying \(steps) steps per mm"), reports: [Progress(stage: .applying, message: calculation.summary)])
    }

    private mutating func fail(_ cause: CalibrationFailure.Cause, _ reason: String) -> Action {
        var stop = SafeStop()
        if motionMayRun { stop.emergencyLines.append("M410") }
        if heaterMayBeOn {
            stop.emergencyLines.append("M108")
            stop.lines.append("M104 T\(configuration.tool) S0")
        }
        state = .ended
        motionMayRun = false
        heaterMayBeOn = false
        return .fail(CalibrationFailure(cause: cause, reason: reason, safeStop: stop))
    }
}
