import PrintEdgePOSIX

/// Finds printer profiles by name in the configured directories and reads each file once;
/// a name no directory has may be one of the `BuiltInProfiles`.
///
/// A relative directory is looked up beside the configuration file first, then in the
/// working directory: `hardware/profiles` then works both for a checkout
/// (`printedged --config config/printedge.toml` run from the repository) and for a
/// configuration kept next to its own profiles.
public struct ProfileCatalog: Sendable {
    /// The directories searched, in order, as absolute paths.
    public let searchDirectories: [String]
    private let configurationDirectory: String?
    private let workingDirectory: String
    private var loaded: [String: PrinterProfile] = [:]

    /// - Parameters:
    ///   - directories: as configured (`profile_directories`).
    ///   - configurationDirectory: the configuration file's directory, absolute; `nil` for
    ///     the built-in configuration.
    public init(directories: [String], configurationDirectory: String?, workingDirectory: String) {
        self.configurationDirectory = configurationDirectory
        self.workingDirectory = workingDirectory
        var resolved: [String] = []
        for directory in directories {
            for candidate in Self.candidates(directory, configurationDirectory: configurationDirectory, workingDirectory: workingDirectory)
            where !resolved.contains(candidate) {
                resolved.append(candidate)
            }
        }
        searchDirectories = resolved
    }

    /// Names of the profiles found in the search directories and the built-in ones, without
    /// duplicates.
    public func availableProfileNames() -> [String] {
        var names = Array(BuiltInProfiles.texts.keys)
        for directory in searchDirectories {
            for file in DirectoryListing.names(in: directory) where file.hasSuffix(".toml") {
                let name = ConfigurationFiles.stem(of: file)
                if !names.contains(name) { names.append(name) }
            }
        }
        return names.sorted()
    }

    /// Whether a profile reference is a file path rather than a name to look up.
    public static func isPath(_ reference: String) -> Bool {
        reference.contains("/") || reference.hasSuffix(".toml")
    }

    /// The file a reference means: a name looked up in the search directories, or a path
    /// (relative ones beside the configuration file, then in the working directory).
    public func locate(_ reference: String) -> String? {
        let candidates =
            Self.isPath(reference)
            ? Self.candidates(reference, configurationDirectory: configurationDirectory, workingDirectory: workingDirectory)
            : searchDirectories.map { ConfigurationFiles.resolve("\(reference).toml", against: $0) }
        return candidates.first(where: ConfigurationFiles.isRegularFile)
    }

    /// The profile a reference means, read once per file.
    ///
    /// - Parameters:
    ///   - reference: a profile name or a path ending in `.toml`.
    ///   - file: the file the reference is written in, for the error when none is found.
    ///   - position: where in `file`.
    public mutating func profile(
        _ reference: String, referencedIn file: String, at position: SourcePosition?
    ) throws(ConfigurationError) -> PrinterProfile {
        guard let path = locate(reference) else {
            if !Self.isPath(reference), let text = BuiltInProfiles.texts[reference] {
                return try PrinterProfile.parse(text: text, name: reference, file: BuiltInProfiles.fileName(reference))
            }
            throw notFound(reference, file: file, position: position)
        }
        if let profile = loaded[path] { return profile }
        let profile = try PrinterProfile.load(path: path)
        loaded[path] = profile
        return profile
    }

    private func notFound(_ reference: String, file: String, position: SourcePosition?) -> ConfigurationError {
        let message: String
        if Self.isPath(reference) {
            let tried = Self.candidates(reference, configurationDirectory: configurationDirectory, workingDirectory: workingDirectory)
            message = "profile file \"\(reference)\" not found; looked at \(tried.joined(separator: ", "))"
        } else {
            let names = availableProfileNames()
            let found = names.isEmpty ? "no profiles there at all" : "profiles found: \(names.joined(separator: ", "))"
            let suggestion = KeySuggestion.closest(to: reference, among: names).map { "; did you mean \"\($0)\"?" } ?? ""
            message =
                "unknown profile \"\(reference)\": no \(reference).toml in \(searchDirectories.joined(separator: ", ")); \(found)\(suggestion)"
        }
        return ConfigurationError(kind: .unknownProfile, file: file, position: position, key: "printer.profile", message: message)
    }

    private static func candidates(_ path: String, configurationDirectory: String?, workingDirectory: String) -> [String] {
        if path.hasPrefix("/") { return [path] }
        let beside = configurationDirectory.map { ConfigurationFiles.resolve(path, against: $0) }
        let inWorkingDirectory = ConfigurationFiles.resolve(path, against: workingDirectory)
        return beside.map { $0 == inWorkingDirectory ? [$0] : [$0, inWorkingDirectory] } ?? [inWorkingDirectory]
    }
}
