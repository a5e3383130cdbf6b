/// A parsed TOML v1.0 file whose every key and value keeps its line and column.
///
/// printedge parses TOML itself rather than through a package: the configuration's whole
/// point is precise complaints (`file:line:column`, the key, what was expected), and the
/// tree has to keep positions through to the typed decoding, which general-purpose
/// decoders drop. Dates and times are valid TOML but rejected: no setting takes one.
public struct TOMLDocument: Sendable, Equatable {
    /// The file as it was named, for messages.
    public var file: String
    public var root: TOMLTable

    /// Parses `text`; `file` only names it in errors.
    public init(parsing text: String, file: String) throws(ConfigurationError) {
        var parser = TOMLParser(text: text, file: file)
        self.file = file
        root = try parser.parse()
    }

    /// Reads and parses the file at `path`.
    public static func read(path: String) throws(ConfigurationError) -> TOMLDocument {
        let text = try ConfigurationFiles.readText(path: path)
        return try TOMLDocument(parsing: text, file: path)
    }
}
