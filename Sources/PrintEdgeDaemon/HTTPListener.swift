#if canImport(Glibc)
import Glibc
#endif
import FlyingFox
import FlyingSocks
import FoundationEssentials
import Logging
import PrintEdgeControl
import ServiceLifecycle
import Synchronization

/// The daemon's HTTP listener (`[http]`): `GET /metrics` for Prometheus and `GET /healthz`
/// for whatever watches the host.
///
/// FlyingFox serves it: a maintained HTTP/1.1 server without SwiftNIO, whose one epoll loop
/// runs on a thread of its own (a dispatch queue) and whose handlers are tasks, so nothing
/// here blocks the cooperative pool, and a Pi carries no event-loop group for two small
/// pages (docs/metrics.md has what it costs in memory).
///
/// The address is bound once at build, then given back, so that a port already taken or an
/// address this host does not have stops the daemon at start, with its exit status, rather
/// than after it said it was ready. A listener that fails later is logged and stays down:
/// a print never stops for its metrics; Prometheus sees the target down.
final class HTTPListener: Service, Sendable {
    let plan: DaemonPreflight.HTTPListenerPlan
    private let server: HTTPServer
    private let metrics: @Sendable () async -> [UInt8]
    private let health: @Sendable () async -> HealthVerdict
    private let logger: Logger
    private let stopping = Atomic<Bool>(false)

    /// Prometheus' text format, version 0.0.4: what every Prometheus accepts, and the
    /// Content-Type without which Prometheus 3 refuses the scrape.
    static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

    /// `metrics`: the exposition at the moment of a scrape. `health`: the verdict `/healthz`
    /// renders (`DaemonHealth.verdict`).
    init(plan: DaemonPreflight.HTTPListenerPlan, metrics: @escaping @Sendable () async -> [UInt8],
         health: @escaping @Sendable () async -> HealthVerdict, logger: Logger) throws(DaemonError) {
        self.plan = plan
        self.metrics = metrics
        self.health = health
        self.logger = logger
        try Self.checkBindable(plan)
        let address: any SocketAddress
        do {
            address = plan.host.contains(":") ? try sockaddr_in6.inet6(ip6: plan.host, port: UInt16(plan.port))
                : try sockaddr_in.inet(ip4: plan.host, port: UInt16(plan.port))
        } catch {
            throw .httpListener(address: Self.text(plan.host, plan.port), reason: "\(error)", exitStatus: 78)
        }
        // Requests here are bodiless GETs: a small replay buffer bounds what a stray client costs.
        server = HTTPServer(config: .init(address: address, timeout: 15, sharedRequestReplaySize: 4_096,
                                          logger: FlyingFoxLog(logger: logger)))
    }

    func run() async throws {
        await server.appendRoute("GET /metrics") { [self] request in
            if let refusal = refusal(of: request) { return refusal }
            return HTTPResponse(statusCode: .ok, headers: HTTPHeaders([.contentType: Self.metricsContentType]), body: Data(await metrics()))
        }
        await server.appendRoute("GET /healthz") { [self] request in
            if let refusal = refusal(of: request) { return refusal }
            let verdict = await health()
            guard let body = try? verdict.httpBody() else { return HTTPResponse(statusCode: .internalServerError) }
            return HTTPResponse(statusCode: verdict.httpStatus == 200 ? .ok : .serviceUnavailable,
                                headers: HTTPHeaders([.contentType: "application/json"]), body: Data(body))
        }
        let announcement = Task { await announce() }
        await withGracefulShutdownHandler {
            do {
                try await server.run()
            } catch {
                guard !stopping.load(ordering: .relaxed) else { return }
                logger.error("the HTTP listener on \(Self.text(plan.host, plan.port)) failed: \(error); /metrics and /healthz stay down until printedged restarts (printing goes on)")
                try? await gracefulShutdown()
            }
        } onGracefulShutdown: { [self] in
            stopping.store(true, ordering: .relaxed)
            // A scrape under way is cut: nothing waits on a daemon stopping for its metrics.
            Task { await server.stop(timeout: 0) }
        }
        announcement.cancel()
    }

    /// Where it listens, once it does (port 0 takes any free port).
    func listeningPort() async throws -> Int {
        try await server.waitUntilListening(timeout: 60)
        switch await server.listeningAddress {
        case .ip4(_, let port), .ip6(_, let port): return Int(port)
        default: return plan.port
        }
    }

    private func announce() async {
        guard let port = try? await listeningPort() else { return }
        logger.notice("HTTP listener on \(Self.text(plan.host, port)): /metrics, /healthz\(plan.bearerToken == nil ? "" : " (bearer token required)")")
    }

    /// 401 when a token is configured and the request does not carry it (RFC 6750).
    private func refusal(of request: HTTPRequest) -> HTTPResponse? {
        guard let token = plan.bearerToken else { return nil }
        let presented = request.headers[.authorization] ?? ""
        let scheme = "bearer "
        if presented.utf8.count > scheme.utf8.count, presented.prefix(scheme.count).lowercased() == scheme,
           Self.constantTimeEqual(Array(presented.utf8.dropFirst(scheme.utf8.count)), Array(token.utf8)) {
            return nil
        }
        return HTTPResponse(statusCode: .unauthorized, headers: HTTPHeaders([HTTPHeader("WWW-Authenticate"): #"Bearer realm="printedged""#]))
    }

    /// Compares without stopping at the first difference, so the time taken tells nothing
    /// about how much of a guess was right.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    static func text(_ host: String, _ port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Binds the address once and lets it go: the errors a start must report (a port in
    /// use, an address not on this host, a port below 1024 without the right to it).
    /// SO_REUSEADDR, as the listener sets it too, so the bind right after is not refused.
    private static func checkBindable(_ plan: DaemonPreflight.HTTPListenerPlan) throws(DaemonError) {
        let isIPv6 = plan.host.contains(":")
        let descriptor = socket(isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else {
            throw .httpListener(address: text(plan.host, plan.port), reason: String(cString: strerror(errno)), exitStatus: 71)
        }
        defer { close(descriptor) }
        var yes: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let result: Int32
        if isIPv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(plan.port).bigEndian)
            _ = inet_pton(AF_INET6, plan.host, &address.sin6_addr)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(plan.port).bigEndian)
            _ = inet_pton(AF_INET, plan.host, &address.sin_addr)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard result != 0 else { return }
        let code = errno
        let address = text(plan.host, plan.port)
        switch code {
        case EADDRINUSE:
            throw .httpListener(address: address, reason: "the port is in use by another program (`ss -ltnp 'sport = :\(plan.port)'` names it); stop it, or set another port in `http.listen`", exitStatus: 75)
        case EADDRNOTAVAIL:
            throw .httpListener(address: address, reason: "\(plan.host) is not an address of this host; set `http.listen` to one it has (`ip -brief address`), or 0.0.0.0 for every interface", exitStatus: 78)
        case EACCES:
            throw .httpListener(address: address, reason: "ports below 1024 need privileges printedged does not have; use a port from 1024 up (the default is 9876)", exitStatus: 78)
        default:
            throw .httpListener(address: address, reason: String(cString: strerror(code)), exitStatus: 71)
        }
    }
}

/// FlyingFox's messages in printedged's log: its connection-level errors (a scraper that
/// hangs up) are routine, so everything but a failure to serve at all goes to debug.
private struct FlyingFoxLog: FlyingSocks.Logging {
    let logger: Logger

    func logDebug(_ debug: @autoclosure () -> String) { logger.trace("http: \(debug())") }
    func logInfo(_ info: @autoclosure () -> String) { logger.trace("http: \(info())") }
    func logWarning(_ warning: @autoclosure () -> String) { logger.debug("http: \(warning())") }
    func logError(_ error: @autoclosure () -> String) { logger.debug("http: \(error())") }
    func logCritical(_ critical: @autoclosure () -> String) { logger.debug("http: \(critical())") }
}
