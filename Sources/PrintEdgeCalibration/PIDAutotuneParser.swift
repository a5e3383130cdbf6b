import PrintEdgeCore

/// Reads `M303` output as it arrives, a line at a time.
///
/// What Marlin prints (`temperature.cpp PID_autotune`, strings in `language.h`, the same in
/// 2.0.9, 2.1.2 and bugfix-2.1.x; research §1.1):
/// - `PID Autotune start`;
/// - from the second crossing on, ` bias: 61 d: 61 min: 208.01 max: 216.95`. For the first
///   cycles that line has no line end, so the next two-second temperature print is glued on:
///   ` bias: … max: 216.95 T:209.02 /0.00 B:23.87 /0.00 @:61 B@:0`;
/// - once more than two cycles ran, the line ends with ` Ku: 17.41 Tu: 18.16`, then
///   ` Classic PID` (hotend) or ` No overshoot` (bed, chamber), then ` Kp: … Ki: … Kd: …`;
/// - ` T:… /0.00 B:… @:…` every two seconds (target `0.00`: the tune drives the PWM itself);
/// - `PID Autotune finished! Put the last Kp, Ki and Kd constants from below into
///   Configuration.h` and `#define DEFAULT_Kp 22.20` (`DEFAULT_bedKp`, `DEFAULT_chamberKp`);
/// - or `PID Autotune failed! Bad heater id | Temperature too high | timeout`, or a fatal
///   `Error:Heating failed, system stopped! Heater_ID: …`.
public struct PIDAutotuneParser: Sendable {
    public enum Event: Sendable, Equatable {
        case started
        /// A cycle is complete (with its constants when Marlin printed them).
        case cycle(PIDCycle)
        case temperature(TemperatureReport)
        /// The final `#define` constants all arrived.
        case finished(PIDConstants)
        case failed(PIDAutotuneFailure)
        /// A line that should have held cycle values did not read; the cycle is left out of
        /// the statistics rather than counted with a wrong number.
        case unreadable(line: String, reason: String)
    }

    public private(set) var hasStarted = false
    /// Every complete cycle, in order.
    public private(set) var cycles: [PIDCycle] = []
    public private(set) var finalConstants: PIDConstants?
    public private(set) var failure: PIDAutotuneFailure?
    /// A cycle with `Ku`/`Tu`, waiting for its rule and `Kp` lines.
    private var pending: PIDCycle?
    private var reportedCycles = 0
    private var isFinishing = false
    private var finalValues: [Character: Double] = [:]

    public init() {}

    public mutating func consume(_ line: String) -> [Event] {
        consume(line[...])
    }

    public mutating func consume(_ rawLine: Substring) -> [Event] {
        if FirmwareText.isChatter(rawLine) {
            if case .temperature(let report) = FirmwareReply(parsing: rawLine) { return [.temperature(report)] }
            return []
        }
        if let message = FirmwareText.errorMessage(rawLine) {
            guard FirmwareText.alarm(rawLine) != nil else { return [] }
            return fail(.heaterFault(String(message)))
        }
        var text = FirmwareText.body(rawLine)
        var events: [Event] = []
        // An unterminated `bias:` line can have any later output glued on, not only a
        // temperature report: cut Marlin's own messages off and read both halves.
        var tail: Substring?
        if let marker = text.firstRange(of: "PID Autotune"), marker.lowerBound != text.startIndex {
            tail = text[marker.lowerBound...]
            text = FirmwareText.trimmed(text[..<marker.lowerBound])
        }
        events += read(text)
        if let tail { events += read(tail) }
        return events
    }

    /// The tune's result once `M303` was acknowledged.
    public func result() throws(CalibrationParseError) -> PIDConstants {
        if let failure { throw .firmwareRefused(what: "M303", message: Self.message(failure)) }
        if let finalConstants { return finalConstants }
        if isFinishing {
            throw .cutShort(what: "M303's result", detail: "after `PID Autotune finished!` not all three `#define DEFAULT_K…` lines arrived")
        }
        guard hasStarted else { throw .missing(what: "M303", detail: "the firmware never printed `PID Autotune start`") }
        throw .cutShort(what: "M303", detail: "it ended without `PID Autotune finished!` or a failure (interrupted with M108?)")
    }

    private mutating func read(_ text: Substring) -> [Event] {
        if text.isEmpty { return [] }
        if text.hasPrefix("PID Autotune") { return readAnnouncement(text) }
        if text.hasPrefix("bias:") { return readBias(text) }
        if text.hasPrefix("Kp:") { return readConstants(text) }
        if text.hasPrefix("#define") { return readDefine(text) }
        if text == "Classic PID" || text == "No overshoot" || text == "Some overshoot" {
            pending?.rule = String(text)
            return []
        }
        return []
    }

    private mutating func readAnnouncement(_ text: Substring) -> [Event] {
        let rest = FirmwareText.trimmed(text.dropFirst("PID Autotune".count))
        if rest.hasPrefix("start") {
            hasStarted = true
            return [.started]
        }
        if rest.hasPrefix("finished") {
            isFinishing = true
            return flushPending()
        }
        if rest.hasPrefix("failed") {
            let reason = FirmwareText.trimmed(rest.drop { $0 != "!" }.dropFirst()).lowercased()
            let failure: PIDAutotuneFailure =
                if reason.hasPrefix("bad heater id") { .badHeaterID }
                else if reason.hasPrefix("temperature too high") { .temperatureTooHigh }
                else if reason.hasPrefix("timeout") { .timeout }
                else { .other(String(text)) }
            return flushPending() + fail(failure)
        }
        return []
    }

    private mutating func readBias(_ line: Substring) -> [Event] {
        var events = flushPending()
        // The cycle's own values end where a glued temperature report begins.
        var text = line
        var glued: TemperatureReport?
        if let maxLabel = text.firstRange(of: "max:") {
            let afterMax = text[maxLabel.upperBound...]
            let starts = [" T:", " T0:", " B:", " C:"].compactMap { afterMax.firstRange(of: $0)?.lowerBound }
            if let start = starts.min() {
                glued = TemperatureReport.parse(text[start...])
                text = text[..<start]
            }
        }
        guard let bias = DecimalNumber.after("bias:", in: text), let d = DecimalNumber.after("d:", in: text),
              let minimum = DecimalNumber.after("min:", in: text), let maximum = DecimalNumber.after("max:", in: text)
        else {
            reportedCycles += 1
            events.append(.unreadable(line: String(line), reason: "a cycle line needs numbers after bias:, d:, min: and max:"))
            if let glued { events.append(.temperature(glued)) }
            return events
        }
        reportedCycles += 1
        var cycle = PIDCycle(number: reportedCycles, bias: bias.value, d: d.value, minimumCelsius: minimum.value, maximumCelsius: maximum.value)
        let hasKu = text.firstRange(of: "Ku:") != nil
        if hasKu {
            guard let ku = DecimalNumber.after("Ku:", in: text), let tu = DecimalNumber.after("Tu:", in: text) else {
                events.append(.unreadable(line: String(line), reason: "the Ku: and Tu: values do not read as numbers"))
                return events
            }
            cycle.ultimateGain = ku.value
            cycle.ultimatePeriodSeconds = tu.value
            pending = cycle
        } else {
            cycles.append(cycle)
            events.append(.cycle(cycle))
        }
        if let glued { events.append(.temperature(glued)) }
        return events
    }

    private mutating func readConstants(_ text: Substring) -> [Event] {
        guard var cycle = pending else {
            return [.unreadable(line: String(text), reason: "Kp, Ki and Kd came without the cycle line before them (a line was lost)")]
        }
        pending = nil
        guard let kp = DecimalNumber.after("Kp:", in: text), let ki = DecimalNumber.after("Ki:", in: text), let kd = DecimalNumber.after("Kd:", in: text) else {
            return [.unreadable(line: String(text), reason: "cycle \(cycle.number)'s Kp:, Ki: and Kd: do not all read as numbers")]
        }
        cycle.constants = PIDConstants(kp: kp.value, ki: ki.value, kd: kd.value)
        cycles.append(cycle)
        return [.cycle(cycle)]
    }

    /// `#define DEFAULT_Kp 22.20`, `#define DEFAULT_bedKi 13.72`, `#define DEFAULT_chamberKd …`.
    private mutating func readDefine(_ text: Substring) -> [Event] {
        guard isFinishing, finalConstants == nil else { return [] }
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count == 3, words[1].hasPrefix("DEFAULT_"), let last = words[1].last,
              words[1].dropLast().hasSuffix("K"), "pid".contains(last)
        else { return [.unreadable(line: String(text), reason: "a final constant reads `#define DEFAULT_Kp <number>`")] }
        guard let value = DecimalNumber(words[2]) else {
            return [.unreadable(line: String(text), reason: "the final constant is not a number")]
        }
        finalValues[last] = value.value
        guard let kp = finalValues["p"], let ki = finalValues["i"], let kd = finalValues["d"] else { return [] }
        let constants = PIDConstants(kp: kp, ki: ki, kd: kd)
        finalConstants = constants
        return [.finished(constants)]
    }

    /// A cycle still waiting for its `Kp` line when something else came: it lost that line.
    private mutating func flushPending() -> [Event] {
        guard let cycle = pending else { return [] }
        pending = nil
        return [.unreadable(line: "bias: \(cycle.bias) … Ku: …", reason: "cycle \(cycle.number)'s Kp, Ki and Kd line never came")]
    }

    private mutating func fail(_ failure: PIDAutotuneFailure) -> [Event] {
        guard self.failure == nil else { return [] }
        self.failure = failure
        return [.failed(failure)]
    }

    private static func message(_ failure: PIDAutotuneFailure) -> String {
        switch failure {
        case .badHeaterID: "PID Autotune failed! Bad heater id"
        case .temperatureTooHigh: "PID Autotune failed! Temperature too high"
        case .timeout: "PID Autotune failed! timeout"
        case .heaterFault(let message), .other(let message): message
        }
    }
}
