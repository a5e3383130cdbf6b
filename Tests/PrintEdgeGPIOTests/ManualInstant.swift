/// An instant on a clock that moves only when a test says so.
struct ManualInstant: InstantProtocol, CustomStringConvertible {
    var sinceStart: Duration

    static let start = ManualInstant(sinceStart: .zero)

    func advanced(by duration: Duration) -> ManualInstant { ManualInstant(sinceStart: sinceStart + duration) }
    func duration(to other: ManualInstant) -> Duration { other.sinceStart - sinceStart }
    static func < (lhs: ManualInstant, rhs: ManualInstant) -> Bool { lhs.sinceStart < rhs.sinceStart }
    static func + (lhs: ManualInstant, rhs: Duration) -> ManualInstant { lhs.advanced(by: rhs) }
    static func - (lhs: ManualInstant, rhs: Duration) -> ManualInstant { lhs.advanced(by: .zero - rhs) }

    var description: String { "t+\(sinceStart)" }
}
