import CMosquitto
import Glibc

/// Everything that can go wrong between printedge and an MQTT broker.
///
/// The messages end up in the daemon's log and status, read by someone looking after a farm
/// rather than by a developer: each says what failed, against which broker or file, and what
/// to check. The texts of libmosquitto (`mosquitto_strerror`, `mosquitto_connack_string`,
/// `mosquitto_reason_string`) and of OpenSSL, as libmosquitto logged it, are quoted verbatim.
public enum MQTTError: Error, CustomStringConvertible, Hashable, Sendable {
    /// An option cannot work; nothing was started.
    case invalidOption(name: String, problem: String)
    /// A TLS file named in the options cannot be opened for reading.
    case unreadableTLSFile(role: MQTTTLSFileRole, path: String, errno: Int32)
    /// No MQTT session came up: DNS, TCP, TLS or the wait for CONNACK failed.
    /// `detail` holds what libmosquitto logged (OpenSSL's reason for a TLS failure);
    /// `caFile` is the CA file in use, named in the advice for TLS failures.
    case connectFailed(server: String, libraryError: Int32, systemError: Int32, detail: String?, caFile: String?)
    /// No CONNACK within the connect timeout.
    case connectTimedOut(server: String, timeout: Duration)
    /// The broker answered CONNECT with a refusal: `code` is a 3.1.1 CONNACK return code or an
    /// MQTT 5 reason code, depending on `protocolVersion`.
    case connectionRefused(server: String, protocolVersion: MQTTProtocolVersion, code: Int32)
    /// An established connection broke: socket error, keep-alive timeout, or a DISCONNECT
    /// from the broker (`brokerReason`, MQTT 5 only).
    case connectionLost(server: String, libraryError: Int32, systemError: Int32, brokerReason: MQTTReasonCode?)
    /// `publish`, `subscribe` or `unsubscribe` while no connection is up.
    case notConnected(operation: String)
    /// libmosquitto refused to queue a publish, subscribe or unsubscribe.
    case requestRefused(operation: String, topic: String, libraryError: Int32)
    /// So many QoS 1 messages await PUBACK that packet identifiers would repeat.
    case tooManyUnacknowledged(limit: Int)
    /// `start()` on a client that is running or was stopped.
    case alreadyStarted
    /// The operating system would not create the network thread.
    case threadCreationFailed(errno: Int32)

    public var description: String {
        switch self {
        case .invalidOption(let name, let problem):
            return "MQTT option `\(name)` \(problem)"
        case .unreadableTLSFile(let role, let path, let code):
            return "MQTT TLS \(role.rawValue) \(path) cannot be read: \(Self.systemText(code)) — "
                + "check the path in the configuration and that the daemon's user may read the file"
        case .connectFailed(let server, let libraryError, let systemError, let detail, let caFile):
            return "MQTT connection to \(server) failed: \(Self.libraryText(libraryError, systemError: systemError))"
                + (detail.map { " (\($0))" } ?? "") + " — "
                + Self.connectAdvice(libraryError: libraryError, detail: detail, caFile: caFile)
        case .connectTimedOut(let server, let timeout):
            return "MQTT broker at \(server) accepted the TCP connection but sent no CONNACK within \(timeout) — "
                + "check that the port speaks MQTT (plain or TLS as configured) and that the broker is not overloaded"
        case .connectionRefused(let server, let version, let code):
            return "MQTT broker at \(server) refused the connection (\(version)): \(Self.refusalText(code, version: version))"
                + " — " + Self.refusalAdvice(code, version: version)
        case .connectionLost(let server, let libraryError, let systemError, let brokerReason):
            if let brokerReason {
                return "MQTT broker at \(server) closed the connection: \(brokerReason) — reconnecting with backoff; "
                    + "\"session taken over\" means another client uses the same client id"
            }
            return "MQTT connection to \(server) lost: \(Self.libraryText(libraryError, systemError: systemError)) — "
                + "reconnecting with backoff; unacknowledged messages are reported with the disconnection"
        case .notConnected(let operation):
            return "MQTT \(operation) while not connected — wait for the `connected` event; "
                + "the outbox keeps the message until then"
        case .requestRefused(let operation, let topic, let libraryError):
            return "MQTT \(operation) on \"\(topic)\" refused: \(Self.libraryText(libraryError, systemError: 0))"
                + (libraryError == MOSQ_ERR_INVAL.rawValue || libraryError == MOSQ_ERR_MALFORMED_UTF8.rawValue
                    ? " — topics are UTF-8, not empty, and only filters may hold + or #" : "")
        case .tooManyUnacknowledged(let limit):
            return "MQTT: \(limit) QoS 1 messages await PUBACK — packet identifiers would repeat; "
                + "bound the messages in flight (the fleet link's outbox window)"
        case .alreadyStarted:
            return "MQTT client already started — a client runs once; create a new one to start again"
        case .threadCreationFailed(let code):
            return "MQTT network thread could not be created: \(Self.systemText(code)) — the process is out of threads or memory"
        }
    }

    /// Whether the broker refused the credentials or the client: retrying will not help until
    /// the configuration or the broker changes.
    public var isAuthorizationFailure: Bool {
        guard case .connectionRefused(_, let version, let code) = self else { return false }
        switch version {
        case .mqtt311: return code == 4 || code == 5
        case .mqtt5: return code == MQTTReasonCode.badUserNameOrPassword.rawValue || code == MQTTReasonCode.notAuthorized.rawValue
        }
    }

    static func libraryText(_ code: Int32, systemError: Int32) -> String {
        if code == MOSQ_ERR_ERRNO.rawValue, systemError != 0 {
            return systemText(systemError)
        }
        return mosquitto_strerror(code).map { String(cString: $0) } ?? "libmosquitto error \(code)"
    }

    static func systemText(_ code: Int32) -> String {
        let text = strerror(code).map { String(cString: $0) } ?? "unknown error"
        return "\(text) (errno \(code))"
    }

    private static func refusalText(_ code: Int32, version: MQTTProtocolVersion) -> String {
        switch version {
        case .mqtt311: return (mosquitto_connack_string(code).map { String(cString: $0) } ?? "refused") + " (\(code))"
        case .mqtt5: return MQTTReasonCode(code).description
        }
    }

    private static func connectAdvice(libraryError: Int32, detail: String?, caFile: String?) -> String {
        let tls = libraryError == MOSQ_ERR_TLS.rawValue || libraryError == MOSQ_ERR_TLS_HANDSHAKE.rawValue
            || (detail?.contains("SSL") ?? false) || (detail?.contains("certificate") ?? false)
        if tls {
            return "check that the CA file \(caFile ?? "configured") signed the broker's certificate, that the certificate "
                + "names this host in its subjectAltName, and that the client certificate and key belong together"
        }
        if libraryError == MOSQ_ERR_EAI.rawValue {
            return "check the broker's host name and the DNS configuration"
        }
        return "check that the broker runs and listens there and that the network is up; the client retries with backoff"
    }

    private static func refusalAdvice(_ code: Int32, version: MQTTProtocolVersion) -> String {
        switch (version, code) {
        case (.mqtt311, 4), (.mqtt5, 0x86):
            return "check the user name and password against the broker's password file"
        case (.mqtt311, 5), (.mqtt5, 0x87):
            // mosquitto answers a wrong password this way too, not with "bad user name or password".
            return "check the user name and password, and that the broker's authentication allows this client"
        case (.mqtt311, 2), (.mqtt5, 0x85):
            return "the broker refuses the client id; choose a shorter one of letters and digits"
        case (.mqtt311, 1), (.mqtt5, 0x84):
            return "the broker does not speak this protocol version; choose another protocol preference"
        default:
            return "the client retries with backoff; see the broker's log"
        }
    }
}
