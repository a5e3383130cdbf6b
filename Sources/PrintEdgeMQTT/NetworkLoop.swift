import CMosquitto
import Glibc
import Synchronization

/// The network thread of one `MQTTClient`: connects, runs `mosquitto_loop`, turns callbacks
/// into events, and reconnects with backoff until `stop()`.
///
/// Why a dedicated thread calling `mosquitto_loop` rather than `mosquitto_loop_start`:
/// libmosquitto's own thread reconnects by itself, with a fixed exponential delay and no
/// jitter, on the same handle (resending unacknowledged messages behind the caller's back),
/// and without a place to switch protocol versions between attempts. Owning the loop gives
/// the backoff with jitter, the MQTT 5 → 3.1.1 fallback, a fresh handle per connection, and a
/// stop that waits for DISCONNECT to be written. It is a thread of its own, never a task: the
/// loop blocks in select(2) and would hold one of the cooperative pool's few threads.
///
/// Not `Sendable`: everything here except `libraryLog` is touched only on the network thread —
/// by `run()` and by the callbacks, which libmosquitto runs inside `mosquitto_loop` on this
/// same thread. The log callback can also run on a publisher's thread, hence the mutex.
final class NetworkLoop {
    private let options: MQTTClientOptions
    private let link: SharedLink
    private var negotiation: ProtocolNegotiation
    private var backoff: ReconnectBackoff
    private var random = SystemRandomNumberGenerator()

    /// How long one `mosquitto_loop` call may block when no deadline is nearer: often enough
    /// for keep-alive pings (MQTT allows no keep-alive under 5 s), rare enough for a Pi to idle.
    private static let loopTimeoutMilliseconds: Int32 = 1_000
    /// How long `stop()` lets the DISCONNECT take to be written before the socket is closed
    /// anyway (a broker that stopped reading must not hold up shutdown).
    private static let disconnectGrace = Duration.seconds(2)

    // Facts about the current connection, set by the callbacks.
    private var handle: MosquittoHandle?
    private var version = MQTTProtocolVersion.mqtt5
    private var connackCode: Int32?
    private var connectedAt: ContinuousClock.Instant?
    private var disconnectCode: Int32?
    private var disconnectErrno: Int32 = 0
    private let libraryLog = Mutex<[String]>([])

    init(options: MQTTClientOptions, link: SharedLink) {
        self.options = options
        self.link = link
        negotiation = ProtocolNegotiation(preference: options.protocolPreference)
        backoff = options.reconnectBackoff
    }

    static func from(_ context: UnsafeMutableRawPointer) -> NetworkLoop {
        Unmanaged<NetworkLoop>.fromOpaque(context).takeUnretainedValue()
    }

    /// Starts the network thread; it runs until `stop()` and keeps `link` alive until then.
    static func start(options: MQTTClientOptions, link: SharedLink) throws(MQTTError) {
        let body = Unmanaged.passRetained(ThreadBody(options: options, link: link))
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let body = Unmanaged<ThreadBody>.fromOpaque(raw).takeRetainedValue()
            NetworkLoop(options: body.options, link: body.link).run()
            return nil
        }, body.toOpaque())
        guard created == 0 else {
            body.release()
            throw .threadCreationFailed(errno: created)
        }
        pthread_detach(thread)
    }

    /// Connection attempts until stop: each either ends at once in a protocol fallback, or is
    /// followed by a backoff delay that `stop()` cuts short.
    private func run() {
        var attempt = 1
        while link.beginAttempt(attempt, version: negotiation.version) {
            // `nil`: stop() came during the blocking connect and has reported it already.
            guard let (ending, handle) = runConnection(attempt: attempt) else { break }
            if let uptime = ending.uptime {
                backoff.connectionEnded(afterUptime: uptime)
                attempt = 0
            } else if negotiation.attemptEnded(connackCode: ending.connackCode) != .backOff {
                guard link.connectionEnded(error: ending.error, reconnectDelay: nil) else { break }
                continue
            }
            let delay = backoff.nextDelay(using: &random)
            let reported = link.connectionEnded(error: ending.error, reconnectDelay: delay)
            // The last reference: libmosquitto's copies of unacknowledged messages go with it.
            _ = consume handle
            guard reported, !link.stopSignal.wait(for: delay) else { break }
            attempt += 1
        }
        link.finish()
    }

    /// What ended a connection or an attempt.
    private struct Ending {
        var error: MQTTError
        /// The refusal `on_connect` reported, if the broker sent CONNACK at all.
        var connackCode: Int32?
        /// How long the connection was up; `nil` when the broker never accepted it.
        var uptime: Duration?
    }

    private func runConnection(attempt: Int) -> (Ending, MosquittoHandle?)? {
        version = negotiation.version
        connackCode = nil
        connectedAt = nil
        disconnectCode = nil
        disconnectErrno = 0
        libraryLog.withLock { $0.removeAll() }
        let server = options.server
        let handle: MosquittoHandle
        do {
            handle = try MosquittoHandle(options: options, version: version, context: Unmanaged.passUnretained(self).toOpaque())
        } catch {
            return (Ending(error: error), nil)
        }
        handle.captureLog(true)
        let connected = handle.connect(options: options, version: version)
        let connectErrno = errno
        guard link.connectReturned(handle: connected == MOSQ_ERR_SUCCESS.rawValue ? handle : nil, attempt: attempt, version: version)
        else {
            return nil
        }
        guard connected == MOSQ_ERR_SUCCESS.rawValue else {
            let error = MQTTError.connectFailed(
                server: server, libraryError: connected, systemError: connectErrno, detail: libraryLogText,
                caFile: options.tls?.caFile)
            return (Ending(error: error), handle)
        }
        self.handle = handle
        defer { self.handle = nil }

        let connectDeadline = ContinuousClock.now + options.connectTimeout
        var stopDeadline: ContinuousClock.Instant?
        var result = MOSQ_ERR_SUCCESS.rawValue
        var timedOut = false
        while disconnectCode == nil {
            let awaitingConnack = connectedAt == nil && connackCode == nil
            let deadline = [awaitingConnack ? connectDeadline : nil, stopDeadline].compactMap { $0 }.min()
            result = handle.loop(timeoutMilliseconds: Self.loopTimeout(until: deadline))
            if result != MOSQ_ERR_SUCCESS.rawValue { break }
            let now = ContinuousClock.now
            if connectedAt == nil, connackCode == nil, now >= connectDeadline {
                timedOut = true
                break
            }
            if link.isStopRequested {
                if let stopDeadline, now >= stopDeadline { break }
                stopDeadline = stopDeadline ?? now + Self.disconnectGrace
            }
        }
        let code = disconnectCode ?? result
        let uptime = connectedAt.map { ContinuousClock.now - $0 }
        let error: MQTTError
        if timedOut {
            error = .connectTimedOut(server: server, timeout: options.connectTimeout)
        } else if let refusal = connackCode, refusal != 0 {
            error = .connectionRefused(server: server, protocolVersion: version, code: refusal)
        } else if uptime == nil {
            error = .connectFailed(
                server: server, libraryError: code, systemError: disconnectErrno, detail: libraryLogText,
                caFile: options.tls?.caFile)
        } else {
            // MQTT 5 reason codes from a broker's DISCONNECT start at 0x80; libmosquitto's own
            // error numbers stay below 0x20.
            let brokerReason = code >= 0x80 ? MQTTReasonCode(code) : nil
            error = .connectionLost(server: server, libraryError: code, systemError: disconnectErrno, brokerReason: brokerReason)
        }
        return (Ending(error: error, connackCode: connackCode, uptime: uptime), handle)
    }

    /// The loop's usual wait, shortened so a deadline is noticed when it passes.
    private static func loopTimeout(until deadline: ContinuousClock.Instant?) -> Int32 {
        guard let deadline else { return loopTimeoutMilliseconds }
        let (seconds, attoseconds) = (deadline - ContinuousClock.now).components
        let milliseconds = seconds * 1_000 + attoseconds / 1_000_000_000_000_000 + 1
        return Int32(clamping: min(max(milliseconds, 1), Int64(loopTimeoutMilliseconds)))
    }

    /// What libmosquitto logged as errors during this attempt, oldest first.
    private var libraryLogText: String? {
        let lines = libraryLog.withLock { $0 }
        return lines.isEmpty ? nil : lines.joined(separator: "; ")
    }

    // MARK: Callbacks, on the network thread inside `mosquitto_loop`

    func connackReceived(code: Int32, sessionPresent: Bool) {
        guard code == 0 else {
            connackCode = code
            return
        }
        guard let handle else { return }
        connectedAt = ContinuousClock.now
        handle.captureLog(false)
        link.accepted(MQTTConnection(protocolVersion: version, sessionPresent: sessionPresent), handle: handle)
    }

    func disconnected(code: Int32) {
        disconnectCode = code
        disconnectErrno = errno
    }

    func publishAcknowledged(_ messageID: MQTTMessageID, reasonCode: MQTTReasonCode) {
        link.publishAcknowledged(messageID, reasonCode: reasonCode)
    }

    func messageReceived(_ message: MQTTMessage) {
        link.emit(.message(message))
    }

    func subscribeAcknowledged(_ messageID: MQTTMessageID, codes: [MQTTReasonCode]) {
        link.subscribeAcknowledged(messageID, codes: codes)
    }

    func unsubscribeAcknowledged(_ messageID: MQTTMessageID) {
        link.unsubscribeAcknowledged(messageID)
    }

    /// May run on any thread that makes libmosquitto send a packet.
    func libraryLogged(_ line: String) {
        libraryLog.withLock { lines in
            // The last few lines carry the reason; OpenSSL can log a long chain.
            if lines.count == 4 { lines.removeFirst() }
            lines.append(line)
        }
    }
}

/// What the new thread needs, passed through pthread_create's single pointer.
private final class ThreadBody {
    let options: MQTTClientOptions
    let link: SharedLink

    init(options: MQTTClientOptions, link: SharedLink) {
        self.options = options
        self.link = link
    }
}
