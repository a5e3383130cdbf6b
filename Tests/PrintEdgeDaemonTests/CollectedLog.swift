import Logging
import Synchronization

/// The daemon's log lines kept in memory, for a failing test to show and a passing one to
/// check.
final class CollectedLog: Sendable {
    private let lines = Mutex<[String]>([])

    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    func contains(_ fragment: String) -> Bool {
        lines.withLock { $0.contains { $0.contains(fragment) } }
    }

    var logger: Logger {
        Logger(label: "printedged") { _ in Handler(log: self) }
    }

    fileprivate func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }

    private struct Handler: LogHandler {
        let log: CollectedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            log.append("\(event.level) \(event.message)")
        }
    }
}
