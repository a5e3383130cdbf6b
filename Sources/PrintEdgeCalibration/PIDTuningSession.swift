import PrintEdgeCore

/// `printedge calibrate pid`: a PID autotune with `M303`, followed live, judged over all its
/// cycles, optionally applied (`M301`/`M304`/`M309`) and saved (`M500`, proven by reading back).
///
/// While `M303` runs nothing else may be sent (the batch is exclusive: STM32 native-USB boards
/// drop what arrives during the tune). Marlin prints no keepalives during a tune, only its
/// two-second temperature lines. A cancelled tune can only be interrupted by `M108` on firmware
/// with EMERGENCY_PARSER; without it the tune runs to its end (it turns the heater off itself)
/// unless the printer is reset, and the failure says so.
public struct PIDTuningSession: CalibrationSession {
    private struct Tuned: Sendable {
        var firmwareConstants: PIDConstants
        var cycles: [PIDCycle]
        var statistics: PIDCycleStatistics?
        var applied: PIDConstants?
        var before: FirmwareSettings?
    }

    private enum State: Sendable {
        case idle
        /// `M503 S0` before anything changes, for the record and to spot an MPC hotend.
        case readingSettings(FirmwareSettingsParser)
        /// `M303` runs; the heater is under the tune's control.
        case tuning(PIDAutotuneParser, before: FirmwareSettings?)
        /// The heater is being turned off and (with `apply`) the constants written.
        case settling(Tuned)
        /// Saving and reading the constants back.
        case verifying(Tuned, SettingsReadback)
        case ended
    }

    public let configuration: Configuration
    private var state: State = .idle
    /// The tune was sent and its heater not yet turned off by this session.
    private var heaterMayBeOn = false
    private var fanWasSet = false

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public mutating func start() -> Action {
        guard case .idle = state else { preconditionFailure("PIDTuningSession.start() called twice") }
        if configuration.apply {
            state = .readingSettings(FirmwareSettingsParser())
            return .send(CommandBatch(["M503 S0"], purpose: "reading the settings before the tune"), reports: [Progress(stage: .readingSettings)])
        }
        return startTune(before: nil)
    }

    public mutating func lineReceived(_ line: String) -> Action {
        let text = line[...]
        switch state {
        case .idle, .ended:
            return .wait
        case .readingSettings(var parser):
            if let alarm = FirmwareText.alarm(text) { return fail(.firmware, alarm) }
            parser.consume(text)
            state = .readingSettings(parser)
            return .wait
        case .tuning(var parser, let before):
            if let command = FirmwareText.unknownCommand(text), command.hasPrefix("M303") {
                return fail(.unsupported, "this firmware has no M303 (it answered `Unknown command: \"\(command)\"`): it was built without PID for any heater")
            }
            let events = parser.consume(text)
            state = .tuning(parser, before: before)
            var reports: [Progress] = []
            for event in events {
                switch event {
                case .started:
                    reports.append(Progress(stage: .tuning, message: "PID Autotune start"))
                case .cycle(let cycle):
                    reports.append(Progress(stage: .cycle, cycle: cycle))
                case .temperature(let report):
                    if let celsius = temperature(in: report) { reports.append(Progress(stage: .temperature, temperatureCelsius: celsius)) }
                case .unreadable(let line, let reason):
                    reports.append(Progress(stage: .unreadableLine, message: "\(reason): \"\(line)\""))
                case .finished:
                    break
                case .failed(let failure):
                    return fail(failure == .badHeaterID ? .unsupported : .firmware, failure.explanation(for: configuration.heater), reports: reports)
                }
            }
            if let alarm = FirmwareText.alarm(text) { return fail(.firmware, alarm, reports: reports) }
            return .report(reports)
        case .settling:
            if let alarm = FirmwareText.alarm(text) { return fail(.firmware, alarm) }
            return .wait
        case .verifying(let tuned, var readback):
            if let alarm = FirmwareText.alarm(text) { return fail(.firmware, alarm) }
            readback.lineReceived(text)
            state = .verifying(tuned, readback)
            return .wait
        }
    }

    public mutating func commandsHandled() -> Action {
        switch state {
        case .idle:
            preconditionFailure("PIDTuningSession.commandsHandled() before start()")
        case .ended:
            return .wait
        case .readingSettings(let parser):
            let before: FirmwareSettings
            do {
                before = try parser.result()
            } catch {
                return fail(.unreadableOutput, error.description)
            }
            if case .hotend = configuration.heater, !before.commands("M306").isEmpty, before.commands("M301").isEmpty {
                return fail(.unsupported, "this hotend is controlled by MPC (its settings have M306 and no M301): PID does not apply; tune it with M306 T")
            }
            return startTune(before: before)
        case .tuning(let parser, let before):
            return tuneEnded(parser, before: before)
        case .settling(var tuned):
            heaterMayBeOn = false
            fanWasSet = false
            guard let applied = tuned.applied else { return finish(tuned, settings: nil, persistence: .notRequested) }
            let selector: [Character: String] = if case .hotend(let tool) = configuration.heater { ["E": String(tool)] } else { [:] }
            let code = configuration.heater.constantsCommand
            let readback = SettingsReadback(save: configuration.save, eeprom: configuration.eeprom, check: .values([
                .init(code: code, selector: selector, letter: "P", value: applied.kp, label: "Kp"),
                .init(code: code, selector: selector, letter: "I", value: applied.ki, label: "Ki"),
                .init(code: code, selector: selector, letter: "D", value: applied.kd, label: "Kd"),
            ]))
            tuned.applied = applied
            state = .verifying(tuned, readback)
            return .send(readback.firstBatch, reports: [Progress(stage: .verifying)])
        case .verifying(let tuned, var readback):
            switch readback.commandsHandled() {
            case .send(let batch):
                state = .verifying(tuned, readback)
                return .send(batch)
            case .done(let settings, let persistence):
                return finish(tuned, settings: settings, persistence: persistence)
            case .failed(let cause, let reason):
                return fail(cause, reason)
            }
        }
    }

    /// No question is ever asked; an answer changes nothing.
    public mutating func operatorAnswered(_ answer: OperatorAnswer) -> Action {
        .wait
    }

    public mutating func cancelled() -> Action {
        guard isRunning else { return .wait }
        var reason = "the PID tune was stopped"
        if case .tuning = state, !configuration.hasEmergencyParser {
            reason += "; this firmware has no EMERGENCY_PARSER, so it cannot hear M108 while M303 runs: the tune goes on until it ends by itself (it then turns the heater off) unless the printer is reset now"
        }
        return fail(.cancelled, reason)
    }

    public mutating func linkLost() -> Action {
        guard isRunning else { return .wait }
        return fail(.linkLost, "the link to the printer was lost during the PID tune: the firmware turns the heater off when the tune ends; the heater-off lines are sent when the link is back")
    }

    public mutating func timedOut() -> Action {
        guard isRunning else { return .wait }
        let what = if case .tuning = state { "M303 did not finish within \(configuration.cycles) × 20 minutes" } else { "the printer did not answer in time" }
        return fail(.timedOut, "\(what): the heater is being turned off")
    }

    private var isRunning: Bool {
        switch state {
        case .idle, .ended: false
        default: true
        }
    }

    private mutating func startTune(before: FirmwareSettings?) -> Action {
        var lines: [String] = []
        if let percent = configuration.fanPercent {
            lines.append("M106 S\(Int((percent * 255 / 100).rounded()))")
            fanWasSet = true
        }
        let heater = configuration.heater
        lines.append("M303 E\(heater.autotuneIndex) C\(configuration.cycles) S\(GCodeDecimal.text(configuration.targetCelsius, decimals: 1))")
        heaterMayBeOn = true
        state = .tuning(PIDAutotuneParser(), before: before)
        let limit = Duration.seconds(configuration.cycles * 20 * 60 + 10 * 60)
        return .send(CommandBatch(lines, purpose: "tuning the \(heater) at \(GCodeDecimal.text(configuration.targetCelsius, decimals: 1)) °C", isExclusive: true, limit: limit),
                     reports: [Progress(stage: .tuning)])
    }

    private mutating func tuneEnded(_ parser: PIDAutotuneParser, before: FirmwareSettings?) -> Action {
        let constants: PIDConstants
        do {
            constants = try parser.result()
        } catch {
            return fail(.unreadableOutput, error.description)
        }
        if constants.isAllZero {
            return fail(.firmware, "M303 finished with Kp, Ki and Kd all 0.00: Marlin computes them only after more than two cycles; run again with more cycles")
        }
        let statistics = PIDCycleStatistics(cycles: parser.cycles)
        var tuned = Tuned(firmwareConstants: constants, cycles: parser.cycles, statistics: statistics, before: before)
        var lines = [configuration.heater.offCommand]
        if fanWasSet { lines.append("M107") }
        if configuration.apply {
            let chosen = configuration.choice == .medianPeriodCycle ? (statistics?.medianPeriodCycle.constants ?? constants) : constants
            tuned.applied = chosen
            lines.append(chosen.command(for: configuration.heater))
        }
        state = .settling(tuned)
        let purpose = configuration.apply ? "turning the heater off and applying the constants" : "turning the heater off"
        return .send(CommandBatch(lines, purpose: purpose), reports: configuration.apply ? [Progress(stage: .applying)] : [])
    }

    private mutating func finish(_ tuned: Tuned, settings: FirmwareSettings?, persistence: Persistence) -> Action {
        state = .ended
        return .finish(Outcome(heater: configuration.heater, targetCelsius: configuration.targetCelsius, cyclesRequested: configuration.cycles,
                               firmwareConstants: tuned.firmwareConstants, cycles: tuned.cycles, statistics: tuned.statistics, applied: tuned.applied,
                               persistence: persistence, settingsBefore: tuned.before, settingsAfter: settings))
    }

    private mutating func fail(_ cause: CalibrationFailure.Cause, _ reason: String, reports: [Progress] = []) -> Action {
        let stop = safeStop
        state = .ended
        heaterMayBeOn = false
        fanWasSet = false
        return .fail(CalibrationFailure(cause: cause, reason: reason, safeStop: stop), reports: reports)
    }

    /// `M108` ends a running tune (with EMERGENCY_PARSER); the heater-off line covers every
    /// other case. Only what this session turned on is turned off.
    private var safeStop: SafeStop {
        var stop = SafeStop()
        if heaterMayBeOn {
            stop.emergencyLines.append("M108")
            stop.lines.append(configuration.heater.offCommand)
        }
        if fanWasSet { stop.lines.append("M107") }
        return stop
    }

    private func temperature(in report: TemperatureReport) -> Double? {
        switch configuration.heater {
        case .hotend(let tool):
            (report.reading(.tool(tool)) ?? (tool == 0 ? report.reading(.activeTool) : nil))?.actualCelsius
        case .bed: report.reading(.bed)?.actualCelsius
        case .chamber: report.reading(.chamber)?.actualCelsius
        }
    }
}
