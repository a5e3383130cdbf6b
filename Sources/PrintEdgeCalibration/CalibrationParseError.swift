/// Firmware output a parser could not turn into values. Each case says which output, what was
/// wrong, and the line when there is one: a cut or damaged report is refused, never read as a
/// wrong number.
public enum CalibrationParseError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The output stopped before its end (a lost line, a reset, an `ok` too early).
    case cutShort(what: String, detail: String)
    /// A line that should hold values does not read as them.
    case unreadable(what: String, line: String, detail: String)
    /// The output never appeared.
    case missing(what: String, detail: String)
    /// The firmware printed its own refusal or failure.
    case firmwareRefused(what: String, message: String)

    public var description: String {
        switch self {
        case .cutShort(let what, let detail):
            "\(what) was cut short: \(detail); run it again, and check the USB cable if it happens twice"
        case .unreadable(let what, let line, let detail):
            "\(what): cannot read \"\(line)\": \(detail); the line is damaged or from a firmware this parser does not know"
        case .missing(let what, let detail):
            "\(what): \(detail)"
        case .firmwareRefused(let what, let message):
            "\(what): the firmware said \"\(message)\""
        }
    }
}
