/// A line as configuration and the command line name it: by offset on its chip, or by the
/// name the device tree gives it (`GPIO17` on a Raspberry Pi), which survives a move to a
/// board where the same header pin has another offset.
public enum GPIOLineReference: Sendable, Hashable, CustomStringConvertible {
    case offset(UInt32)
    case name(String)

    /// A decimal number is an offset, anything else a name: `17`, `GPIO17`.
    public init(parsing text: String) {
        if let offset = UInt32(text) { self = .offset(offset) } else { self = .name(text) }
    }

    public var description: String {
        switch self {
        case .offset(let offset): "line \(offset)"
        case .name(let name): "line \"\(name)\""
        }
    }
}
