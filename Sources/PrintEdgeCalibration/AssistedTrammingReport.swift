/// Reads Marlin's `G35` (ASSISTED_TRAMMING) output. For every point after the first it prints
/// (`gcode/bedlevel/G35.cpp`):
/// `Turn Front-Right CCW by 0 turns and 15 minutes (-0.12mm)`: whole turns, then minutes of a
/// clock face (1/60 turn, truncated, left out when 0), then with REPORT_TRAMMING_MM the point's
/// height relative to the first. A failed probe prints
/// `G35 failed at point 1 (Front-Right) X… Y…` and `G35 aborted.`; a bad `S` prints
/// `?(S)crew thread must be 30, 31, 40, 41, 50, or 51.`. After G35 Z is unhomed.
public struct AssistedTrammingReport: Sendable, Equatable {
    /// One `Turn …` line.
    public struct Turn: Sendable, Equatable {
        public var pointName: String
        public var direction: TurnDirection
        public var fullTurns: Int
        /// Clock-face minutes, truncated by the firmware.
        public var minutes: Int
        /// The point's height minus the first point's, when the firmware reports it.
        public var differenceMM: Double?

        /// Turns as a fraction, from the firmware's truncated figures.
        public var turns: Double { Double(fullTurns) + Double(minutes) / 60 }
    }

    public private(set) var turns: [Turn] = []
    public private(set) var failure: String?
    private var problem: CalibrationParseError?

    public init() {}

    public mutating func consume(_ line: String) {
        consume(line[...])
    }

    public mutating func consume(_ rawLine: Substring) {
        guard !FirmwareText.isChatter(rawLine), problem == nil else { return }
        if let message = FirmwareText.errorMessage(rawLine) {
            if failure == nil { failure = String(message) }
            return
        }
        let text = FirmwareText.body(rawLine)
        if text.hasPrefix("G35 failed") || text.hasPrefix("G35 aborted") || text.hasPrefix("?") {
            if failure == nil { failure = String(text) }
            return
        }
        guard text.hasPrefix("Turn ") else { return }
        guard let turn = Self.turn(text) else {
            problem = .unreadable(what: "G35's adjustments", line: String(text), detail: "a line reads `Turn <point> CW|CCW by <n> turns [and <m> minutes] [(<mm>mm)]`")
            return
        }
        turns.append(turn)
    }

    /// The adjustments once `G35` was acknowledged.
    public func result() throws(CalibrationParseError) -> [Turn] {
        if let failure { throw .firmwareRefused(what: "G35", message: failure) }
        if let problem { throw problem }
        guard !turns.isEmpty else { throw .missing(what: "G35", detail: "it printed no `Turn …` line") }
        return turns
    }

    private static func turn(_ text: Substring) -> Turn? {
        guard let by = text.firstRange(of: " by ") else { return nil }
        let head = text.dropFirst(5)[..<by.lowerBound]
        guard let space = head.lastIndex(of: " ") else { return nil }
        let name = head[..<space]
        let direction: TurnDirection
        switch head[head.index(after: space)...] {
        case "CW": direction = .clockwise
        case "CCW": direction = .counterClockwise
        default: return nil
        }
        var rest = text[by.upperBound...]
        guard let turnsEnd = rest.firstRange(of: " turns"), let full = Int(rest[..<turnsEnd.lowerBound]) else { return nil }
        rest = rest[turnsEnd.upperBound...]
        var minutes = 0
        if let and = rest.firstRange(of: " and "), and.lowerBound == rest.startIndex {
            let afterAnd = rest[and.upperBound...]
            guard let minutesEnd = afterAnd.firstRange(of: " minutes"), let value = Int(afterAnd[..<minutesEnd.lowerBound]), (0..<60).contains(value) else { return nil }
            minutes = value
            rest = afterAnd[minutesEnd.upperBound...]
        }
        var difference: Double?
        let remainder = FirmwareText.trimmed(rest)
        if !remainder.isEmpty {
            guard remainder.hasPrefix("("), remainder.hasSuffix("mm)"), let value = DecimalNumber(remainder.dropFirst().dropLast(3)) else { return nil }
            difference = value.value
        }
        guard !name.isEmpty, full >= 0 else { return nil }
        return Turn(pointName: String(name), direction: direction, fullTurns: full, minutes: minutes, differenceMM: difference)
    }
}
