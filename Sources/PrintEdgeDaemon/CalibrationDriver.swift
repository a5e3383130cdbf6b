import Foundation
import PrintEdgeAgent
import PrintEdgeCalibration
import PrintEdgeControl
import PrintEdgeCore
import PrintEdgeStore

/// Runs one calibration session on a printer, for the printer's actor, which owns it while
/// the run lasts and refuses jobs, manual G-code and other calibrations meanwhile.
///
/// It keeps the driver contract of `CalibrationSession`: every firmware line to
/// `lineReceived` (the actor turns the link's console listening on, so `ok`s come too),
/// `commandsHandled` once the batch's checkpoint sync came back (`.sendCompleted` of its tag),
/// answers, Ctrl-C, a lost link and a batch past its limit. What it needs done on the link
/// comes back as `Effect`s for the actor to carry out; events go straight to the client's
/// stream, and the run's record to the store.
///
/// A failure's `SafeStop` goes out at once: its emergency lines on the emergency lane
/// (`M108`, `M410`), its lines as a batch behind whatever runs. The run reports its end only
/// once those lines were handled (or after `stopLimit`, when a command that cannot be
/// interrupted holds them back), so a client that sees the end sees a printer left safe.
struct CalibrationDriver {
    enum Effect: Sendable {
        case submit(PrinterConnection.Command)
        /// Call `timerFired(generation:)` after this long.
        case armTimer(Duration, generation: Int)
        /// Lines to send first when the link is back (the run ended while it was down).
        case safeStopWhenConnected(SafeStop)
        /// The run is over: drop the driver.
        case ended
    }

    /// How long a failed run waits for its stop lines before reporting its end anyway: a tune
    /// on firmware without EMERGENCY_PARSER holds them until it ends by itself.
    static let stopLimit: Duration = .seconds(60)

    private enum State {
        case running
        /// The safe stop's lines are out; the failure is reported once they are handled.
        case stopping(tag: UInt64, failure: CalibrationFailure)
        case ended
    }

    let kind: CalibrationKind
    private let printerID: String
    private var session: any RunnableCalibration
    private let recorder: CalibrationRecorder
    private let events: AsyncStream<CalibrationEvent>.Continuation
    private var state = State.running
    /// The tag of the batch in flight, whose `.sendCompleted` means `commandsHandled`.
    private var batchTag: UInt64?
    private(set) var step: String?
    private(set) var question: OperatorQuestion?
    private var timerGeneration = 0
    private var nextTag: UInt64 = 0
    /// The latest reports, kept with a failure's record (tramming rounds, probe samples).
    private var recentReports: [JSONValue] = []
    /// Set while the link is down: nothing can be sent.
    private var linkDown = false

    /// Tags of this driver's batches: the high bit keeps them apart from `send`'s.
    private static let tagBase: UInt64 = 1 << 63

    init(session: any RunnableCalibration, printerID: String, recorder: CalibrationRecorder, events: AsyncStream<CalibrationEvent>.Continuation) {
        self.session = session
        kind = session.kind
        self.printerID = printerID
        self.recorder = recorder
        self.events = events
    }

    var isWaitingForAnswer: Bool { question != nil }

    mutating func start() -> [Effect] {
        emit(CalibrationEvent(type: .started, printer: printerID, kind: kind))
        return carryOut(session.start())
    }

    mutating func lineReceived(_ line: String) -> [Effect] {
        guard case .running = state else { return [] }
        return carryOut(session.lineReceived(line))
    }

    /// A batch's checkpoint came back; `false` when the tag is not this driver's.
    mutating func sendCompleted(tag: UInt64) -> (handled: Bool, effects: [Effect]) {
        switch state {
        case .running where tag == batchTag:
            batchTag = nil
            timerGeneration += 1
            return (true, carryOut(session.commandsHandled()))
        case .stopping(let stopTag, let failure) where tag == stopTag:
            return (true, end(failure))
        default:
            return (tag >= Self.tagBase, [])
        }
    }

    /// The person's answer, as typed; refused (the question stays) when it does not fit.
    mutating func answer(_ text: String) throws(ControlError) -> [Effect] {
        guard case .running = state, let question else {
            throw ControlError(code: .refused, message: "the \(kind.rawValue) calibration on printer \(printerID) is not waiting for an answer")
        }
        let answer = try Self.parse(text, for: question)
        self.question = nil
        return carryOut(session.operatorAnswered(answer))
    }

    mutating func cancel() -> [Effect] {
        guard case .running = state else { return [] }
        return carryOut(session.cancelled())
    }

    /// The connection ended. A run still going fails; one stopping ends now, its stop lines
    /// sent when the link is back.
    mutating func linkLost() -> [Effect] {
        linkDown = true
        switch state {
        case .running:
            return carryOut(session.linkLost())
        case .stopping(_, let failure):
            return [.safeStopWhenConnected(failure.safeStop)] + end(failure)
        case .ended:
            return []
        }
    }

    mutating func timerFired(generation: Int) -> [Effect] {
        guard generation == timerGeneration else { return [] }
        switch state {
        case .running where batchTag != nil:
            return carryOut(session.timedOut())
        case .stopping(_, var failure):
            failure.reason += "; the printer has not handled the stop lines yet (\(failure.safeStop.lines.joined(separator: ", "))): they go out as soon as the command it runs ends"
            return end(failure)
        default:
            return []
        }
    }

    // MARK: - Carrying out a step

    private mutating func carryOut(_ step: CalibrationStep) -> [Effect] {
        for report in step.reports {
            recentReports.append(report)
            if recentReports.count > 20 { recentReports.removeFirst() }
            emit(CalibrationEvent(type: .progress, printer: printerID, kind: kind, progress: report))
        }
        switch step.next {
        case .wait:
            return []
        case .send(let batch):
            let tag = newTag()
            batchTag = tag
            self.step = batch.purpose
            timerGeneration += 1
            emit(CalibrationEvent(type: .step, printer: printerID, kind: kind, step: batch.purpose))
            return [.submit(.send(lines: batch.lines, tag: tag, exclusive: batch.isExclusive)), .armTimer(batch.limit, generation: timerGeneration)]
        case .ask(let question):
            self.question = question
            self.step = nil
            emit(CalibrationEvent(type: .question, printer: printerID, kind: kind, question: question))
            return []
        case .finish(let result, let invalidates):
            state = .ended
            question = nil
            let record = store(.completed, data: result, invalidates: invalidates)
            emit(CalibrationEvent(type: .finished, printer: printerID, kind: kind, result: result, record: record, invalidates: invalidates))
            events.finish()
            return [.ended]
        case .fail(let failure):
            question = nil
            batchTag = nil
            return stop(failure)
        }
    }

    /// Sends the safe stop; the failure is reported once its lines are handled.
    private mutating func stop(_ failure: CalibrationFailure) -> [Effect] {
        let safeStop = failure.safeStop
        if linkDown {
            return (safeStop.isEmpty ? [] : [.safeStopWhenConnected(safeStop)]) + end(failure)
        }
        var effects = safeStop.emergencyLines.compactMap { line in Self.emergency(line).map { Effect.submit(.emergency($0)) } }
        guard !safeStop.lines.isEmpty else { return effects + end(failure) }
        let tag = newTag()
        state = .stopping(tag: tag, failure: failure)
        step = "leaving the printer safe: " + (safeStop.emergencyLines + safeStop.lines).joined(separator: ", ")
        timerGeneration += 1
        emit(CalibrationEvent(type: .step, printer: printerID, kind: kind, step: step))
        effects += [.submit(.send(lines: safeStop.lines, tag: tag)), .armTimer(Self.stopLimit, generation: timerGeneration)]
        return effects
    }

    private mutating func end(_ failure: CalibrationFailure) -> [Effect] {
        state = .ended
        let outcome: CalibrationRecord.Outcome = failure.cause == .cancelled ? .cancelled : .failed
        var members: [(key: String, value: JSONValue)] = [("kind", .string(kind.rawValue))]
        if let failureJSON = CalibrationJSON.value(of: failure) { members.append(("failure", failureJSON)) }
        if !recentReports.isEmpty { members.append(("reports", .array(recentReports))) }
        let record = store(outcome, data: .object(members), invalidates: [])
        emit(CalibrationEvent(type: .failed, printer: printerID, kind: kind, failure: failure, record: record))
        events.finish()
        return [.ended]
    }

    private func store(_ outcome: CalibrationRecord.Outcome, data: JSONValue, invalidates: [CalibrationKind]) -> Int64? {
        do {
            return try recorder.record(kind: kind, outcome: outcome, data: data, invalidates: invalidates)
        } catch {
            emit(CalibrationEvent(type: .progress, printer: printerID, kind: kind,
                                  progress: .object([("stage", .string("not_recorded")), ("message", .string("the store refused the run's record: \(error)"))])))
            return nil
        }
    }

    private func emit(_ event: CalibrationEvent) {
        events.yield(event)
    }

    private mutating func newTag() -> UInt64 {
        nextTag += 1
        return Self.tagBase | nextTag
    }

    /// The emergency lane's commands; `M112` is not a calibration's to send.
    private static func emergency(_ line: String) -> HostProtocol.EmergencyCommand? {
        switch GCodeCommandWord.of(line) {
        case "M108": .cancelWait
        case "M410": .quickStop
        default: nil
        }
    }

    /// Reads what a person typed for `question`: yes/no, a length, a babystep, a TESTZ move,
    /// or `accept`.
    static func parse(_ text: String, for question: OperatorQuestion) throws(ControlError) -> OperatorAnswer {
        let word = text.trimmingCharacters(in: .whitespaces).lowercased()
        func refuse(_ expected: String) -> ControlError {
            ControlError(code: .badRequest, message: "`\(text)` does not answer \"\(question.prompt)\": answer \(expected)")
        }
        switch question.kind {
        case .confirm:
            switch word {
            case "y", "yes": return .yes
            case "n", "no": return .no
            default: throw refuse("yes or no")
            }
        case .length:
            guard let mm = Double(word), mm.isFinite else { throw refuse("a length in mm, such as 20.5") }
            return .length(mm: mm)
        case .babystep:
            if word == "accept" || word == "a" { return .accept }
            guard let mm = Double(word), mm.isFinite, mm != 0 else { throw refuse("a babystep in mm (negative: down), such as -0.05, or accept") }
            return .babystep(mm: mm)
        case .testZ:
            if word == "accept" || word == "a" { return .accept }
            guard let move = TestZMove(text: word) else { throw refuse("a TESTZ move (+, -, ++, -- or a distance such as -0.1), or accept") }
            return .testZ(move)
        }
    }
}
