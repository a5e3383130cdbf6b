#if canImport(Glibc)
import Glibc
#endif
import PrintEdgeConfig

extension DaemonPreflight {
    /// Where the HTTP listener binds, and the token its requests must carry: `[http]` checked.
    struct HTTPListenerPlan: Sendable, Equatable {
        var host: String
        var port: Int
        var bearerToken: String?
    }

    /// A token longer than this is not one a person or Prometheus handles.
    static let maxBearerTokenBytes = 4096

    /// The address must be an IP address (the listener binds it as written, resolving no
    /// name); the token file must hold a token of printable ASCII on its first line, which is
    /// what an `Authorization: Bearer` header can carry as it is.
    static func checkHTTP(_ settings: HTTPSettings, _ source: ConfigurationSource) throws(DaemonError) -> HTTPListenerPlan? {
        guard case .address(let host, let port) = settings.listen else { return nil }
        var ipv4 = in_addr()
        var ipv6 = in6_addr()
        guard inet_pton(AF_INET, host, &ipv4) == 1 || inet_pton(AF_INET6, host, &ipv6) == 1 else {
            throw .configuration(source.error(
                .invalidValue, key: "http.listen",
                "key `http.listen`: `\(host)` is not an IP address; write \"127.0.0.1:\(port)\" for this host only, \"0.0.0.0:\(port)\" for every IPv4 interface, \"[::]:\(port)\" for every interface, or an address of this machine"))
        }
        let token = try settings.bearerTokenFile.map { path throws(DaemonError) in
            let token: String
            do throws(ConfigurationError) {
                token = try SecretFile.firstLine(
                    at: path, source: source, key: "http.bearer_token_file", maxBytes: maxBearerTokenBytes, what: "bearer token",
                    advice: "write the token on its first line")
            } catch { throw .configuration(error) }
            guard token.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
                throw .configuration(source.error(
                    .unusablePath, key: "http.bearer_token_file",
                    "key `http.bearer_token_file`: the token in \(path) holds a space, a control character or a non-ASCII character; a bearer token is printable ASCII (`openssl rand -hex 32` makes one)"))
            }
            return token
        }
        return HTTPListenerPlan(host: host, port: port, bearerToken: token)
    }
}
