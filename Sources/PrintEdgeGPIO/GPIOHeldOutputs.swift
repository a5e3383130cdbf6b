import Glibc

/// Outputs `printedge gpio set` drives: claimed, at their values, for as long as this lives.
///
/// Releasing them (dropping this) closes the request's descriptor; the level then is the
/// chip's to keep or not — bcm2835 and rp1 keep it, some mainline pinctrl drivers return
/// the line to input.
public final class GPIOHeldOutputs {
    public struct Output: Equatable, Sendable {
        public let line: GPIOLineInfo
        public let active: Bool
    }

    public let chip: GPIOChip
    public let outputs: [Output]
    private let request: GPIOLineRequest

    init(chip: GPIOChip, outputs: [Output], request: GPIOLineRequest) {
        self.chip = chip
        self.outputs = outputs
        self.request = request
    }

    /// "gpiochip0 [pinctrl-rp1]: 5 (GPIO5) = 1, 6 (GPIO6) = 0, held for 2 s" — or, held
    /// until a signal, "…; Ctrl-C releases".
    public func summary(holding duration: Duration?) -> String {
        let lines = outputs.map { "\($0.line.label) = \($0.active ? 1 : 0)" }.joined(separator: ", ")
        let hold = duration.map { ", held for \(Self.describe($0))" } ?? "; Ctrl-C releases"
        return "\(chip.title): \(lines)\(hold)"
    }

    /// Blocks with the lines claimed: for `duration`, or until a signal ends the process
    /// (the kernel releases the lines as it closes the descriptor).
    public func hold(for duration: Duration?) {
        guard let duration else {
            while true { pause() }
        }
        let (seconds, attoseconds) = duration.components
        var wait = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&wait, &remaining) != 0 && errno == EINTR { wait = remaining }
    }

    /// "2 s", "1.5 s", "250 ms".
    private static func describe(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if milliseconds < 1000 { return "\(milliseconds) ms" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000) s" }
        let fraction = String(milliseconds % 1000)
        var digits = String(repeating: "0", count: 3 - fraction.count) + fraction
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(milliseconds / 1000).\(digits) s"
    }
}
