/// One job's life on its printer, decided without I/O: what a pause, a resume, a cancel, an
/// emergency stop or the printer's own screen does in each state, which job event is written
/// — before the printer is told, or as the printer acts — and what the printer shows.
///
/// The printer's actor feeds it events and carries out what they return: writes job events,
/// hands commands to the link, updates what `status` shows. The link loop does the streaming
/// mechanics (stop feeding, park, quick stop); this machine decides the lifecycle once, so the
/// rules live in one place and each is tested in microseconds.
///
/// Two kinds of writes, as the store's rule wants: a step the printer has not taken yet
/// (a resume) is written first and refused when the store refuses it; a stop (pause, cancel,
/// emergency stop) is carried out at once and its event written now or held until the disk
/// takes writes again — stopping never waits for the disk.
public struct JobSession: Sendable {
    /// Each case says what the session waits for.
    private enum State: Sendable, Equatable {
        /// Lines flow to the printer.
        case printing
        /// Feeding stopped for a pause: the lines written are being handled and the head parked.
        /// `resumeWhenParked`: the printer's screen asked to resume meanwhile.
        case pausing(resumeWhenParked: Bool)
        /// Parked; the file goes on from `position` when resumed.
        case paused(JobPosition)
        /// The firmware paused by itself (`//action:paused`, a filament change): the link holds
        /// the stream, and only the printer resumes it.
        case heldByFirmware
        /// A cancel or an emergency stop was recorded as `outcome`; waiting for the stream's end.
        case stopping(outcome: JobState)
        /// The stream ended in this state.
        case ended(JobState)
    }

    /// A job event to write.
    public struct Step: Sendable, Equatable {
        public var state: JobState
        /// `nil`: the store names it from the states (`JobEventKind.step`).
        public var kind: JobEventKind?
        public var detail: String?

        public init(_ state: JobState, _ kind: JobEventKind?, _ detail: String?) {
            self.state = state
            self.kind = kind
            self.detail = detail
        }
    }

    /// What the printer shows for the job.
    public enum Display: Sendable, Equatable {
        case printing
        /// A pause or a cancel is being seen through.
        case finishing
        case paused
    }

    /// How a stream ended, as the link reports it.
    public enum StreamEnd: Sendable, Equatable {
        /// The last line was proven handled.
        case completed
        /// The cancel script was handled.
        case cancelled
        /// The link or the printer failed: a reset, a halt, an unplugged cable, a closed link.
        case failed(reason: String)
    }

    public let jobID: Int64
    public let printerID: String
    private var state = State.printing
    /// The job's state as last recorded: what the store holds, or will once held steps are written.
    public private(set) var recorded = JobState.printing

    /// A job whose start (or recovery) was written: it prints.
    public init(jobID: Int64, printerID: String) {
        self.jobID = jobID
        self.printerID = printerID
    }

    /// Whether the stream is over; the session then answers nothing more.
    public var hasEnded: Bool {
        if case .ended = state { return true }
        return false
    }

    /// Where a parked job goes on from, once parked.
    public var pausePosition: JobPosition? {
        if case .paused(let position) = state { return position }
        return nil
    }

    // MARK: - Requests (from the user, the fleet, a runout sensor, the printer's screen)

    public enum PauseAction: Sendable, Equatable {
        case refuse(String)
        /// Record `step` (never waiting for the disk), stop feeding and park.
        case pause(record: Step, show: Display)
    }

    public mutating func pauseRequested(detail: String) -> PauseAction {
        guard state == .printing else { return .refuse("printer \(printerID) is not printing") }
        state = .pausing(resumeWhenParked: false)
        return .pause(record: record(Step(.paused, .paused, detail)), show: .finishing)
    }

    public enum ResumeAction: Sendable, Equatable {
        case refuse(String)
        /// Write `step` first (refused if the store refuses it); once written, `resumeRecorded`
        /// says to send the restore G-code and feed again from `position`.
        case resume(write: Step, from: JobPosition)
        /// The head is still parking: the resume follows once it is parked.
        case afterParking
    }

    /// `interlock`: why the hardware forbids a resume now (an open door, no filament).
    /// `fromPrinter`: the printer's screen asked; a resume while still parking then waits for
    /// the park instead of being refused.
    public mutating func resumeRequested(detail: String?, interlock: String? = nil, fromPrinter: Bool = false) -> ResumeAction {
        switch state {
        case .paused(let position):
            if let interlock { return .refuse("printer \(printerID): \(interlock)") }
            return .resume(write: Step(.printing, .resumed, detail), from: position)
        case .pausing where fromPrinter:
            state = .pausing(resumeWhenParked: true)
            return .afterParking
        case .pausing:
            return .refuse("the job is still parking after its pause; resume it once `printedge status` shows it paused")
        case .heldByFirmware:
            return .refuse("the printer paused the job by itself (a filament change, say): resume it on the printer's screen")
        case .printing, .stopping, .ended:
            return .refuse("printer \(printerID) has no paused job")
        }
    }

    /// The resume was written: the job prints again.
    public mutating func resumeRecorded() -> Display {
        guard case .paused = state else { preconditionFailure("JobSession.resumeRecorded in \(state)") }
        state = .printing
        recorded = .printing
        return .printing
    }

    public enum CancelAction: Sendable, Equatable {
        case refuse(String)
        /// Record `step` (never waiting for the disk), stop feeding, quick-stop, run the cancel script.
        case cancel(record: Step, show: Display)
    }

    public mutating func cancelRequested(detail: String) -> CancelAction {
        switch state {
        case .printing, .pausing, .paused, .heldByFirmware:
            state = .stopping(outcome: .cancelled)
            return .cancel(record: record(Step(.cancelled, .cancelled, detail)), show: .finishing)
        case .stopping, .ended:
            return .refuse("printer \(printerID) has no job to cancel")
        }
    }

    /// `M112` goes out whatever this returns; the job is aborted unless it is already ending.
    public mutating func emergencyStopped(detail: String) -> Step? {
        switch state {
        case .printing, .pausing, .paused, .heldByFirmware:
            state = .stopping(outcome: .aborted)
            return record(Step(.aborted, .aborted, detail))
        case .stopping, .ended:
            return nil
        }
    }

    // MARK: - Events from the link

    public enum ParkedAction: Sendable, Equatable {
        case ignore
        case show(Display)
        /// Shown paused, and the printer's screen asked to resume meanwhile: resume now.
        case showAndResume(Display)
    }

    /// The pause's park was carried out; the file goes on from `position`.
    public mutating func parked(at position: JobPosition) -> ParkedAction {
        guard case .pausing(let resumeWhenParked) = state else { return .ignore }
        state = .paused(position)
        return resumeWhenParked ? .showAndResume(.paused) : .show(.paused)
    }

    public enum HostActionResult: Sendable, Equatable {
        case ignore
        case pause(PauseAction)
        case resume(ResumeAction)
        case cancel(CancelAction)
        /// The firmware paused or resumed by itself: record what it did.
        case record(Step, show: Display)
    }

    /// `//action:` from the printer's own screen, carried out as the user's own pause, resume
    /// and cancel are; `paused` and `resumed` say the firmware did it by itself.
    public mutating func hostAction(_ action: HostAction) -> HostActionResult {
        switch (action, state) {
        case (.pause, .printing):
            return .pause(pauseRequested(detail: "paused from the printer's screen"))
        case (.paused, .printing):
            state = .heldByFirmware
            return .record(record(Step(.paused, .paused, "the printer paused by itself (//action:paused)")), show: .paused)
        case (.resume, .heldByFirmware), (.resumed, .heldByFirmware):
            state = .printing
            return .record(record(Step(.printing, .resumed, "the printer resumed by itself (//action:\(action))")), show: .printing)
        case (.resume, .paused), (.resume, .pausing):
            return .resume(resumeRequested(detail: "resumed from the printer's screen", fromPrinter: true))
        case (.cancel, .printing), (.cancel, .pausing), (.cancel, .paused), (.cancel, .heldByFirmware):
            return .cancel(cancelRequested(detail: "cancelled from the printer's screen"))
        default:
            return .ignore
        }
    }

    /// The stream ended. Returns the steps to record, in order: a cancel or an emergency stop
    /// already recorded its own outcome; a failure while the daemon stops leaves the job
    /// interrupted (recoverable), not failed.
    public mutating func streamEnded(_ end: StreamEnd, daemonStopping: Bool) -> [Step] {
        let final: JobState
        let reason: String?
        switch (state, end) {
        case (.ended, _):
            return []
        case (.stopping(let outcome), _):
            final = outcome
            reason = nil
        case (_, .completed):
            final = .completed
            reason = nil
        case (_, .cancelled):
            final = .cancelled
            reason = nil
        case (_, .failed(let why)):
            final = daemonStopping ? .interrupted : .failed
            reason = why
        }
        var steps: [Step] = []
        if recorded == .paused, final == .completed {
            steps.append(record(Step(.printing, .resumed, "the pause came after the last line was sent: the job ran to its end")))
        }
        if recorded != final {
            steps.append(record(Step(final, nil, reason)))
        }
        state = .ended(final)
        return steps
    }

    private mutating func record(_ step: Step) -> Step {
        recorded = step.state
        return step
    }
}
