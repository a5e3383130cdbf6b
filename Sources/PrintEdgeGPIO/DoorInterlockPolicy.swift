/// The door or enclosure switch: a job cannot start (or resume) while the door is open,
/// and, if configured, opening it pauses the print.
///
/// The line's logical value is "door closed": a rising edge is the door closing.
///
/// Sans-I/O: the caller tells whether a job is printing, and performs the action.
public struct DoorInterlockPolicy: Sendable {
    public enum Observation: Sendable, Equatable {
        case opened
        case closed
    }

    public enum Action: Sendable, Equatable {
        case none
        /// Pause the printing job now, and record the opening.
        case pauseJob(reason: String)
        /// Record the observation only.
        case record(Observation)
    }

    public static let openedReason = "the door was opened: close it, then resume"

    /// Whether opening the door pauses a running print; when not, the door only guards
    /// starting (and resuming).
    public let pausesOnOpen: Bool
    /// `nil` until the line is first read.
    public private(set) var doorClosed: Bool?

    public init(pausesOnOpen: Bool) {
        self.pausesOnOpen = pausesOnOpen
    }

    /// How to request the line so that active means "closed". `closedLevel` is the level
    /// the switch reads with the door shut (a reed switch to GND closed by the magnet
    /// reads low).
    public static func lineSettings(
        closedLevel: GPIOLineLevel, bias: GPIOLineSettings.Bias, debounce: Duration
    ) -> GPIOLineSettings {
        .input(bias: bias, edges: .both, debounce: debounce, activeLow: closedLevel == .low)
    }

    /// A level read from the line: at start, or whenever the caller polls it.
    public mutating func doorRead(closed: Bool, jobIsPrinting: Bool) -> Action {
        let previous = doorClosed
        doorClosed = closed
        switch (previous, closed) {
        case (true?, true), (false?, false), (nil, true): return .none
        case (_, false): return jobIsPrinting && pausesOnOpen ? .pauseJob(reason: Self.openedReason) : .record(.opened)
        case (false?, true): return .record(.closed)
        }
    }

    /// An edge from the line's request.
    public mutating func lineEvent(_ event: GPIOLineEvent, jobIsPrinting: Bool) -> Action {
        doorRead(closed: event.edge == .rising, jobIsPrinting: jobIsPrinting)
    }

    public func jobStartRequested() -> InterlockDecision { doorCheck(for: "start") }

    public func resumeRequested() -> InterlockDecision { doorCheck(for: "resume") }

    private func doorCheck(for verb: String) -> InterlockDecision {
        switch doorClosed {
        case true?: .allowed
        case false?: .refused(reason: "the door is open: close it to \(verb)")
        case nil: .refused(reason: "the door switch has not been read yet: check its wiring and the [gpio] configuration")
        }
    }
}
