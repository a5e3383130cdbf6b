#if canImport(Glibc)
import Glibc
#endif

/// The CLI's side of the control socket: blocking, one request at a time, replies read line
/// by line so streaming requests show their events as they come.
public final class ControlClient {
    public enum Failure: Error, CustomStringConvertible {
        case daemonNotRunning(socket: String, reason: String)
        case permissionDenied(socket: String)
        case connectionLost(socket: String)
        case badReply(String)
        case socket(UnixSocket.Failure)

        public var description: String {
            switch self {
            case .daemonNotRunning(let socket, let reason):
                "printedged is not running (\(reason) at \(socket)); start it with `systemctl start printedged` or `printedged`, or point the CLI at its socket with --socket or PRINTEDGE_SOCKET"
            case .permissionDenied(let socket):
                "no permission to use \(socket): add yourself to the daemon's socket group (see `socket_group` in the configuration), then log in again"
            case .connectionLost(let socket):
                "printedged closed the connection at \(socket) before replying (did it stop or restart?)"
            case .badReply(let detail):
                "printedged sent a reply this CLI does not understand (\(detail)); are the CLI and the daemon the same version?"
            case .socket(let failure):
                failure.description
            }
        }
    }

    public let socketPath: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var nextID = 1

    public init(socketPath: String) throws(Failure) {
        self.socketPath = socketPath
        do {
            fd = try UnixSocket.connect(path: socketPath)
        } catch {
            switch error.errno {
            case ENOENT: throw .daemonNotRunning(socket: socketPath, reason: "no socket")
            case ECONNREFUSED: throw .daemonNotRunning(socket: socketPath, reason: "nobody listening")
            case EACCES, EPERM: throw .permissionDenied(socket: socketPath)
            default: throw .socket(error)
            }
        }
    }

    deinit {
        close(fd)
    }

    /// Sends `request` (its id is set here) and calls `onLine` for every reply line up to and
    /// including the final one, which is returned.
    ///
    /// With `file`, the open descriptor travels with the request (`fileAttached`); the
    /// caller still owns and closes it.
    @discardableResult
    public func call(
        _ request: ControlRequest, attaching file: Int32? = nil, onLine: (ControlReply) -> Void = { _ in }
    ) throws(Failure) -> ControlReply {
        let id = try post(request, attaching: file)
        while true {
            let reply = try nextReply()
            guard reply.id == id else { continue }
            onLine(reply)
            if reply.isFinal { return reply }
        }
    }

    /// Sends a request without waiting (a console's typed line while its stream is running);
    /// returns the id its replies will carry.
    @discardableResult
    public func post(_ request: ControlRequest, attaching file: Int32? = nil) throws(Failure) -> Int {
        var request = request
        request.id = nextID
        nextID += 1
        do {
            if let file {
                request.fileAttached = true
                try FilePassing.send(try ControlCoding.encode(request), on: fd, attaching: file)
            } else {
                try UnixSocket.writeAll(fd, try ControlCoding.encode(request))
            }
        } catch {
            throw .connectionLost(socket: socketPath)
        }
        return request.id
    }

    /// The next reply line, whichever request it belongs to.
    public func nextReply() throws(Failure) -> ControlReply {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[..<newline]
                defer { buffer.removeSubrange(...newline) }
                do {
                    return try ControlCoding.decode(ControlReply.self, from: line)
                } catch {
                    throw .badReply(String(decoding: line.prefix(200), as: UTF8.self))
                }
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw .connectionLost(socket: socketPath) }
            buffer.append(contentsOf: chunk[..<count])
        }
    }

    /// For a console that waits on the socket and the keyboard together.
    public var fileDescriptor: Int32 { fd }

    /// A whole reply line was read with an earlier one and waits here: `nextReply` returns it
    /// without reading, and polling the descriptor would wait for more in vain.
    public var hasBufferedReply: Bool { buffer.contains(UInt8(ascii: "\n")) }
}
