import Glibc
import PrintEdgeTestSupport
import Testing

/// The `printedge-sim` binary on a real pseudo-terminal: it announces itself, answers
/// framed G-code through the link, and on SIGTERM writes its files, removes the link and
/// exits 0. Needs the binary built next to the test bundle (`swift build --product
/// printedge-sim` in the same scratch path); skipped without it. Its waits block (poll on the
/// pty and the child's output, waitpid), so it runs on a thread of its own.
@Suite(.onThreadOfItsOwn) struct ExecutableSmokeTests {
    static var binaryPath: String? {
        guard let bundle = CommandLine.arguments.first else { return nil }
        var directory = bundle
        while let slash = directory.lastIndex(of: "/") {
            directory = String(directory[..<slash])
            let candidate = directory + "/printedge-sim"
            if access(candidate, X_OK) == 0 { return candidate }
            if directory.hasSuffix("/debug") || directory.hasSuffix("/release") { break }
        }
        return nil
    }

    @Test(.enabled(if: binaryPath != nil, "printedge-sim is not built next to the tests"))
    func answersFramedLinesOverThePtyAndShutsDownCleanly() throws {
        let binary = try #require(Self.binaryPath)
        let base = "/tmp/printedge-sim-smoke-\(getpid())"
        let link = base + ".tty"
        let statsPath = base + ".json"
        let logPath = base + ".log"
        defer {
            unlink(statsPath)
            unlink(logPath)
            unlink(link)
        }
        var child = try SpawnedSimulator(
            binary, ["--link", link, "--speedup", "30", "--stats", statsPath, "--exec-log", logPath])
        defer { child.terminate() }

        let firstLine = child.readLine(timeoutMilliseconds: 10_000)
        let announcement = try #require(firstLine)
        #expect(announcement.hasPrefix("printedge-sim: listening on /dev/pts/"))
        #expect(announcement.hasSuffix("(link \(link))"))

        let port = open(link, O_RDWR | O_NOCTTY | O_CLOEXEC)
        try #require(port >= 0, "open \(link): errno \(errno)")
        defer { close(port) }
        var replies: [String] = []
        var partial: [UInt8] = []
        // Like a host after a reset: wait out the boot banner. Lines sent while Marlin is
        // still printing it pile up unread, and a queued M110 then resets last_N under them.
        Self.readReplies(port, into: &replies, partial: &partial) { $0.count >= 6 }
        #expect(replies.first == "start")
        #expect(replies.count == 6)

        var text = ""
        for (number, command) in [(0, "M110 N0"), (1, "G28"), (2, "G1 X10 F6000"), (3, "M105")] {
            let body = "N\(number) \(command)"
            text += body + "*\(body.utf8.reduce(0, ^))\n"
        }
        text += "N4 G1 X5*0\n"
        _ = text.withCString { write(port, $0, strlen($0)) }

        // G28 blocks the main loop while N2-N4 arrive; afterwards Marlin reads all three
        // before executing N2, so the error for N4 overtakes the oks of N2 and N3.
        Self.readReplies(port, into: &replies, partial: &partial) { $0.count >= 6 + 7 }
        #expect(Array(replies.dropFirst(6)) == [
            "ok", "ok", "Error:checksum mismatch, Last Line: 3", "Resend: 4", "ok",
            "ok", "ok T:25.00 /0.00 B:25.00 /0.00 @:0 B@:0",
        ])

        #expect(child.terminate() == 0)
        #expect(access(link, F_OK) != 0)
        let stats = try #require(Self.contents(of: statsPath))
        #expect(stats.contains("\"lines_executed\": 3,"))
        #expect(stats.contains("\"checksum_errors\": 1,"))
        #expect(Self.contents(of: logPath) == "G28\nG1 X10 F6000\nM105\n")
    }

    /// Reads reply lines until `done` says so or 10 s pass.
    static func readReplies(_ port: Int32, into replies: inout [String], partial: inout [UInt8], until done: ([String]) -> Bool) {
        let deadline = milliseconds() + 10_000
        while !done(replies), milliseconds() < deadline {
            var entry = pollfd(fd: port, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 200) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = read(port, &buffer, buffer.count)
            guard count > 0 else { continue }
            for byte in buffer.prefix(count) {
                if byte == UInt8(ascii: "\n") {
                    replies.append(String(decoding: partial, as: UTF8.self))
                    partial.removeAll()
                } else {
                    partial.append(byte)
                }
            }
        }
    }

    static func milliseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }

    static func contents(of path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &buffer, buffer.count)
            guard count > 0 else { break }
            bytes += buffer.prefix(count)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A child process with its stdout on a pipe, ended by SIGTERM. Not `ChildProcess`: this
/// suite reads the child's lines and reaps it with blocking calls, on a thread of its own.
struct SpawnedSimulator {
    let pid: pid_t
    private let stdoutFileDescriptor: Int32
    private var buffered: [UInt8] = []
    private var exitStatus: Int32?

    init(_ path: String, _ arguments: [String]) throws {
        var pipeEnds: [Int32] = [-1, -1]
        guard pipe(&pipeEnds) == 0 else { throw SpawnFailure(errno: errno) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        // spawnClean closes both ends of the pipe in the child, after the dup2.
        let child: pid_t
        do {
            child = try spawnClean(path, arguments, actions: &actions)
        } catch {
            close(pipeEnds[0])
            close(pipeEnds[1])
            throw error
        }
        close(pipeEnds[1])
        pid = child
        stdoutFileDescriptor = pipeEnds[0]
    }

    /// The next line of the child's stdout, or nil after the timeout.
    mutating func readLine(timeoutMilliseconds: Int32) -> String? {
        while true {
            if let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffered[..<newline], as: UTF8.self)
                buffered.removeFirst(newline + 1)
                return line
            }
            var entry = pollfd(fd: stdoutFileDescriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, timeoutMilliseconds) > 0 else { return nil }
            var chunk = [UInt8](repeating: 0, count: 1024)
            let count = read(stdoutFileDescriptor, &chunk, chunk.count)
            guard count > 0 else { return nil }
            buffered += chunk.prefix(count)
        }
    }

    /// Sends SIGTERM once and reaps the child; returns its exit status (-1 if killed by a
    /// signal). A child still running 5 s after SIGTERM gets SIGKILL, so a broken shutdown
    /// fails the test instead of hanging it.
    @discardableResult
    mutating func terminate() -> Int32 {
        if let exitStatus { return exitStatus }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        let deadline = ExecutableSmokeTests.milliseconds() + 5_000
        while waitpid(pid, &status, WNOHANG) == 0 {
            if ExecutableSmokeTests.milliseconds() > deadline {
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                break
            }
            usleep(10_000)
        }
        close(stdoutFileDescriptor)
        let code: Int32 = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : -1
        exitStatus = code
        return code
    }
}

struct SpawnFailure: Error {
    var errno: Int32
}
