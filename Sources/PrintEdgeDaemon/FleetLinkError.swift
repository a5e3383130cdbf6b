import PrintEdgeMQTT

/// Why the fleet link cannot be set up from `[mqtt]`; the daemon exits with EX_CONFIG (78).
public enum FleetLinkError: Error, CustomStringConvertible {
    /// `password_file` cannot be read.
    case passwordFile(path: String, reason: String)
    /// The client refused the options (a TLS file that cannot be read, a bad client id).
    case client(MQTTError)
    /// A printer's id is a level the fleet link's own topics use.
    case reservedPrinterID(String, topic: String)

    public var description: String {
        switch self {
        case .passwordFile(let path, let reason):
            "[mqtt] password_file \(path) cannot be read (\(reason)) — create it with the broker password on one line, readable by printedged's user only (chmod 0600)"
        case .client(let error):
            "[mqtt]: \(error)"
        case .reservedPrinterID(let id, let topic):
            "printer id `\(id)` cannot be used with [mqtt]: its topics would mix with the daemons' presence on \(topic) — rename the printer"
        }
    }
}
