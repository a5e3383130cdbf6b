import Foundation
import PrintEdgeBrokerSupport
import PrintEdgeTestSupport

/// A TCP proxy between a client and a `MosquittoBroker`, for the faults a real broker will not
/// produce on demand: it can cut every connection at once (the network dying under both ends,
/// with no DISCONNECT), and it can play a broker that refuses MQTT 5.
final class BrokerProxy: @unchecked Sendable {
    enum Behaviour {
        /// Passes everything through.
        case forward
        /// Answers an MQTT 5 CONNECT as an MQTT 5 broker configured against it would: CONNACK
        /// with reason 0x84 "unsupported protocol version". Passes 3.1.1 through.
        case refuseMQTT5WithMQTT5Connack
        /// Answers an MQTT 5 CONNECT as a 3.1.1-only broker does: a 3.1.1 CONNACK with return
        /// code 1 "unacceptable protocol version". Passes 3.1.1 through.
        case refuseMQTT5AsMQTT311Broker
        /// Accepts TCP and reads, but never answers: a hung broker, or a port that is not MQTT.
        case silent
    }

    let port: Int
    private let upstreamPort: Int
    private let behaviour: Behaviour
    private let listener: Int32
    private let lock = NSLock()
    private var openSockets: Set<Int32> = []
    private var refusals = 0

    init(upstreamPort: Int, behaviour: Behaviour = .forward) throws {
        self.upstreamPort = upstreamPort
        self.behaviour = behaviour
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw TestSetupError("proxy socket: \(String(cString: strerror(errno)))") }
        var address = loopbackAddress(port: 0)
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, size) }
        }
        guard bound == 0, Glibc.listen(listener, 16) == 0 else {
            close(listener)
            throw TestSetupError("proxy bind/listen: \(String(cString: strerror(errno)))")
        }
        var length = size
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptConnections() }
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// MQTT 5 CONNECTs refused so far.
    var refusedConnects: Int { lock.withLock { refusals } }

    /// Shuts down every proxied connection in both directions: the broker sees its client's
    /// socket close without DISCONNECT, the client sees the broker go away.
    func cutConnections() {
        lock.withLock {
            for socket in openSockets {
                shutdown(socket, Int32(SHUT_RDWR))
            }
        }
    }

    private func acceptConnections() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            register(client)
            Thread.detachNewThread { [self] in serve(client) }
        }
    }

    private func register(_ socket: Int32) {
        lock.withLock { _ = openSockets.insert(socket) }
    }

    /// Forgets then closes, so `cutConnections` never shuts down a reused descriptor.
    private func release(_ socket: Int32) {
        lock.withLock { _ = openSockets.remove(socket) }
        close(socket)
    }

    private func serve(_ client: Int32) {
        defer { release(client) }
        if case .silent = behaviour {
            var buffer = [UInt8](repeating: 0, count: 4_096)
            while read(client, &buffer, buffer.count) > 0 {}
            return
        }
        guard let connect = readPacket(from: client) else { return }
        // CONNECT's variable header: protocol name "MQTT" (2-byte length, 4 bytes), then the
        // protocol level: 4 for 3.1.1, 5 for MQTT 5.
        let levelOffset = connect.headerLength + 6
        let level = connect.bytes.count > levelOffset ? connect.bytes[levelOffset] : 0
        if level == 5 {
            switch behaviour {
            case .forward, .silent:
                break
            case .refuseMQTT5WithMQTT5Connack:
                refuse(client, with: [0x20, 0x03, 0x00, 0x84, 0x00])
                return
            case .refuseMQTT5AsMQTT311Broker:
                refuse(client, with: [0x20, 0x02, 0x00, 0x01])
                return
            }
        }
        let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard upstream >= 0 else { return }
        register(upstream)
        defer { release(upstream) }
        var address = loopbackAddress(port: upstreamPort)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0, writeAll(connect.bytes, to: upstream) else { return }
        pump(client, upstream)
    }

    private func refuse(_ client: Int32, with connack: [UInt8]) {
        lock.withLock { refusals += 1 }
        _ = writeAll(connack, to: client)
        shutdown(client, Int32(SHUT_WR))
        // Let the client read the CONNACK before the socket closes under it.
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(client, &buffer, buffer.count) > 0 {}
    }

    /// Reads one MQTT packet: fixed header, variable-length remaining length, body.
    private func readPacket(from socket: Int32) -> (bytes: [UInt8], headerLength: Int)? {
        var bytes: [UInt8] = []
        guard let first = readExactly(1, from: socket) else { return nil }
        bytes += first
        var remaining = 0
        var multiplier = 1
        for _ in 0..<4 {
            guard let byte = readExactly(1, from: socket)?.first else { return nil }
            bytes.append(byte)
            remaining += Int(byte & 0x7F) * multiplier
            multiplier *= 128
            if byte & 0x80 == 0 { break }
        }
        let headerLength = bytes.count
        guard let body = readExactly(remaining, from: socket) else { return nil }
        return (bytes + body, headerLength)
    }

    private func readExactly(_ count: Int, from socket: Int32) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = buffer.withUnsafeMutableBytes { raw in
                raw.baseAddress.map { read(socket, $0 + filled, count - filled) } ?? 0
            }
            if got <= 0 { return nil }
            filled += got
        }
        return buffer
    }

    private func writeAll(_ bytes: [UInt8], to socket: Int32) -> Bool {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return true }
            var sent = 0
            while sent < raw.count {
                let wrote = send(socket, base + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                if wrote <= 0 { return false }
                sent += wrote
            }
            return true
        }
    }

    /// Copies bytes both ways until either side closes or the proxy cuts the connection.
    private func pump(_ client: Int32, _ upstream: Int32) {
        var descriptors = [
            pollfd(fd: client, events: Int16(POLLIN), revents: 0), pollfd(fd: upstream, events: Int16(POLLIN), revents: 0),
        ]
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while poll(&descriptors, 2, -1) >= 0 {
            for (index, descriptor) in descriptors.enumerated() where descriptor.revents != 0 {
                let other = index == 0 ? upstream : client
                let got = read(descriptor.fd, &buffer, buffer.count)
                guard got > 0, writeAll(Array(buffer[0..<got]), to: other) else { return }
            }
        }
    }
}
