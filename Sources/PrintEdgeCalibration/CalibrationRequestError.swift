/// A calibration asked for with values it cannot run with; thrown before anything is sent.
public enum CalibrationRequestError: Error, CustomStringConvertible, Equatable, Sendable {
    /// `parameter` (as the command line names it) is unusable: `reason` says why and what to give.
    case invalid(parameter: String, reason: String)

    public var description: String {
        switch self {
        case .invalid(let parameter, let reason): "\(parameter): \(reason)"
        }
    }
}
