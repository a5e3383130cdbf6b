import CGPIO

/// How one line is to be requested: direction, polarity, bias, and for an input its edge
/// detection and debounce, for an output its initial level and drive — or its direction
/// left as it is, to read a line without disturbing it.
///
/// Values are logical throughout: with `activeLow`, the kernel inverts levels, initial
/// values and edges, so "active" (and a rising edge) means the low level on the wire. The
/// wiring's polarity is decided once, in configuration, and nothing above has to know it.
public struct GPIOLineSettings: Sendable, Hashable, CustomStringConvertible {
    public enum Direction: Sendable, Hashable {
        /// `debounce`: the kernel reports a change only after the level has been stable
        /// this long — in the chip where it can, in software otherwise (gpiolib-cdev
        /// debounces any input with edge detection). `.zero`: no debounce.
        case input(edges: Edges, debounce: Duration)
        /// `initiallyActive` is applied in the request itself, so the line never glitches
        /// to the other level between being claimed and being set.
        case output(initiallyActive: Bool, drive: Drive)
        /// Neither input nor output: uAPI v2 lets a request carry no direction flag, and
        /// gpiolib-cdev then leaves the line's direction and level alone (libgpiod's
        /// GPIOD_LINE_DIRECTION_AS_IS). An output keeps driving its level, and
        /// GPIO_V2_LINE_GET_VALUES_IOCTL reads the pin — the level it drives, on chips such
        /// as bcm2835 and rp1 that read the pad. The kernel refuses a bias, a drive or edges
        /// without a direction (gpio_v2_line_flags_validate), so only `activeLow` goes with it.
        case asIs
    }

    /// The internal resistor.
    public enum Bias: String, Sendable, Hashable, CaseIterable {
        /// Leave it as the boot firmware or device tree configured it.
        case asIs = "as-is"
        case disabled
        case pullUp = "pull-up"
        case pullDown = "pull-down"
    }

    public enum Drive: String, Sendable, Hashable, CaseIterable {
        case pushPull = "push-pull"
        case openDrain = "open-drain"
        case openSource = "open-source"
    }

    /// Which changes of an input are queued as events on the request's descriptor.
    public enum Edges: String, Sendable, Hashable, CaseIterable {
        case none
        case rising
        case falling
        case both
    }

    public var direction: Direction
    public var activeLow: Bool
    public var bias: Bias

    public init(direction: Direction, activeLow: Bool = false, bias: Bias = .asIs) {
        self.direction = direction
        self.activeLow = activeLow
        self.bias = bias
    }

    public static func input(bias: Bias = .asIs, edges: Edges = .none, debounce: Duration = .zero, activeLow: Bool = false) -> Self {
        GPIOLineSettings(direction: .input(edges: edges, debounce: debounce), activeLow: activeLow, bias: bias)
    }

    public static func output(initiallyActive: Bool, activeLow: Bool = false, drive: Drive = .pushPull, bias: Bias = .asIs) -> Self {
        GPIOLineSettings(direction: .output(initiallyActive: initiallyActive, drive: drive), activeLow: activeLow, bias: bias)
    }

    /// The line as it is: to read its level (an output's too) without switching it.
    public static func asIs(activeLow: Bool = false) -> Self {
        GPIOLineSettings(direction: .asIs, activeLow: activeLow)
    }

    public var isInput: Bool {
        if case .input = direction { true } else { false }
    }

    public var isOutput: Bool {
        if case .output = direction { true } else { false }
    }

    /// The `GPIO_V2_LINE_FLAG_*` bits for this line. Output values and debounce are not
    /// flags: uAPI v2 carries them as attributes.
    var kernelFlags: UInt64 {
        var flags: UInt64 = 0
        switch direction {
        case .input(let edges, _):
            flags |= Self.flag(GPIO_V2_LINE_FLAG_INPUT)
            switch edges {
            case .none: break
            case .rising: flags |= Self.flag(GPIO_V2_LINE_FLAG_EDGE_RISING)
            case .falling: flags |= Self.flag(GPIO_V2_LINE_FLAG_EDGE_FALLING)
            case .both: flags |= Self.flag(GPIO_V2_LINE_FLAG_EDGE_RISING) | Self.flag(GPIO_V2_LINE_FLAG_EDGE_FALLING)
            }
        case .output(_, let drive):
            flags |= Self.flag(GPIO_V2_LINE_FLAG_OUTPUT)
            switch drive {
            case .pushPull: break
            case .openDrain: flags |= Self.flag(GPIO_V2_LINE_FLAG_OPEN_DRAIN)
            case .openSource: flags |= Self.flag(GPIO_V2_LINE_FLAG_OPEN_SOURCE)
            }
        case .asIs:
            break
        }
        if activeLow { flags |= Self.flag(GPIO_V2_LINE_FLAG_ACTIVE_LOW) }
        switch bias {
        case .asIs: break
        case .disabled: flags |= Self.flag(GPIO_V2_LINE_FLAG_BIAS_DISABLED)
        case .pullUp: flags |= Self.flag(GPIO_V2_LINE_FLAG_BIAS_PULL_UP)
        case .pullDown: flags |= Self.flag(GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN)
        }
        return flags
    }

    static func flag(_ flag: gpio_v2_line_flag) -> UInt64 { UInt64(flag.rawValue) }

    public var description: String {
        var words: [String] = []
        switch direction {
        case .input(let edges, let debounce):
            words.append("input")
            if bias != .asIs { words.append(bias.rawValue) }
            if edges != .none { words.append(edges == .both ? "both edges" : "\(edges.rawValue) edge") }
            if debounce > .zero { words.append("debounce \(Self.describe(debounce))") }
        case .output(let initiallyActive, let drive):
            words.append("output")
            if drive != .pushPull { words.append(drive.rawValue) }
            if bias != .asIs { words.append(bias.rawValue) }
            words.append(initiallyActive ? "initially active" : "initially inactive")
        case .asIs:
            words.append("direction as-is")
            if bias != .asIs { words.append(bias.rawValue) }
        }
        if activeLow { words.append("active-low") }
        return words.joined(separator: ", ")
    }

    /// "5 ms", or "1500 µs" when not whole milliseconds.
    static func describe(_ duration: Duration) -> String {
        let microseconds = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        return microseconds % 1000 == 0 ? "\(microseconds / 1000) ms" : "\(microseconds) µs"
    }
}
