/// A printer the daemon simulates by starting `printedge-sim` itself, for trying the
/// daemon, demos and tests without hardware.
public struct VirtualPrinterSettings: Sendable, Equatable {
    /// Motion, homing, dwell and heating run this many times faster than real time.
    public var speedup: Double
    /// `nil`: the `printedge-sim` next to `printedged`, else the one on `PATH`.
    public var simulatorPath: String?
    /// Passed to `printedge-sim` after the daemon's own arguments (`--advanced-ok`,
    /// `--noise-rx 0.001`, …).
    public var extraArguments: [String]

    public init(speedup: Double = 1, simulatorPath: String? = nil, extraArguments: [String] = []) {
        self.speedup = speedup
        self.simulatorPath = simulatorPath
        self.extraArguments = extraArguments
    }
}
