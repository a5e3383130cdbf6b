/// One TOML value and where it starts, so every later complaint about it can point at it.
public struct TOMLValue: Sendable, Equatable {
    public enum Content: Sendable, Equatable {
        case string(String)
        case integer(Int)
        case float(Double)
        case boolean(Bool)
        /// A `[...]` array, or the tables of an `[[array.of.tables]]` (each at its header).
        case array([TOMLValue])
        /// A `[table]`, a table made by dotted keys, or an `{ inline = "table" }`.
        case table(TOMLTable)
    }

    public var content: Content
    /// The value's first character; for a `[table]` or `[[table]]`, its opening bracket.
    public var position: SourcePosition
    /// For a string, where its text starts: after the opening quotes, and on the next line
    /// when `"""` ends its line. Line N of a multi-line string is file line
    /// `textPosition.line + N - 1` (unless a backslash joined lines), so a complaint about
    /// one line of a G-code script can point at it.
    public var textPosition: SourcePosition?

    public init(_ content: Content, at position: SourcePosition, textPosition: SourcePosition? = nil) {
        self.content = content
        self.position = position
        self.textPosition = textPosition
    }

    var isTable: Bool {
        if case .table = content { true } else { false }
    }

    /// The TOML name of the value's type, as error messages say it.
    public var typeName: String {
        switch content {
        case .string: "string"
        case .integer: "integer"
        case .float: "float"
        case .boolean: "boolean"
        case .array: "array"
        case .table: "table"
        }
    }
}
