import Logging

/// printedged's `LogHandler`: every message becomes one line through a `JournalWriter`,
/// its metadata as the line's fields. `printer` and `job` come first, in that order, so
/// `printedge logs --printer` and `--job` find them; the rest follow sorted by key.
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level
    private let writer: JournalWriter

    public init(writer: JournalWriter, level: Logger.Level = .info) {
        self.writer = writer
        logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let own = event.metadata { merged.merge(own) { $1 } }
        if let error = event.error, merged["error"] == nil { merged["error"] = "\(error)" }
        let leading = ["printer", "job"]
        let keys = leading.filter { merged[$0] != nil } + merged.keys.filter { !leading.contains($0) }.sorted()
        let fields = keys.map { LogField($0, Self.text(merged[$0]!)) }
        writer.write(LogRecord(level: event.level, text: event.message.description, fields: fields))
    }

    private static func text(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(text).joined(separator: ",")
        case .dictionary(let values): values.sorted { $0.key < $1.key }.map { "\($0.key):\(text($0.value))" }.joined(separator: ",")
        }
    }
}
