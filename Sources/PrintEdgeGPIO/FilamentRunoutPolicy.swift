/// The filament runout sensor: when the filament ends during a print, pause at once (the
/// same pause a user asks for, so the job resumes from the exact next line), and refuse to
/// start or resume until filament is back.
///
/// The input is debounced by the kernel (`lineSettings`), so each event is a settled
/// change; a repeat of the known level (a bounce longer than the debounce) changes nothing.
/// The line's logical value is "filament present": a rising edge is filament inserted.
///
/// Sans-I/O: the caller tells whether a job is printing, and performs the action.
public struct FilamentRunoutPolicy: Sendable {
    /// What the sensor saw, for the job's event log and the fleet.
    public enum Observation: Sendable, Equatable {
        case runout
        case inserted
    }

    public enum Action: Sendable, Equatable {
        /// Nothing changed.
        case none
        /// Pause the printing job now, and record the runout.
        case pauseJob(reason: String)
        /// Record the observation; no job to pause.
        case record(Observation)
    }

    public static let runoutReason = "filament runout: load filament, then resume"

    /// `nil` until the line is first read.
    public private(set) var filamentPresent: Bool?

    public init() {}

    /// How to request the line so that active means "filament present". `presentLevel` is
    /// the level the sensor reads while filament passes through it (a switch to GND held
    /// closed by the filament reads low).
    public static func lineSettings(
        presentLevel: GPIOLineLevel, bias: GPIOLineSettings.Bias, debounce: Duration
    ) -> GPIOLineSettings {
        .input(bias: bias, edges: .both, debounce: debounce, activeLow: presentLevel == .low)
    }

    /// A level read from the line: at start, or whenever the caller polls it.
    public mutating func sensorRead(filamentPresent present: Bool, jobIsPrinting: Bool) -> Action {
        let previous = filamentPresent
        filamentPresent = present
        switch (previous, present) {
        case (true?, true), (false?, false): return .none
        case (nil, true): return .none
        case (_, false): return jobIsPrinting ? .pauseJob(reason: Self.runoutReason) : .record(.runout)
        case (false?, true): return .record(.inserted)
        }
    }

    /// An edge from the line's request.
    public mutating func lineEvent(_ event: GPIOLineEvent, jobIsPrinting: Bool) -> Action {
        sensorRead(filamentPresent: event.edge == .rising, jobIsPrinting: jobIsPrinting)
    }

    public func jobStartRequested() -> InterlockDecision { filamentCheck(for: "start") }

    public func resumeRequested() -> InterlockDecision { filamentCheck(for: "resume") }

    private func filamentCheck(for verb: String) -> InterlockDecision {
        switch filamentPresent {
        case true?: .allowed
        case false?: .refused(reason: "no filament in the runout sensor: load filament to \(verb)")
        case nil: .refused(reason: "the filament sensor has not been read yet: check its wiring and the [gpio] configuration")
        }
    }
}
