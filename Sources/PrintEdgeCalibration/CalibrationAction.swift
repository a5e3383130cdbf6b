/// What the driver does after an event: show the progress reports, in order, then the one
/// `next` step. One type serves every event and every session because each can lead to the
/// same steps (a line can end a tune; an answer can finish a run), so one executor in the
/// printer actor drives them all.
public struct CalibrationAction<Progress: Sendable & Equatable, Outcome: Sendable & Equatable>: Sendable, Equatable {
    public enum Next: Sendable, Equatable {
        /// Nothing to do until the next event.
        case wait
        /// Send these lines; `commandsHandled` when the last is acknowledged.
        case send(CommandBatch)
        /// Ask the person; `operatorAnswered` with the answer.
        case ask(OperatorQuestion)
        /// Done: record `Outcome` and report it.
        case finish(Outcome)
        /// Done badly: carry out the failure's `safeStop`, record and report its reason.
        case fail(CalibrationFailure)
    }

    public var reports: [Progress]
    public var next: Next

    public init(reports: [Progress] = [], next: Next) {
        self.reports = reports
        self.next = next
    }

    public static var wait: Self { Self(next: .wait) }
    public static func send(_ batch: CommandBatch, reports: [Progress] = []) -> Self { Self(reports: reports, next: .send(batch)) }
    public static func ask(_ question: OperatorQuestion, reports: [Progress] = []) -> Self { Self(reports: reports, next: .ask(question)) }
    public static func finish(_ outcome: Outcome, reports: [Progress] = []) -> Self { Self(reports: reports, next: .finish(outcome)) }
    public static func fail(_ failure: CalibrationFailure, reports: [Progress] = []) -> Self { Self(reports: reports, next: .fail(failure)) }
    public static func report(_ progress: [Progress]) -> Self { Self(reports: progress, next: .wait) }

    public var batch: CommandBatch? {
        if case .send(let batch) = next { batch } else { nil }
    }

    public var question: OperatorQuestion? {
        if case .ask(let question) = next { question } else { nil }
    }

    public var outcome: Outcome? {
        if case .finish(let outcome) = next { outcome } else { nil }
    }

    public var failure: CalibrationFailure? {
        if case .fail(let failure) = next { failure } else { nil }
    }
}
