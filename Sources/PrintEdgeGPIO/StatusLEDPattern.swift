/// How a status LED shows the host's state, as a cycle of lit and dark phases: readable
/// from across the room, and distinct without colour (one LED, one line).
public struct StatusLEDPattern: Sendable, Hashable {
    public struct Phase: Sendable, Hashable {
        public var lit: Bool
        public var duration: Duration

        public init(lit: Bool, duration: Duration) {
            self.lit = lit
            self.duration = duration
        }
    }

    /// Repeated from the first phase after the last; a single phase is a steady light.
    public let phases: [Phase]

    /// `nil` when there is no phase, or one is not longer than zero (it could never end).
    public init?(phases: [Phase]) {
        guard !phases.isEmpty, phases.allSatisfy({ $0.duration > .zero }) else { return nil }
        self.phases = phases
    }

    private init(checked phases: [Phase]) {
        self.phases = phases
    }

    public static func steady(lit: Bool) -> StatusLEDPattern {
        StatusLEDPattern(checked: [Phase(lit: lit, duration: .seconds(1))])
    }

    /// A short flash every three seconds: alive, nothing to do.
    public static let idle = StatusLEDPattern(checked: [Phase(lit: true, duration: .milliseconds(100)), Phase(lit: false, duration: .milliseconds(2900))])
    /// Steady: a job is running.
    public static let printing = steady(lit: true)
    /// An even, slow blink: waiting for someone (runout, door, a user's pause).
    public static let paused = StatusLEDPattern(checked: [Phase(lit: true, duration: .milliseconds(500)), Phase(lit: false, duration: .milliseconds(500))])
    /// A fast blink: an error or an emergency stop wants attention.
    public static let error = StatusLEDPattern(checked: [Phase(lit: true, duration: .milliseconds(100)), Phase(lit: false, duration: .milliseconds(100))])

    /// A steady pattern never changes by itself.
    public var isSteady: Bool { phases.allSatisfy { $0.lit == phases[0].lit } }

    /// The length of one cycle.
    public var period: Duration { phases.reduce(.zero) { $0 + $1.duration } }
}
