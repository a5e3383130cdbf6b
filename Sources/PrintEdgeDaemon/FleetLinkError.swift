import PrintEdgeMQTT

/// Why the fleet link cannot be set up from `[mqtt]`; the daemon exits with EX_CONFIG (78).
/// Its files (password, TLS) are checked before, by `DaemonPreflight`, with their key.
public enum FleetLinkError: Error, CustomStringConvertible {
    /// The client refused the options.
    case client(MQTTError)

    public var description: String {
        switch self {
        case .client(let error):
            "[mqtt]: \(error)"
        }
    }
}
