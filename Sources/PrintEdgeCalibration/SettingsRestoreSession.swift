/// `printedge calibrate settings restore`: replays a stored `M503 S0` snapshot, reads the
/// settings back to prove every value took, and optionally saves them (`M500`).
///
/// Only settings commands are replayed (`replayableCodes`): a snapshot is text from the store
/// and may have been edited, and nothing that heats, moves or pauses belongs in one. Mesh
/// points (`G29 W`, `G29 S3`) go before `M420`, so leveling is turned on once the mesh is
/// complete (replayed in `M503`'s order, `M420 S1` comes first and fails on an empty mesh).
public struct SettingsRestoreSession: CalibrationSession {
    public typealias Progress = Never

    public struct Configuration: Sendable, Equatable {
        public var settings: FirmwareSettings
        public var save: Bool
        public var eeprom: EEPROMSupport
        /// The lines to send, in order.
        public let lines: [String]

        public init(settings: FirmwareSettings, save: Bool = false, eeprom: EEPROMSupport = .unknown) throws(CalibrationRequestError) {
            let refused = settings.commands.filter { !SettingsRestoreSession.isReplayable($0) }
            guard refused.isEmpty else {
                throw .invalid(parameter: "snapshot", reason: "it holds lines that are not settings and are never replayed: \(refused.prefix(5).map(\.description).joined(separator: ", "))")
            }
            guard !settings.commands.isEmpty else { throw .invalid(parameter: "snapshot", reason: "it is empty") }
            if save, eeprom == .absent { throw .invalid(parameter: "save", reason: EEPROMSupport.cannotPersist) }
            self.settings = settings
            self.save = save
            self.eeprom = eeprom
            let meshPoints = settings.commands.filter { $0.code == "G29" }
            let leveling = settings.commands.filter { $0.code == "M420" }
            let others = settings.commands.filter { $0.code != "G29" && $0.code != "M420" }
            lines = (others + meshPoints + leveling).map(\.description)
        }
    }

    public struct Outcome: CalibrationOutcome {
        public private(set) var kind: CalibrationKind = .settingsRestore
        /// What the restore changed, from the settings before to the ones read back.
        public var changes: [SettingsDifference]
        public var persistence: Persistence
        public var settingsBefore: FirmwareSettings?
        public var settingsAfter: FirmwareSettings?

        public init(changes: [SettingsDifference], persistence: Persistence, settingsBefore: FirmwareSettings?, settingsAfter: FirmwareSettings?) {
            self.changes = changes
            self.persistence = persistence
            self.settingsBefore = settingsBefore
            self.settingsAfter = settingsAfter
        }

        enum CodingKeys: String, CodingKey {
            case kind, changes, persistence
            case settingsBefore = "settings_before"
            case settingsAfter = "settings_after"
        }
    }

    /// The settings commands `M503` reports in Marlin 2.0.9–bugfix (research §1.2). `M306`
    /// only without `T` (that would start an MPC autotune).
    static let replayableCodes: Set<String> = [
        "G20", "G21", "M92", "M145", "M149", "M200", "M201", "M203", "M204", "M205", "M206", "M207", "M208", "M209", "M217", "M218", "M250", "M255",
        "M256", "M281", "M301", "M304", "M305", "M306", "M309", "M412", "M413", "M414", "M420", "M422", "M423", "M425", "M552", "M553", "M554", "M569",
        "M593", "M603", "M665", "M666", "M710", "M851", "M852", "M900", "M906", "M907", "M913", "M914",
    ]

    static func isReplayable(_ command: SettingsCommand) -> Bool {
        if command.code == "G29" {
            // Mesh points only: `G29 W I J Z` (bilinear), `G29 S3 I J Z` and `G29 S4 Z` (MBL).
            return command.parameter("W") != nil || command.value("S") == 3 || command.value("S") == 4
        }
        if command.code == "M306", command.parameter("T") != nil { return false }
        return replayableCodes.contains(command.code)
    }

    private enum State: Sendable {
        case idle
        case readingBefore(FirmwareSettingsParser)
        case replaying(before: FirmwareSettings, refusals: [String])
        case verifying(before: FirmwareSettings, readback: SettingsReadback)
        case ended
    }

    public let configuration: Configuration
    private var state: State = .idle

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public mutating func start() -> Action {
        guard case .idle = state else { preconditionFailure("SettingsRestoreSession.start() called twice") }
        state = .readingBefore(FirmwareSettingsParser())
        return .send(CommandBatch(["M503 S0"], purpose: "reading the settings before restoring"))
    }

    public mutating func lineReceived(_ line: String) -> Action {
        let text = line[...]
        if isRunning, let alarm = FirmwareText.alarm(text) { return fail(.firmware, alarm) }
        switch state {
        case .readingBefore(var parser):
            parser.consume(text)
            state = .readingBefore(parser)
        case .replaying(let before, var refusals):
            if let command = FirmwareText.unknownCommand(text) {
                refusals.append("`Unknown command: \"\(command)\"`")
            } else if let message = FirmwareText.errorMessage(text) {
                refusals.append("`Error:\(message)`")
            } else if FirmwareText.body(text).hasPrefix("?") {
                refusals.append("`\(FirmwareText.body(text))`")
            }
            state = .replaying(before: before, refusals: refusals)
        case .verifying(let before, var readback):
            readback.lineReceived(text)
            state = .verifying(before: before, readback: readback)
        default:
            break
        }
        return .wait
    }

    public mutating func commandsHandled() -> Action {
        switch state {
        case .idle:
            preconditionFailure("SettingsRestoreSession.commandsHandled() before start()")
        case .ended:
            return .wait
        case .readingBefore(let parser):
            do {
                let before = try parser.result()
                state = .replaying(before: before, refusals: [])
                return .send(CommandBatch(configuration.lines, purpose: "restoring \(configuration.lines.count) settings", limit: .seconds(120 + configuration.lines.count)))
            } catch {
                return fail(.unreadableOutput, error.description)
            }
        case .replaying(let before, let refusals):
            guard refusals.isEmpty else {
                return fail(.firmware, "the firmware refused part of the snapshot (\(refusals.prefix(5).joined(separator: ", "))): it was probably taken from another firmware build; nothing was saved, and the settings are now partly restored (M501 reloads the saved ones)")
            }
            let readback = SettingsReadback(save: configuration.save, eeprom: configuration.eeprom, check: .snapshot(configuration.settings))
            state = .verifying(before: before, readback: readback)
            return .send(readback.firstBatch)
        case .verifying(let before, var readback):
            switch readback.commandsHandled() {
            case .send(let batch):
                state = .verifying(before: before, readback: readback)
                return .send(batch)
            case .done(let after, let persistence):
                state = .ended
                return .finish(Outcome(changes: before.differences(to: after), persistence: persistence, settingsBefore: before, settingsAfter: after))
            case .failed(let cause, let reason):
                return fail(cause, reason)
            }
        }
    }

    public mutating func operatorAnswered(_ answer: OperatorAnswer) -> Action { .wait }

    public mutating func cancelled() -> Action {
        guard isRunning else { return .wait }
        return fail(.cancelled, partlyRestored("the restore was stopped"))
    }

    public mutating func linkLost() -> Action {
        guard isRunning else { return .wait }
        return fail(.linkLost, partlyRestored("the link to the printer was lost during the restore"))
    }

    public mutating func timedOut() -> Action {
        guard isRunning else { return .wait }
        return fail(.timedOut, partlyRestored("the printer did not answer in time"))
    }

    private var isRunning: Bool {
        switch state {
        case .idle, .ended: false
        default: true
        }
    }

    private func partlyRestored(_ what: String) -> String {
        switch state {
        case .replaying, .verifying: "\(what): the settings may be partly restored; restore again, or reload the saved ones with M501"
        default: "\(what) before anything changed"
        }
    }

    /// A restore neither heats nor moves: there is nothing to stop.
    private mutating func fail(_ cause: CalibrationFailure.Cause, _ reason: String) -> Action {
        state = .ended
        return .fail(CalibrationFailure(cause: cause, reason: reason, safeStop: SafeStop()))
    }
}
