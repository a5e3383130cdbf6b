import Foundation
import PrintEdgeControl

/// `--json` output of the operations commands (`health`, `doctor`, `backup`, `restore`,
/// `logs`), in the CLI's one dialect (docs/control.md): snake_case keys, sorted, and
/// `schema`. Their report types are plain structs whose property names become the keys (none
/// holds a dictionary keyed by names, which the key strategy would rewrite too).
enum SnakeCaseJSON {
    /// One pretty-printed document.
    static func print(_ value: some Encodable) throws {
        say(String(decoding: try encoder([.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]).encode(Document(body: value)), as: UTF8.self))
    }

    /// One object on one line (JSON lines, for streams such as `logs --follow`), flushed.
    static func line(_ value: some Encodable) throws {
        say(String(decoding: try encoder([.sortedKeys, .withoutEscapingSlashes]).encode(Document(body: value)), as: UTF8.self))
    }

    private static func encoder(_ formatting: JSONEncoder.OutputFormatting) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }

    private struct Document<Body: Encodable>: Encodable {
        var body: Body

        enum Key: String, CodingKey { case schema }

        func encode(to encoder: any Encoder) throws {
            try body.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(ControlCoding.schema, forKey: .schema)
        }
    }
}
