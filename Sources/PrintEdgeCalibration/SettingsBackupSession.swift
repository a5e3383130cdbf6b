/// `printedge calibrate settings backup|show`: the firmware's configuration as `M503 S0`
/// reports it, to store, print or compare (`FirmwareSettings.differences(to:)`).
public struct SettingsBackupSession: CalibrationSession {
    public typealias Progress = Never

    public struct Outcome: CalibrationOutcome {
        public private(set) var kind: CalibrationKind = .settingsBackup
        public var settings: FirmwareSettings

        /// The snapshot is the configuration as it was; a backup changes nothing.
        public var settingsBefore: FirmwareSettings? { settings }
        public var settingsAfter: FirmwareSettings? { nil }

        public init(settings: FirmwareSettings) {
            self.settings = settings
        }
    }

    private enum State: Sendable {
        case idle
        case reading(FirmwareSettingsParser)
        case ended
    }

    private var state: State = .idle

    public init() {}

    public mutating func start() -> Action {
        guard case .idle = state else { preconditionFailure("SettingsBackupSession.start() called twice") }
        state = .reading(FirmwareSettingsParser())
        return .send(CommandBatch(["M503 S0"], purpose: "reading the settings"))
    }

    public mutating func lineReceived(_ line: String) -> Action {
        guard case .reading(var parser) = state else { return .wait }
        if let alarm = FirmwareText.alarm(line[...]) { return fail(.firmware, alarm) }
        if let command = FirmwareText.unknownCommand(line[...]), command.hasPrefix("M503") {
            return fail(.unsupported, "this firmware does not report its settings (it answered `Unknown command: \"\(command)\"`: DISABLE_M503 is set)")
        }
        parser.consume(line)
        state = .reading(parser)
        return .wait
    }

    public mutating func commandsHandled() -> Action {
        switch state {
        case .idle: preconditionFailure("SettingsBackupSession.commandsHandled() before start()")
        case .ended: return .wait
        case .reading(let parser):
            do {
                let settings = try parser.result()
                state = .ended
                return .finish(Outcome(settings: settings))
            } catch {
                return fail(.unreadableOutput, error.description)
            }
        }
    }

    public mutating func operatorAnswered(_ answer: OperatorAnswer) -> Action { .wait }

    public mutating func cancelled() -> Action {
        guard case .reading = state else { return .wait }
        return fail(.cancelled, "reading the settings was stopped")
    }

    public mutating func linkLost() -> Action {
        guard case .reading = state else { return .wait }
        return fail(.linkLost, "the link to the printer was lost while reading the settings")
    }

    public mutating func timedOut() -> Action {
        guard case .reading = state else { return .wait }
        return fail(.timedOut, "M503 did not finish in time")
    }

    /// Reading settings starts nothing: there is nothing to stop.
    private mutating func fail(_ cause: CalibrationFailure.Cause, _ reason: String) -> Action {
        state = .ended
        return .fail(CalibrationFailure(cause: cause, reason: reason, safeStop: SafeStop()))
    }
}
