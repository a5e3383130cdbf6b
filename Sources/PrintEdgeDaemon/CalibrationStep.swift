import Foundation
import PrintEdgeCalibration
import PrintEdgeControl

/// What a calibration session asks of the driver after an event, with its reports and result
/// already JSON: one shape for every session, so one driver runs them all.
struct CalibrationStep: Sendable {
    enum Next: Sendable {
        case wait
        case send(CommandBatch)
        case ask(OperatorQuestion)
        case finish(result: JSONValue, invalidates: [CalibrationKind])
        case fail(CalibrationFailure)
    }

    var reports: [JSONValue]
    var next: Next
}

/// A calibration session of any kind behind one interface (`CalibrationSession` has
/// associated types, so sessions of different kinds cannot share a variable as they are).
protocol RunnableCalibration: Sendable {
    var kind: CalibrationKind { get }
    mutating func start() -> CalibrationStep
    mutating func lineReceived(_ line: String) -> CalibrationStep
    mutating func commandsHandled() -> CalibrationStep
    mutating func operatorAnswered(_ answer: OperatorAnswer) -> CalibrationStep
    mutating func cancelled() -> CalibrationStep
    mutating func linkLost() -> CalibrationStep
    mutating func timedOut() -> CalibrationStep
}

struct SessionRunner<Session: CalibrationSession>: RunnableCalibration {
    private var session: Session
    let kind: CalibrationKind

    init(_ session: Session, kind: CalibrationKind) {
        self.session = session
        self.kind = kind
    }

    mutating func start() -> CalibrationStep { step(session.start()) }
    mutating func lineReceived(_ line: String) -> CalibrationStep { step(session.lineReceived(line)) }
    mutating func commandsHandled() -> CalibrationStep { step(session.commandsHandled()) }
    mutating func operatorAnswered(_ answer: OperatorAnswer) -> CalibrationStep { step(session.operatorAnswered(answer)) }
    mutating func cancelled() -> CalibrationStep { step(session.cancelled()) }
    mutating func linkLost() -> CalibrationStep { step(session.linkLost()) }
    mutating func timedOut() -> CalibrationStep { step(session.timedOut()) }

    private func step(_ action: Session.Action) -> CalibrationStep {
        let reports = action.reports.compactMap { CalibrationJSON.value(of: $0) }
        switch action.next {
        case .wait: return CalibrationStep(reports: reports, next: .wait)
        case .send(let batch): return CalibrationStep(reports: reports, next: .send(batch))
        case .ask(let question): return CalibrationStep(reports: reports, next: .ask(question))
        case .fail(let failure): return CalibrationStep(reports: reports, next: .fail(failure))
        case .finish(let outcome):
            guard let result = CalibrationJSON.value(of: outcome) else {
                let failure = CalibrationFailure(cause: .unreadableOutput, reason: "the result could not be written as JSON", safeStop: SafeStop())
                return CalibrationStep(reports: reports, next: .fail(failure))
            }
            return CalibrationStep(reports: reports, next: .finish(result: result, invalidates: outcome.invalidates))
        }
    }
}

/// Calibration values as the JSON the socket, the store and the fleet carry: the types' own
/// snake_case keys, sorted.
enum CalibrationJSON {
    static func value(of item: some Encodable) -> JSONValue? {
        guard let bytes = try? encoder.encode(item) else { return nil }
        return try? JSONValue.parse(Array(bytes))
    }

    static func text(of value: JSONValue) -> String {
        String(decoding: value.encoded, as: UTF8.self)
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
