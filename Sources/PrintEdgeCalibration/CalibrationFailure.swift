/// How a calibration ended without a result, and what leaves the printer safe.
public struct CalibrationFailure: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Cause: String, Codable, Sendable {
        /// The firmware reported the failure (`PID Autotune failed!`, `Error:Probing Failed`).
        case firmware
        /// The firmware lacks the feature (`Unknown command`, no EEPROM, MPC instead of PID).
        case unsupported
        /// Output that could not be read, or was cut short.
        case unreadableOutput = "unreadable_output"
        /// A value read back is not the one written.
        case verification
        /// The person stopped it (Ctrl-C).
        case cancelled
        /// The serial link went away.
        case linkLost = "link_lost"
        /// A command did not finish within its batch's limit.
        case timedOut = "timed_out"
        /// Too many rounds without reaching the goal.
        case notConverged = "not_converged"
    }

    public var cause: Cause
    /// What happened, where, and what to do.
    public var reason: String
    public var safeStop: SafeStop

    public init(cause: Cause, reason: String, safeStop: SafeStop) {
        self.cause = cause
        self.reason = reason
        self.safeStop = safeStop
    }

    public var description: String { reason }

    enum CodingKeys: String, CodingKey {
        case cause, reason
        case safeStop = "safe_stop"
    }
}
