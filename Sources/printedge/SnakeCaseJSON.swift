import Foundation

/// `--json` output of the operations commands (`health`, `doctor`, `backup`, `logs`):
/// snake_case keys, sorted, so scripts and monitoring read stable names.
enum SnakeCaseJSON {
    /// One pretty-printed document.
    static func print(_ value: some Encodable) throws {
        Swift.print(String(decoding: try encoder([.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]).encode(value), as: UTF8.self))
    }

    /// One object on one line (JSON lines, for streams such as `logs --follow`).
    static func line(_ value: some Encodable) throws {
        Swift.print(String(decoding: try encoder([.sortedKeys, .withoutEscapingSlashes]).encode(value), as: UTF8.self))
    }

    private static func encoder(_ formatting: JSONEncoder.OutputFormatting) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }
}
