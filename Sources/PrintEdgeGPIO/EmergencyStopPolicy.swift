/// The emergency stop input: pressing the button — or cutting its wire, with the
/// normally-closed wiring hardware/gpio/WIRING.md prescribes — stops the printer at once,
/// in a fixed order.
///
/// The line is requested so that its logical value is "pressed" (see `lineSettings`), so
/// a rising edge is a press and a falling edge a release, whatever the wiring. The decision
/// is cheap by construction: one `switch`, and the stop sequence is a constant, so nothing
/// is allocated between the event leaving the descriptor and `M112` being handed on.
///
/// Sans-I/O: the caller reads the line and performs the steps.
public struct EmergencyStopPolicy: Sendable {
    /// What the caller does on a press, in this order.
    public enum Step: Sendable, Equatable {
        /// `M112` on the printer's emergency lane, ahead of anything queued: Marlin's
        /// emergency parser acts on it as the bytes arrive, even with its buffer full, and
        /// kills heaters and steppers.
        case sendEmergencyStop
        /// Cut the printer's supply, whatever the hotend's temperature: a firmware that no
        /// longer listens is stopped too. Only this path switches a hot printer off.
        case switchPowerRelayOff
        /// Mark the running job aborted ("emergency stop"); it cannot be resumed.
        case abortJob
    }

    public enum Action: Sendable, Equatable {
        /// Nothing to do: a repeat of the level already known (contact bounce).
        case none
        /// Perform `steps` in order.
        case stop(steps: [Step])
        /// The button was released (or the wire mended): jobs may start again once the
        /// printer has been reset (Marlin stays killed after M112 until reset).
        case released
    }

    /// Always the same three steps; a constant, so issuing them allocates nothing.
    public static let stopSequence: [Step] = [.sendEmergencyStop, .switchPowerRelayOff, .abortJob]

    private enum State {
        /// The line has not been read yet: jobs wait for the first reading.
        case unknown
        case released
        case pressed
    }

    private var state = State.unknown

    public init() {}

    /// How to request the line so that active means pressed. The switch goes between the
    /// pin and GND, with the pull-up on: a normally-closed switch then reads high when
    /// pressed or when its wire breaks (active-high), a normally-open one reads low when
    /// pressed (active-low). Edges on both sides, so a release is seen too.
    public static func lineSettings(
        normallyClosed: Bool, bias: GPIOLineSettings.Bias = .pullUp, debounce: Duration = .zero
    ) -> GPIOLineSettings {
        .input(bias: bias, edges: .both, debounce: debounce, activeLow: !normallyClosed)
    }

    public var isPressed: Bool { state == .pressed }

    /// The level read when the line is requested (and after a reconnection). Pressed at
    /// start — or a broken wire — stops too: the relay must stay off.
    public mutating func levelRead(pressed: Bool) -> Action {
        transition(pressed: pressed)
    }

    /// An edge from the line's request.
    public mutating func lineEvent(_ event: GPIOLineEvent) -> Action {
        transition(pressed: event.edge == .rising)
    }

    public func jobStartRequested() -> InterlockDecision {
        switch state {
        case .released: .allowed
        case .pressed:
            .refused(reason: "the emergency stop is pressed (or its wire is broken): release it, check the printer, then reset it")
        case .unknown: .refused(reason: "the emergency stop has not been read yet: check its wiring and the [gpio] configuration")
        }
    }

    private mutating func transition(pressed: Bool) -> Action {
        switch (state, pressed) {
        case (.pressed, true), (.released, false): return .none
        case (.unknown, true), (.released, true):
            state = .pressed
            return .stop(steps: Self.stopSequence)
        case (.pressed, false):
            state = .released
            return .released
        case (.unknown, false):
            state = .released
            return .none
        }
    }
}
