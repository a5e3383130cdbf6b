/// Compares what a firmware executed with what a file asked for, for tests and benchmarks.
///
/// Two things are kept apart. A missing, repeated or reordered command is a host bug and
/// is reported as such. A command that ran a few characters off is damage that Marlin's XOR
/// checksum cannot see (two flips of the same bit, or a body flip matched by a flip in the
/// checksum digits): no host can prevent it, so it is only counted.
public struct ExecutionComparison: Sendable, Equatable {
    /// Commands the host adds for its own bookkeeping: the `M110` hello, the `M115`
    /// identification and the numbered `M105` syncs. They are not part of a print.
    public static let housekeeping: Set<String> = ["M110 N0", "M115", "M105"]

    public var executed: Int
    public var expected: Int
    /// Commands that ran damaged in a way the checksum cannot see.
    public var silentlyDamaged: Int
    /// The first real difference, described; `nil` when there is none.
    public var firstMismatch: String?

    public var isExact: Bool { firstMismatch == nil && executed == expected }

    public init(executed rawExecuted: [String], expected rawExpected: [String]) {
        let executedCommands = rawExecuted.filter { !Self.housekeeping.contains($0) }
        let expectedCommands = rawExpected.filter { !Self.housekeeping.contains($0) }
        executed = executedCommands.count
        expected = expectedCommands.count
        silentlyDamaged = 0
        firstMismatch = nil
        for (index, (ran, wanted)) in zip(executedCommands, expectedCommands).enumerated() where ran != wanted {
            if Self.editDistance(ran, wanted) <= 3 {
                silentlyDamaged += 1
                continue
            }
            let around = max(0, index - 2)..<min(executedCommands.count, expectedCommands.count, index + 3)
            firstMismatch = "command \(index + 1) ran as '\(ran)', the file says '\(wanted)'; "
                + "ran \(Array(executedCommands[around])) where the file has \(Array(expectedCommands[around]))"
            return
        }
        if executed != expected {
            firstMismatch = "\(executed) commands ran, the file has \(expected)"
        }
    }

    /// Characters to insert, delete or replace to turn one string into the other.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a)
        let y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        for i in 1...x.count {
            var current = [i] + Array(repeating: 0, count: y.count)
            for j in 1...y.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[y.count]
    }
}
