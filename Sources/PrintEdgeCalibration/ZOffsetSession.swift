import PrintEdgeCore

/// `printedge calibrate zoffset`: the probe's Z offset by a paper test, then `M851 Z` and
/// optionally `M500`.
///
/// The session reads the present offset (`M851` in `M503 S0`), homes, lifts the nozzle to the
/// start height over the test point and lets the person bring it down until a sheet of paper
/// drags. The nozzle is then at the bed, at a height `h` in the coordinates the old offset
/// gave, and the new offset is `old + h`: Marlin sets Z to `−offset` when the probe triggers
/// (`set_axis_is_at_home`), so a bed found `h` higher than the offset said needs an offset `h`
/// larger (MarlinDocumentation `M851.md`).
///
/// Two ways to move:
/// - babysteps (`M290 Z`): each step moves the nozzle without changing coordinates, clamped
///   by Marlin to ±2 mm (`M290.cpp`), so larger steps are split. With BABYSTEP_ZPROBE_OFFSET
///   each babystep also changes the probe offset (`echo:Probe Offset Z…`); the final `M851 Z`
///   sets the value outright, and a cancelled session puts the old one back;
/// - the paper test (`G1 Z`, TESTZ-style bisection). Marlin's software endstops stop `G1`
///   at Z 0 (MIN_SOFTWARE_ENDSTOP_Z), so they are turned off for the test (`M211 S0`) and on
///   again afterwards (`M211 S1`), as Marlin's own probe offset wizard does.
///
/// Klipper's guide asks for the test with nozzle and bed at room temperature; nothing is heated.
public struct ZOffsetSession: CalibrationSession {
    private struct Test: Sendable {
        var before: FirmwareSettings
        var previousOffsetMM: Double
        var bisection: PaperTestBisection
        var babystepTotalMM = 0.0

        /// The nozzle's height above where the old offset puts the bed.
        func heightMM(mode: Mode) -> Double {
            mode == .babystep ? bisection.currentMM + babystepTotalMM : bisection.currentMM
        }
    }

    private enum State: Sendable {
        case idle
        case readingSettings(FirmwareSettingsParser)
        case positioning(Test)
        /// Waiting for the person's next move or acceptance.
        case adjusting(Test)
        /// A move is in flight.
        case moving(Test)
        /// Lifting the nozzle and writing `M851 Z`.
        case applying(Test, newOffsetMM: Double)
        case verifying(Test, newOffsetMM: Double, readback: SettingsReadback)
        case ended
    }

    public let configuration: Configuration
    private var state: State = .idle
    private var motionMayRun = false
    private var softEndstopsOff = false
    /// The offset to put back if babysteps may have changed it (BABYSTEP_ZPROBE_OFFSET).
    private var offsetToRestore: Double?

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public mutating func start() -> Action {
        guard case .idle = state else { preconditionFailure("ZOffsetSession.start() called twice") }
        state = .readingSettings(FirmwareSettingsParser())
        return .send(CommandBatch(["M503 S0"], purpose: "reading the probe offset"), reports: [Progress(stage: .readingSettings)])
    }

    public mutating func lineReceived(_ line: String) -> Action {
        let text = line[...]
        guard isRunning else { return .wait }
        if let alarm = FirmwareText.alarm(text) { return fail(.firmware, alarm) }
        if let message = FirmwareText.errorMessage(text), message.lowercased().contains("homing failed") || message.lowercased().contains("probing failed") {
            return fail(.firmware, "homing failed (\"\(message)\"): check the probe and its wiring")
        }
        switch state {
        case .readingSettings(var parser):
            parser.consume(text)
            state = .readingSettings(parser)
        case .verifying(let test, let offset, var readback):
            readback.lineReceived(text)
            state = .verifying(test, newOffsetMM: offset, readback: readback)
        case .applying:
            let body = FirmwareText.body(text)
            if body.hasPrefix("?Z out of range") || body.hasPrefix("?") {
                return fail(.firmware, "M851 refused the offset: \"\(body)\"")
            }
        default:
            break
        }
        return .wait
    }

    public mutating func commandsHandled() -> Action {
        switch state {
        case .idle:
            preconditionFailure("ZOffsetSession.commandsHandled() before start()")
        case .ended, .adjusting:
            return .wait
        case .readingSettings(let parser):
            let before: FirmwareSettings
            do {
                before = try parser.result()
            } catch {
                return fail(.unreadableOutput, error.description)
            }
            guard let offset = ProbeOffset(settings: before) else {
                return fail(.unsupported, "the settings have no probe offset (M851): this printer has no bed probe; its Z zero is the Z endstop, set with the endstop's position or M206")
            }
            let test = Test(before: before, previousOffsetMM: offset.zMM, bisection: PaperTestBisection(startMM: configuration.startHeightMM))
            state = .positioning(test)
            motionMayRun = true
            var lines = ["G28"]
            if configuration.mode == .paperTest {
                lines.append("M211 S0")
                softEndstopsOff = true
            }
            lines += ["G90", "G1 Z\(mm(configuration.startHeightMM)) F600", "G1 X\(mm(configuration.xMM)) Y\(mm(configuration.yMM)) F3000", "M400"]
            return .send(CommandBatch(lines, purpose: "homing and moving over the test point", limit: .seconds(300)), reports: [Progress(stage: .positioning)])
        case .positioning(let test), .moving(let test):
            state = .adjusting(test)
            return .ask(question(test), reports: [Progress(stage: .moved, nozzleHeightMM: test.heightMM(mode: configuration.mode))])
        case .applying(let test, let offset):
            motionMayRun = false
            softEndstopsOff = false
            offsetToRestore = nil
            let readback = SettingsReadback(save: configuration.save, eeprom: configuration.eeprom, check: .values([
                .init(code: "M851", letter: "Z", value: offset, label: "probe Z offset"),
            ]))
            state = .verifying(test, newOffsetMM: offset, readback: readback)
            return .send(readback.firstBatch, reports: [Progress(stage: .verifying)])
        case .verifying(let test, let offset, var readback):
            switch readback.commandsHandled() {
            case .send(let batch):
                state = .verifying(test, newOffsetMM: offset, readback: readback)
                return .send(batch)
            case .done(let settings, let persistence):
                state = .ended
                return .finish(Outcome(mode: configuration.mode, previousOffsetMM: test.previousOffsetMM, newOffsetMM: offset,
                                       touchHeightMM: test.heightMM(mode: configuration.mode), persistence: persistence, settingsBefore: test.before, settingsAfter: settings))
            case .failed(let cause, let reason):
                return fail(cause, reason)
            }
        }
    }

    public mutating func operatorAnswered(_ answer: OperatorAnswer) -> Action {
        guard case .adjusting(var test) = state else { return .wait }
        let mode = configuration.mode
        switch (mode, answer) {
        case (_, .accept):
            let height = test.heightMM(mode: mode)
            let offset = ((test.previousOffsetMM + height) * 1000).rounded() / 1000
            // Marlin refuses offsets outside Z_PROBE_OFFSET_RANGE_MIN/MAX (±20 mm by default).
            guard abs(offset) <= 20 else {
                return .ask(question(test).refusing("that makes an offset of \(GCodeDecimal.text(offset, decimals: 3)) mm, beyond the ±20 mm Marlin accepts: the probe or the start height is wrong"))
            }
            var lines = ["G91", "G1 Z5 F600", "G90"]
            if softEndstopsOff { lines.append("M211 S1") }
            lines.append("M851 Z\(GCodeDecimal.text(offset, decimals: 3))")
            state = .applying(test, newOffsetMM: offset)
            return .send(CommandBatch(lines, purpose: "lifting the nozzle and setting the probe offset to \(GCodeDecimal.text(offset, decimals: 3)) mm"),
                         reports: [Progress(stage: .applying)])
        case (.babystep, .babystep(let step)):
            guard step != 0, step.isFinite else { return .ask(question(test).refusing("a babystep of 0 mm does not move the nozzle")) }
            if let refusal = refusal(toReach: test.heightMM(mode: mode) + step) { return .ask(question(test).refusing(refusal)) }
            test.babystepTotalMM += step
            offsetToRestore = test.previousOffsetMM
            state = .moving(test)
            return .send(CommandBatch(Self.babystepLines(step), purpose: "babystepping \(GCodeDecimal.text(step, decimals: 3)) mm"))
        case (.paperTest, .testZ(let move)):
            let target = test.bisection.target(of: move)
            guard abs(target - test.bisection.currentMM) >= 0.0005 else {
                return .ask(question(test).refusing("that would not move the nozzle: nothing was tried on that side yet closer than it is"))
            }
            if let refusal = refusal(toReach: target) { return .ask(question(test).refusing(refusal)) }
            test.bisection.move(to: target)
            state = .moving(test)
            return .send(CommandBatch(["G1 Z\(GCodeDecimal.text(target, decimals: 3)) F300", "M400"], purpose: "moving the nozzle to Z \(GCodeDecimal.text(target, decimals: 3))"))
        default:
            let expected = mode == .babystep ? "a babystep in mm (negative: down)" : "a TESTZ move (+, -, ++, -- or a distance such as -0.1)"
            return .ask(question(test).refusing("answer with \(expected), or accept the height"))
        }
    }

    public mutating func cancelled() -> Action {
        guard isRunning else { return .wait }
        return fail(.cancelled, "the Z offset calibration was stopped; the probe offset is unchanged")
    }

    public mutating func linkLost() -> Action {
        guard isRunning else { return .wait }
        return fail(.linkLost, "the link to the printer was lost during the Z offset calibration; home the printer before using it")
    }

    public mutating func timedOut() -> Action {
        guard isRunning else { return .wait }
        return fail(.timedOut, "the printer did not answer in time")
    }

    /// Marlin clamps each `M290` to ±2 mm: a larger step goes out as several.
    static func babystepLines(_ step: Double) -> [String] {
        var lines: [String] = []
        var rest = step
        while abs(rest) > 1e-9 {
            let chunk = max(-2, min(2, rest))
            lines.append("M290 Z\(GCodeDecimal.text(chunk, decimals: 3))")
            rest -= chunk
        }
        return lines
    }

    private var isRunning: Bool {
        switch state {
        case .idle, .ended: false
        default: true
        }
    }

    private func refusal(toReach heightMM: Double) -> String? {
        guard heightMM < -configuration.maximumBelowZeroMM - 1e-9 else { return nil }
        return "that would take the nozzle to \(GCodeDecimal.text(heightMM, decimals: 3)) mm, more than \(GCodeDecimal.text(configuration.maximumBelowZeroMM, decimals: 2)) mm below where the present offset puts the bed: check the paper is under the nozzle and the probe works, or allow more with a larger limit"
    }

    private func question(_ test: Test) -> OperatorQuestion {
        switch configuration.mode {
        case .babystep:
            let height = test.heightMM(mode: .babystep)
            return OperatorQuestion(kind: .babystep, prompt: "Slide a sheet of paper under the nozzle and babystep down until it drags slightly, then accept",
                                    stepsMM: [0.01, 0.05, 0.1, 1], position: "nozzle at \(GCodeDecimal.fixed(height, decimals: 3)) mm (babystepped \(GCodeDecimal.signed(test.babystepTotalMM, decimals: 3)) mm)")
        case .paperTest:
            return OperatorQuestion(kind: .testZ, prompt: "Slide a sheet of paper under the nozzle and move it down (TESTZ: -0.1, -, --, +, ++) until the paper drags slightly, then accept",
                                    position: test.bisection.display)
        }
    }

    private func mm(_ value: Double) -> String { GCodeDecimal.text(value, decimals: 3) }

    private mutating func fail(_ cause: CalibrationFailure.Cause, _ reason: String) -> Action {
        var stop = SafeStop()
        if motionMayRun { stop.emergencyLines.append("M410") }
        if softEndstopsOff { stop.lines.append("M211 S1") }
        if let offset = offsetToRestore { stop.lines.append("M851 Z\(GCodeDecimal.text(offset, decimals: 3))") }
        state = .ended
        motionMayRun = false
        softEndstopsOff = false
        offsetToRestore = nil
        return .fail(CalibrationFailure(cause: cause, reason: reason, safeStop: stop))
    }
}
