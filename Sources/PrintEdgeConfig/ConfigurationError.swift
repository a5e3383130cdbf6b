/// Why a configuration or profile file cannot be used, where, and what to do about it.
///
/// One type for the TOML syntax and for the typed decoding above it, so `printedged` prints
/// every mistake the same way: `file:line:column: message`, like a compiler, which editors
/// turn into a link.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The file cannot be opened or read, or is not UTF-8.
        case unreadableFile
        /// Not valid TOML: a stray character, an unterminated string, a bad escape or number.
        case syntax
        /// Valid TOML that printedge does not take (dates and times).
        case unsupported
        /// A key, table or printer id given twice.
        case duplicateKey
        /// A key no part of printedge reads: a typo, or a key in the wrong table.
        case unknownKey
        /// A value of the wrong TOML type (a string where a number belongs).
        case wrongType
        /// A required key or table is absent.
        case missingKey
        /// The type is right but the value is not allowed (out of range, malformed).
        case invalidValue
        /// A printer names a profile that no profile directory holds.
        case unknownProfile
        /// A file or directory the configuration names cannot be used as it is: missing,
        /// unreadable, of the wrong kind or content (found by the daemon's preflight).
        case unusablePath
    }

    public var kind: Kind
    /// The file as the user named it (relative paths stay relative, as they were typed).
    public var file: String
    /// Where in `file`; `nil` when the mistake is about the whole file (it cannot be read,
    /// a required table is absent).
    public var position: SourcePosition?
    /// The dotted key the mistake is about (`printer.baud`), when there is one.
    public var key: String?
    public var message: String

    public init(kind: Kind, file: String, position: SourcePosition?, key: String? = nil, message: String) {
        self.kind = kind
        self.file = file
        self.position = position
        self.key = key
        self.message = message
    }

    public var description: String {
        if let position { "\(file):\(position.line):\(position.column): \(message)" } else { "\(file): \(message)" }
    }
}
