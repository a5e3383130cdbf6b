import Foundation

/// One HTTP/1.1 request to a server on 127.0.0.1, over a plain socket: what a scraper sends,
/// nothing a client library would add. Blocking: call it from a thread of its own.
public enum HTTPFetch {
    public struct Response: Sendable {
        public var status: Int
        /// Header names in lower case.
        public var headers: [String: String]
        public var body: [UInt8]

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// `GET path` with `Connection: close`; the reply read to its end. A server silent for
    /// `limit` (a hang guard) fails the request.
    public static func get(port: Int, path: String, headers: [String: String] = [:], limit: Duration = .seconds(60)) throws -> Response {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw TestSetupError("socket: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: Int(limit.components.seconds), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = loopbackAddress(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestSetupError("connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))") }
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw TestSetupError("send: \(String(cString: strerror(errno)))") }
            sent += count
        }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw TestSetupError("no reply from 127.0.0.1:\(port)\(path) within \(limit): \(String(cString: strerror(errno)))") }
            if count == 0 { break }
            reply += buffer[..<count]
        }
        return try parse(reply)
    }

    private static func parse(_ reply: [UInt8]) throws -> Response {
        let separator = Array("\r\n\r\n".utf8)
        guard let end = (0...(max(0, reply.count - 4))).first(where: { Array(reply[$0..<min(reply.count, $0 + 4)]) == separator }) else {
            throw TestSetupError("not an HTTP reply: \(String(decoding: reply, as: UTF8.self))")
        }
        let head = String(decoding: reply[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusWords = head[0].split(separator: " ")
        guard statusWords.count >= 2, let status = Int(statusWords[1]) else { throw TestSetupError("bad status line: \(head[0])") }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(reply[(end + 4)...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = try dechunked(body) }
        return Response(status: status, headers: headers, body: body)
    }

    /// A chunked body's data: each chunk is its size in hex, CRLF, the bytes, CRLF; size 0 ends it.
    private static func dechunked(_ chunked: [UInt8]) throws -> [UInt8] {
        var body: [UInt8] = []
        var index = 0
        while true {
            guard let lineEnd = chunked[index...].firstIndex(of: UInt8(ascii: "\r")),
                  let size = Int(String(decoding: chunked[index..<lineEnd], as: UTF8.self).split(separator: ";")[0], radix: 16) else {
                throw TestSetupError("a chunked body without a chunk size at byte \(index)")
            }
            if size == 0 { return body }
            let start = lineEnd + 2
            guard start + size <= chunked.count else { throw TestSetupError("a chunked body cut short") }
            body += chunked[start..<(start + size)]
            index = start + size + 2
        }
    }
}

/// A TCP socket listening on 127.0.0.1 at a port the kernel chose, until it is released:
/// a port in use, for a test of what happens then.
public final class ListeningSocket {
    public let port: Int
    private let descriptor: Int32

    public init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw TestSetupError("socket: \(String(cString: strerror(errno)))") }
        var address = loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 1) == 0 else {
            close(descriptor)
            throw TestSetupError("bind/listen: \(String(cString: strerror(errno)))")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }
}
