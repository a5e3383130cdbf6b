#if canImport(Glibc)
import Glibc
#endif
import PrintEdgeConfig
import PrintEdgeMQTT

/// The `[mqtt]` broker is reachable and accepts the configured credentials: one connection,
/// made as the daemon makes it (host, port, TLS files, user name, password file), under its
/// own client id so a running daemon's session is not taken over. It connects for real,
/// whatever root the other checks read: the broker is on the network, not in a tree.
struct BrokerCheck: DoctorCheck {
    func findings(_ context: DoctorContext) async -> [DoctorFinding] {
        guard let settings = context.configuration.mqtt else {
            return [DoctorFinding("fleet.broker", .notApplicable, "no [mqtt] section: the daemon works alone")]
        }
        let server = settings.host.contains(":") ? "[\(settings.host)]:\(settings.port)" : "\(settings.host):\(settings.port)"
        let password: String?
        do {
            password = try settings.password(source: context.configuration.source)
        } catch {
            return [DoctorFinding("fleet.broker", subject: server, .problem, "\(error)",
                                  fix: "run the doctor as root or as printedged's user, who must be able to read it")]
        }
        let credentials = settings.username.map { MQTTCredentials(userName: $0, password: password) }
        let options = MQTTClientOptions(
            host: settings.host, port: settings.port, clientID: "\(settings.clientID ?? "printedge")-doctor-\(getpid())",
            keepAlive: settings.keepAlive, credentials: credentials,
            tls: settings.tlsCAFile.map { MQTTTLSOptions(caFile: $0, certificateFile: settings.tlsCertificateFile, keyFile: settings.tlsKeyFile) },
            connectTimeout: context.environment.brokerTimeout)
        let who = settings.username.map { "user \($0)" } ?? "an anonymous client"
        let outcome: Result<MQTTConnection, MQTTError>
        do {
            let client = try MQTTClient(options: options)
            try client.start()
            outcome = await Self.firstAnswer(client)
            await client.stop()
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let connection):
            return [DoctorFinding("fleet.broker", subject: server, .ok,
                                  "the broker accepted \(who) (MQTT \(connection.protocolVersion))" + (settings.tlsCAFile == nil ? "" : " over TLS"))]
        case .failure(let error) where error.isAuthorizationFailure:
            return [DoctorFinding("fleet.broker", subject: server, .problem, "the broker refused \(who): \(error)",
                                  fix: "check [mqtt] username and the password file against the broker's accounts (mosquitto: `mosquitto_passwd /etc/mosquitto/passwd \(settings.username ?? "USER")`)")]
        case .failure(let error):
            return [DoctorFinding("fleet.broker", subject: server, .problem, "\(error)",
                                  fix: "check [mqtt] host and port, that the broker runs and listens there, and that this host reaches it (firewall, DNS)"
                                      + (settings.tlsCAFile == nil ? "" : "; with TLS, that tls_ca_file signed the broker's certificate and the clock is right"))]
        }
    }

    /// The first connection or failure the client reports.
    private static func firstAnswer(_ client: MQTTClient) async -> Result<MQTTConnection, MQTTError> {
        for await event in client.events {
            switch event {
            case .connected(let connection): return .success(connection)
            case .disconnected(let down): return .failure(down.error ?? .notConnected(operation: "connect"))
            default: continue
            }
        }
        return .failure(.notConnected(operation: "connect"))
    }
}
