import PrintEdgeCore

/// The end of every session that changes a setting: optionally `M500`, then (only on firmware
/// that said it has an EEPROM) `M501` to load what was stored, then `M503 S0` to read the
/// values back and compare them with what was written. A save is proven by reading back,
/// never by `echo:Settings Stored`, which only EEPROM_CHITCHAT builds print (research §1.0).
struct SettingsReadback: Sendable {
    /// A value the read-back settings must hold.
    struct Expectation: Sendable, Equatable {
        var code: String
        var selector: [Character: String] = [:]
        var letter: Character
        var value: Double
        /// How a person calls it: "Kp", "E steps per mm", "probe Z offset".
        var label: String
    }

    enum Check: Sendable, Equatable {
        case values([Expectation])
        /// Every value of this snapshot (a restore).
        case snapshot(FirmwareSettings)
    }

    enum Step: Sendable, Equatable {
        case storing
        case reloading
        case reading
    }

    enum Result: Sendable, Equatable {
        case send(CommandBatch)
        case done(FirmwareSettings, Persistence)
        case failed(CalibrationFailure.Cause, String)
    }

    private(set) var step: Step
    private let save: Bool
    private let eeprom: EEPROMSupport
    private let check: Check
    private var parser = FirmwareSettingsParser()
    private var eepromProblem: String?

    init(save: Bool, eeprom: EEPROMSupport, check: Check) {
        self.save = save
        self.eeprom = eeprom
        self.check = check
        step = save ? .storing : .reading
    }

    var firstBatch: CommandBatch {
        save ? CommandBatch(["M500"], purpose: "saving the settings to the EEPROM") : Self.readBatch
    }

    static let readBatch = CommandBatch(["M503 S0"], purpose: "reading the settings back")

    mutating func lineReceived(_ line: Substring) {
        if step == .reading { parser.consume(line) }
        let text = FirmwareText.errorMessage(line) ?? FirmwareText.body(line)
        let lower = text.lowercased()
        if lower.contains("eeprom"), lower.contains("disabled") || lower.contains("mismatch") || lower.contains("corrupt") || lower.contains("error") {
            eepromProblem = eepromProblem ?? String(text)
        }
    }

    mutating func commandsHandled() -> Result {
        switch step {
        case .storing:
            if let problem = eepromProblem {
                if problem.lowercased().contains("disabled") { return .failed(.unsupported, EEPROMSupport.cannotPersist) }
                return .failed(.firmware, "M500 answered \"\(problem)\": the settings may not be stored; run `M501` at the printer and check them before relying on it")
            }
            if eeprom == .present {
                step = .reloading
                return .send(CommandBatch(["M501"], purpose: "loading the EEPROM again to prove the save"))
            }
            step = .reading
            return .send(Self.readBatch)
        case .reloading:
            if let problem = eepromProblem {
                return .failed(.verification, "M501 answered \"\(problem)\" when loading what M500 stored: the EEPROM did not keep the settings; the printer now runs on what it could load, so check them")
            }
            step = .reading
            return .send(Self.readBatch)
        case .reading:
            let settings: FirmwareSettings
            do {
                settings = try parser.result()
            } catch {
                return .failed(.unreadableOutput, error.description)
            }
            let mismatches = Self.mismatches(check, in: settings)
            guard mismatches.isEmpty else {
                let context = save ? (eeprom == .present ? "after M500 and M501" : "after M500") : "after setting it"
                return .failed(.verification, "\(context) the printer reports \(mismatches.prefix(5).joined(separator: "; "))\(mismatches.count > 5 ? " and \(mismatches.count - 5) more" : ""): it did not keep what was written")
            }
            let persistence: Persistence = !save ? .notRequested : (eeprom == .present ? .verified : .storedUnverified)
            return .done(settings, persistence)
        }
    }

    private static func mismatches(_ check: Check, in settings: FirmwareSettings) -> [String] {
        switch check {
        case .values(let expectations):
            return expectations.compactMap { expected in
                guard let reported = settings.value(expected.code, expected.letter, where: expected.selector), let number = DecimalNumber(reported.text[...]) else {
                    return "no \(expected.code) \(expected.letter) (\(expected.label)) at all"
                }
                return matches(expected.value, number) ? nil : "\(expected.label) \(reported.text), not the \(GCodeDecimal.text(expected.value, decimals: 3)) written"
            }
        case .snapshot(let wanted):
            return wanted.differences(to: settings).compactMap { difference in
                switch difference.change {
                case .added: nil
                case .removed: "no \(difference.command) line"
                case .changed:
                    "\(difference.command) \(difference.parameter ?? "") \(difference.after ?? "missing"), not \(difference.before ?? "missing")"
                }
            }
        }
    }

    /// Equal to the precision the firmware printed (M503 prints most values with 2 decimals).
    private static func matches(_ expected: Double, _ reported: DecimalNumber) -> Bool {
        var unit = 1.0
        for _ in 0..<reported.decimals { unit /= 10 }
        return abs(expected - reported.value) <= unit / 2 + 1e-6
    }
}
