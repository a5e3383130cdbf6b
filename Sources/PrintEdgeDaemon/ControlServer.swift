#if canImport(Glibc)
import Glibc
#endif
import Logging
import PrintEdgeControl
import PrintEdgePOSIX
import ServiceLifecycle
import Synchronization

/// The local control socket: JSON lines over a Unix-domain stream socket (docs/control.md).
///
/// One poll loop on its own thread accepts clients and splits their bytes into requests;
/// each request is answered by a task, whose replies are queued for the loop to write. A
/// client that goes away has its tasks cancelled, which ends a console's stream.
final class ControlServer: Service, Sendable {
    /// Longer request lines are refused: nothing legitimate comes near.
    static let maxRequestBytes = 1 << 20

    let path: String
    private let listener: Int32
    /// The socket file this server bound: removed at the end only while it is still this one,
    /// never a socket another daemon has bound there since.
    private let boundFile: UnixSocket.BoundFile?
    private let handler: ControlHandler
    private let logger: Logger
    private let wakeup: WakeupPipe
    private let outboxes = Mutex<[Int: ClientOutbox]>([:])
    private let stopping = Atomic<Bool>(false)

    struct ClientOutbox {
        var bytes: [UInt8] = []
        var closeAfterWrite = false
    }

    /// Binds at once, so the socket exists before the daemon says it is ready.
    init(path: String, group: gid_t?, handler: ControlHandler, logger: Logger) throws(UnixSocket.Failure) {
        self.path = path
        self.handler = handler
        self.logger = logger
        listener = try UnixSocket.listen(path: path, mode: 0o660)
        boundFile = UnixSocket.BoundFile(path: path)
        if let group, chown(path, uid_t.max, group) != 0 {
            let code = errno
            close(listener)
            throw UnixSocket.Failure(operation: "chown to the socket group", path: path, errno: code)
        }
        do {
            wakeup = try WakeupPipe()
        } catch {
            close(listener)
            throw UnixSocket.Failure(operation: "eventfd for", path: path, errno: error.errno)
        }
    }

    deinit {
        close(listener)
        boundFile?.remove()
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            await DedicatedThread.run { [self] in serve() }
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .relaxed)
            self.wakeup.wake()
        }
    }

    /// Queues a reply line for `client`; called from request tasks.
    func send(_ reply: ControlReply, to client: Int) {
        guard let bytes = try? ControlCoding.encode(reply) else { return }
        outboxes.withLock { boxes in
            boxes[client]?.bytes.append(contentsOf: bytes)
        }
        wakeup.wake()
    }

    private struct Client {
        var fd: Int32
        var input: [UInt8] = []
        let requests = RunningRequests()
        /// Descriptors received and not yet claimed by a request with `file_attached`.
        var files: [PassedFile] = []
    }

    private func serve() {
        var clients: [Int: Client] = [:]
        var nextClient = 0
        var chunk = [UInt8](repeating: 0, count: 16384)
        while !stopping.load(ordering: .relaxed) {
            var poll = PollSet()
            let listenSlot = poll.add(listener, interest: .readable)
            let wakeSlot = poll.add(wakeup.fileDescriptor, interest: .readable)
            let pendingOutput = outboxes.withLock { boxes in boxes.filter { !$0.value.bytes.isEmpty || $0.value.closeAfterWrite }.keys }
            var slots: [(Int, Int)] = []
            for (id, client) in clients {
                slots.append((id, poll.add(client.fd, interest: pendingOutput.contains(id) ? [.readable, .writable] : .readable)))
            }
            _ = try? poll.wait(timeout: nil)
            if poll.readiness(ofSlot: wakeSlot).contains(.readable) { wakeup.drain() }
            if poll.readiness(ofSlot: listenSlot).contains(.readable) {
                while case let fd = accept(listener, nil, nil), fd >= 0 {
                    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                    nextClient += 1
                    clients[nextClient] = Client(fd: fd)
                    outboxes.withLock { $0[nextClient] = ClientOutbox() }
                }
            }
            for (id, slot) in slots {
                guard var client = clients[id] else { continue }
                let readiness = poll.readiness(ofSlot: slot)
                var closed = !readiness.isDisjoint(with: [.error, .invalid])
                if !closed, !readiness.isDisjoint(with: [.readable, .hangup]) {
                    let (count, files) = chunk.withUnsafeMutableBytes { FilePassing.receive(on: client.fd, into: $0) }
                    client.files += files.map(PassedFile.init(descriptor:))
                    if count > 0 {
                        client.input.append(contentsOf: chunk[..<count])
                        closed = !takeRequests(from: &client, id: id)
                    } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                        closed = true
                    }
                }
                if !closed { closed = !flush(client: client, id: id) }
                if closed {
                    client.requests.cancelAll()
                    close(client.fd)
                    clients[id] = nil
                    outboxes.withLock { $0[id] = nil }
                } else {
                    clients[id] = client
                }
            }
        }
        for (_, client) in clients {
            client.requests.cancelAll()
            close(client.fd)
        }
    }

    /// Starts a task per complete request line; false when the client must be dropped.
    private func takeRequests(from client: inout Client, id: Int) -> Bool {
        while let newline = client.input.firstIndex(of: UInt8(ascii: "\n")) {
            let line = client.input[..<newline]
            defer { client.input.removeSubrange(...newline) }
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
            let request: ControlRequest
            do {
                request = try ControlRequest(line: line)
            } catch {
                send(error.reply, to: id)
                continue
            }
            var file: PassedFile?
            if request.fileAttached == true {
                guard !client.files.isEmpty else {
                    send(.failure(request.id, .badRequest, "`file_attached` is true but no file descriptor came with the request (send it with SCM_RIGHTS on the request's first byte)"), to: id)
                    continue
                }
                file = client.files.removeFirst()
            }
            let handler = self.handler
            client.requests.start { [self, file] in
                await handler.handle(request, file: file) { reply in self.send(reply, to: id) }
            }
        }
        if client.input.count > Self.maxRequestBytes {
            send(.failure(0, .badRequest, "request longer than \(Self.maxRequestBytes) bytes without a newline"), to: id)
            outboxes.withLock { $0[id]?.closeAfterWrite = true }
            client.input.removeAll()
        }
        return true
    }

    /// Writes what is queued for the client; false when it is gone or done.
    private func flush(client: Client, id: Int) -> Bool {
        var box = outboxes.withLock { boxes -> ClientOutbox in
            let box = boxes[id] ?? ClientOutbox()
            boxes[id]?.bytes.removeAll()
            return box
        }
        var offset = 0
        while offset < box.bytes.count {
            let written = box.bytes.withUnsafeBytes { raw in
                Glibc.send(client.fd, raw.baseAddress.map { $0 + offset }, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN { break }
                return false
            }
            offset += written
        }
        if offset < box.bytes.count {
            box.bytes.removeFirst(offset)
            let rest = box.bytes
            outboxes.withLock { boxes in boxes[id]?.bytes.insert(contentsOf: rest, at: 0) }
            return true
        }
        return !box.closeAfterWrite
    }
}
