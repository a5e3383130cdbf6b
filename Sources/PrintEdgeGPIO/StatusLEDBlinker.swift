/// Plays a `StatusLEDPattern` on one output: says when the LED changes and to what.
///
/// Phases are counted from the moment the pattern was shown, not from the last tick, so a
/// late tick (a busy daemon) shows the phase the pattern is in now instead of drifting.
///
/// Sans-I/O and clock-free: `show` and `tick` take `now`; the caller drives the line and
/// calls `tick` again at `nextChangeAt`.
public struct StatusLEDBlinker<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// What to drive the LED's line to.
    public struct Output: Sendable, Equatable {
        public var lit: Bool
        /// When the current phase ends; `nil` for a steady light.
        public var nextChangeAt: Instant?

        public init(lit: Bool, nextChangeAt: Instant?) {
            self.lit = lit
            self.nextChangeAt = nextChangeAt
        }
    }

    /// The pattern being played and when it started.
    private var shown: (pattern: StatusLEDPattern, at: Instant)?
    private var output: Output?

    public init() {}

    public var pattern: StatusLEDPattern? { shown?.pattern }

    /// When to call `tick` next; `nil` when the light is steady or nothing is shown.
    public var nextChangeAt: Instant? { output?.nextChangeAt }

    /// Starts `pattern` from its first phase. Showing the pattern already shown keeps its
    /// rhythm (a state reported twice must not make the LED stutter).
    public mutating func show(_ pattern: StatusLEDPattern, now: Instant) -> Output {
        if shown?.pattern != pattern { shown = (pattern, now) }
        return update(now: now)
    }

    /// The LED's new state when it changes; `nil` when it stays as it is (or nothing is
    /// shown). `nextChangeAt` moves on either way.
    public mutating func tick(now: Instant) -> Output? {
        guard shown != nil else { return nil }
        let before = output?.lit
        let after = update(now: now)
        return after.lit == before ? nil : after
    }

    private mutating func update(now: Instant) -> Output {
        guard let shown else { preconditionFailure("StatusLEDBlinker: updated before any pattern was shown") }
        let current = Self.position(in: shown.pattern, shownAt: shown.at, now: now)
        output = current
        return current
    }

    private static func position(in pattern: StatusLEDPattern, shownAt: Instant, now: Instant) -> Output {
        guard !pattern.isSteady else { return Output(lit: pattern.phases[0].lit, nextChangeAt: nil) }
        let period = nanoseconds(pattern.period)
        let elapsed = max(0, nanoseconds(shownAt.duration(to: now)))
        var phaseEnd = elapsed - elapsed % period
        for phase in pattern.phases {
            phaseEnd += nanoseconds(phase.duration)
            if elapsed < phaseEnd {
                return Output(lit: phase.lit, nextChangeAt: shownAt.advanced(by: .nanoseconds(phaseEnd)))
            }
        }
        preconditionFailure("StatusLEDBlinker: an instant fell outside a cycle of \(pattern.period)")
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }
}
