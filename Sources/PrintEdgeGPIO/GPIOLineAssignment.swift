/// One `LINE=VALUE` of `printedge gpio set`: the line and the logical value to drive it to.
public struct GPIOLineAssignment: Sendable, Hashable {
    /// Why a text is not an assignment, saying how to write one.
    public struct Malformed: Error, CustomStringConvertible, Equatable, Sendable {
        public var description: String
    }

    public var line: GPIOLineReference
    /// Logical: active is the low level on an active-low line.
    public var active: Bool

    public init(line: GPIOLineReference, active: Bool) {
        self.line = line
        self.active = active
    }

    /// `17=1`, `GPIO5=on`, `GPIO6=off`, `GPIO6=inactive`.
    public init(parsing text: String) throws(Malformed) {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty else {
            throw Malformed(description: "'\(text)' is not LINE=VALUE; write e.g. GPIO5=1 or 17=0")
        }
        let line = GPIOLineReference(parsing: parts[0])
        switch parts[1].lowercased() {
        case "1", "on", "active": self.init(line: line, active: true)
        case "0", "off", "inactive": self.init(line: line, active: false)
        default: throw Malformed(description: "'\(parts[1])' in '\(text)' is not a value: write 1 or 0 (on or off)")
        }
    }
}
