/// A calibration procedure as a sans-I/O state machine: it never touches the port, the clock
/// or the terminal. The driver (the printer's actor) feeds it events and carries out the
/// `CalibrationAction` each returns:
///
/// - `start()` once;
/// - `lineReceived` for every line the firmware prints while the session runs, `ok`s and
///   temperature reports included;
/// - `commandsHandled()` after the line that acknowledged the last command of the batch the
///   session asked for (its `ok` has gone through `lineReceived` first);
/// - `operatorAnswered` with the person's answer to the question asked;
/// - `cancelled()` on Ctrl-C, `linkLost()` when the port goes away, `timedOut()` when a batch
///   ran past its `limit`: each returns a failure whose `safeStop` turns off what this session
///   turned on.
///
/// After a finish or a failure every event returns `.wait`.
public protocol CalibrationSession: Sendable {
    associatedtype Progress: Sendable, Equatable, Codable
    associatedtype Outcome: CalibrationOutcome

    typealias Action = CalibrationAction<Progress, Outcome>

    mutating func start() -> Action
    mutating func lineReceived(_ line: String) -> Action
    mutating func commandsHandled() -> Action
    mutating func operatorAnswered(_ answer: OperatorAnswer) -> Action
    mutating func cancelled() -> Action
    mutating func linkLost() -> Action
    mutating func timedOut() -> Action
}

/// A finished calibration's result: what the CLI prints with `--json` (snake_case keys) and
/// what a store row keeps.
public protocol CalibrationOutcome: Codable, Sendable, Equatable {
    var kind: CalibrationKind { get }
    /// `M503 S0` before the session changed anything, when it changes settings.
    var settingsBefore: FirmwareSettings? { get }
    /// `M503 S0` read back after the change.
    var settingsAfter: FirmwareSettings? { get }
    /// The results this run made stale: `kind.invalidates` unless the run changed nothing
    /// (a tramming run whose first round was already within tolerance).
    var invalidates: [CalibrationKind] { get }
}

extension CalibrationOutcome {
    public var invalidates: [CalibrationKind] { kind.invalidates }
}
