/// `[http]`: the daemon's HTTP listener, for Prometheus (`/metrics`) and health checks
/// (`/healthz`). On by default, on the loopback interface only: a scraper on the same host
/// reads it as it is, and reaching it from the network is a decision written in the file.
public struct HTTPSettings: Sendable, Equatable {
    public enum Listen: Sendable, Equatable, CustomStringConvertible {
        /// No listener at all.
        case off
        /// An IP address (IPv4 dotted, or IPv6 without brackets) and a TCP port; port 0 takes
        /// any free one, which the log names.
        case address(host: String, port: Int)

        public var description: String {
            switch self {
            case .off: "off"
            case .address(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            }
        }
    }

    public static let defaultPort = 9876
    public static let loopback = Listen.address(host: "127.0.0.1", port: defaultPort)

    public var listen: Listen
    /// A file whose first line is the token every request must carry
    /// (`Authorization: Bearer <token>`); `nil`: none asked for.
    public var bearerTokenFile: String?

    public init(listen: Listen = loopback, bearerTokenFile: String? = nil) {
        self.listen = listen
        self.bearerTokenFile = bearerTokenFile
    }

    /// Reads `[http]`; absent keys keep the defaults.
    init(reading table: inout TableReader) throws(ConfigurationError) {
        let text: String? = try table.optional("listen", .notEmpty)
        let tokenFile: String? = try table.optional("bearer_token_file", .notEmpty)
        try table.rejectUnknownKeys()
        var listen = Self.loopback
        if let text {
            guard let parsed = Self.listen(parsing: text) else {
                throw table.invalid(
                    "listen",
                    "key `http.listen` must be \"off\", \"loopback\" or an IP address and port (\"127.0.0.1:9876\", \"0.0.0.0:9876\", \"[::1]:9876\"), found \"\(text)\"")
            }
            listen = parsed
        }
        if listen == .off, tokenFile != nil {
            throw table.invalid("bearer_token_file", "key `http.bearer_token_file` has no use with `listen = \"off\"`: remove it, or turn the listener on")
        }
        self.init(listen: listen, bearerTokenFile: tokenFile)
    }

    /// `off`, `loopback` (127.0.0.1 on the default port), `host:port` or `[v6]:port`. Only
    /// the shape is checked here; whether the host is an address this machine can bind is
    /// `DaemonPreflight`'s (`--check-config`).
    static func listen(parsing text: String) -> Listen? {
        switch text {
        case "off": return .off
        case "loopback": return loopback
        default: break
        }
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
            guard host.contains(":") else { return nil }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            guard !host.contains(":") else { return nil }
        }
        guard !host.isEmpty, !portText.isEmpty, portText.allSatisfy(\.isASCIIDigit), let port = Int(portText), port <= 65_535 else {
            return nil
        }
        return .address(host: String(host), port: port)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
