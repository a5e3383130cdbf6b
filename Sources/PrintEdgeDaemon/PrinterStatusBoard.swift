import Synchronization

/// Every printer's state on one line, for systemd's `STATUS=` (shown by `systemctl status
/// printedged`): `printers: mk3s-1 idle, voron printing`. Printers post each change; the
/// notifier sends the newest line, and lines nobody sent yet are replaced by newer ones.
final class PrinterStatusBoard: Sendable {
    private let states: Mutex<[(id: String, state: PrinterState)]>
    /// The line after each change; only the newest waits to be taken.
    let lines: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation

    init(printerIDs: [String]) {
        states = Mutex(printerIDs.map { (id: $0, state: PrinterState.offline) })
        (lines, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    var line: String { states.withLock { Self.line($0) } }

    func post(_ state: PrinterState, for printerID: String) {
        let line = states.withLock { states in
            if let index = states.firstIndex(where: { $0.id == printerID }) { states[index].state = state }
            return Self.line(states)
        }
        continuation.yield(line)
    }

    private static func line(_ states: [(id: String, state: PrinterState)]) -> String {
        states.isEmpty ? "printers: none" : "printers: " + states.map { "\($0.id) \($0.state.rawValue)" }.joined(separator: ", ")
    }
}
