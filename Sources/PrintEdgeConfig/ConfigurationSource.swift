/// The file a configuration was read from, with the position of every key in it, so that a
/// check made after loading — a file the configuration names cannot be read, a directory it
/// names cannot be created — points at its key as a load error does (`file:line:column:`).
public struct ConfigurationSource: Sendable {
    /// The file as the user named it, or `<built-in configuration>`.
    public let file: String
    private let root: TOMLTable

    /// A configuration written in no file: errors name `file` and no line.
    public init(file: String) {
        self.file = file
        root = TOMLTable()
    }

    init(document: TOMLDocument) {
        file = document.file
        root = document.root
    }

    /// An error about the value of `key` (dotted as messages write it: `mqtt.tls_ca_file`),
    /// pointing at the value, or, when the key took its default, at the nearest table above
    /// it that is written, or at no line. `printer` picks the `[[printer]]` or
    /// `[[gpio.printer]]` the key belongs to, by its `id`.
    public func error(_ kind: ConfigurationError.Kind, key: String, printer: String? = nil, _ message: String) -> ConfigurationError {
        ConfigurationError(kind: kind, file: file, position: position(of: key, printer: printer), key: key, message: message)
    }

    private func position(of key: String, printer: String?) -> SourcePosition? {
        var table = root
        var nearest: SourcePosition?
        for part in key.split(separator: ".").map(String.init) {
            guard let value = table[part] else { return nearest }
            switch value.content {
            case .table(let subtable):
                nearest = value.position
                table = subtable
            case .array(let elements) where !elements.isEmpty && elements.allSatisfy(\.isTable):
                let element = elements.first { element in
                    guard case .table(let candidate) = element.content, case .string(let id)? = candidate["id"]?.content else { return false }
                    return id == printer
                }
                guard let element, case .table(let subtable) = element.content else { return value.position }
                nearest = element.position
                table = subtable
            default:
                return value.position
            }
        }
        return nearest
    }
}

extension ConfigurationSource: Equatable {
    /// Where a setting was written is no part of the setting: two configurations that say
    /// the same are equal, whichever file said it (the example file equals the built-in one).
    public static func == (lhs: ConfigurationSource, rhs: ConfigurationSource) -> Bool { true }
}
