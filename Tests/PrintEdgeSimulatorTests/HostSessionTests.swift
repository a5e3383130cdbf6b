import Glibc
import PrintEdgeTestSupport
import Testing

/// `printedge-sim` on a real pty across host sessions: what it prints while no host has the
/// port open waits for the next host, and SIGUSR1 resets the board while hosts come and go.
@Suite(.onThreadOfItsOwn) struct HostSessionTests {
    @Test(.enabled(if: ExecutableSmokeTests.binaryPath != nil, "printedge-sim is not built next to the tests"))
    func repliesPrintedWhileNoHostListensReachTheNextHostFirst() throws {
        let binary = try #require(ExecutableSmokeTests.binaryPath)
        let base = "/tmp/printedge-sim-sessions-\(getpid())"
        let link = base + ".tty"
        let logPath = base + ".log"
        defer {
            unlink(logPath)
            unlink(link)
        }
        var child = try SpawnedSimulator(binary, ["--link", link, "--exec-log", logPath])
        defer { child.terminate() }
        let announcement = child.readLine(timeoutMilliseconds: 10_000)
        try #require(announcement != nil)

        // Session 1 reads the banner, writes six slow lines, reads what it happens to
        // read, and closes the port with the rest still executing.
        var port = open(link, O_RDWR | O_NOCTTY | O_CLOEXEC)
        try #require(port >= 0, "open \(link): errno \(errno)")
        var replies: [String] = []
        var partial: [UInt8] = []
        ExecutableSmokeTests.readReplies(port, into: &replies, partial: &partial) { $0.count >= 6 }
        #expect(replies.first == "start")
        replies.removeAll()
        write(port, (1...6).map { framed($0, "G4 P100") }.joined())
        ExecutableSmokeTests.readReplies(port, into: &replies, partial: &partial) { !$0.isEmpty }
        close(port)
        let okCountRead = replies.filter { $0 == "ok" }.count

        // The firmware finishes session 1's lines with nobody listening.
        try Self.waitUntil(logPath, holdsLines: 6)

        // Sessions 2 to 5 each find the previous session's replies before their own.
        var previous = Array(repeating: "ok", count: 6 - okCountRead)
        for session in 2...5 {
            port = open(link, O_RDWR | O_NOCTTY | O_CLOEXEC)
            try #require(port >= 0, "open \(link): errno \(errno)")
            write(port, framed(5 + session, "M118 E1 session \(session)"))
            replies.removeAll()
            let expected = previous + ["echo:session \(session)", "ok"]
            ExecutableSmokeTests.readReplies(port, into: &replies, partial: &partial) { $0.count >= expected.count }
            #expect(replies == expected, "session \(session)")
            // Leave with a line whose replies nobody reads.
            write(port, framed(5 + session + 100, "M118 E1 unread \(session)"))
            close(port)
            previous = ["Error:Line Number is not Last Line Number+1, Last Line: \(5 + session)", "Resend: \(6 + session)", "ok"]
            try Self.waitUntil(logPath, holdsLines: 6 + session - 1)
            // The reply to the misnumbered line is on its way; the next session reads it.
            replies.removeAll()
        }
        #expect(child.terminate() == 0)
    }

    @Test(.enabled(if: ExecutableSmokeTests.binaryPath != nil, "printedge-sim is not built next to the tests"))
    func sigusr1ResetsTheBoardWhereTheNozzleStopped() throws {
        let binary = try #require(ExecutableSmokeTests.binaryPath)
        let base = "/tmp/printedge-sim-reset-\(getpid())"
        let link = base + ".tty"
        let motionPath = base + ".motion"
        let statsPath = base + ".json"
        defer {
            unlink(motionPath)
            unlink(statsPath)
            unlink(link)
        }
        var child = try SpawnedSimulator(binary, ["--link", link, "--motion-log", motionPath, "--stats", statsPath])
        defer { child.terminate() }
        let announcement = child.readLine(timeoutMilliseconds: 10_000)
        try #require(announcement != nil)
        let port = open(link, O_RDWR | O_NOCTTY | O_CLOEXEC)
        try #require(port >= 0, "open \(link): errno \(errno)")
        defer { close(port) }
        var replies: [String] = []
        var partial: [UInt8] = []
        ExecutableSmokeTests.readReplies(port, into: &replies, partial: &partial) { $0.count >= 6 }
        replies.removeAll()

        // G28 takes 3 s; then a 100 s climb that the reset interrupts once the steppers
        // have started (M114's Count Z above 0).
        write(port, framed(1, "G28") + framed(2, "G1 Z100 F60"))
        ExecutableSmokeTests.readReplies(port, into: &replies, partial: &partial) {
            $0.filter { $0 == "ok" }.count >= 2
        }
        var climbing = false
        let deadline = ExecutableSmokeTests.milliseconds() + 10_000
        while !climbing && ExecutableSmokeTests.milliseconds() < deadline {
            replies.removeAll()
            write(port, "M114\n")
            ExecutableSmokeTests.readReplies(port, into: &replies, partial: &partial) { $0.last == "ok" }
            climbing = replies.contains { $0.hasPrefix("X:0.00 Y:0.00 Z:100.00 ") && !$0.hasSuffix(" Z:0") }
        }
        try #require(climbing)
        kill(child.pid, SIGUSR1)
        replies.removeAll()
        ExecutableSmokeTests.readReplies(port, into: &replies, partial: &partial) { $0.count >= 6 }
        #expect(replies.first == "start")

        try Self.waitUntil(motionPath, contains: "reset z=")
        let log = (ExecutableSmokeTests.contents(of: motionPath) ?? "").split(separator: "\n").map(String.init)
        #expect(log.count == 3)
        let cut = log.count == 3 ? log[1] : ""
        #expect(cut.hasPrefix("move N2 z0=0.000 z1="))
        #expect(cut.contains(" x=0.000 y=0.000 e=0.000 lz=") && cut.hasSuffix(" cut"))
        let stoppedAt = cut.split(separator: " ").first { $0.hasPrefix("z1=") }?.dropFirst(3) ?? ""
        #expect(log.last == "reset z=\(stoppedAt)")

        // Marlin came back believing it is at 0 and expecting N1.
        replies.removeAll()
        write(port, framed(1, "M114"))
        ExecutableSmokeTests.readReplies(port, into: &replies, partial: &partial) { $0.count >= 2 }
        #expect(replies == ["X:0.00 Y:0.00 Z:0.00 E:0.00 Count X:0 Y:0 Z:0", "ok"])
        #expect(child.terminate() == 0)
        let stats = ExecutableSmokeTests.contents(of: statsPath) ?? ""
        #expect(stats.contains("\"resets\": 1,"))
        #expect(stats.contains("\"nozzle_below_bed\": 0,"))
    }

    private func write(_ port: Int32, _ text: String) {
        _ = text.withCString { Glibc.write(port, $0, strlen($0)) }
    }

    /// Hang guard only: 10 s for a line the simulator flushes every 0.1 s.
    static func waitUntil(_ path: String, holdsLines count: Int) throws {
        let deadline = ExecutableSmokeTests.milliseconds() + 10_000
        while (ExecutableSmokeTests.contents(of: path) ?? "").split(separator: "\n").count < count {
            try #require(ExecutableSmokeTests.milliseconds() < deadline, "\(path) never held \(count) lines")
            usleep(20_000)
        }
    }

    static func waitUntil(_ path: String, contains text: String) throws {
        let deadline = ExecutableSmokeTests.milliseconds() + 10_000
        while !(ExecutableSmokeTests.contents(of: path) ?? "").contains(text) {
            try #require(ExecutableSmokeTests.milliseconds() < deadline, "\(path) never contained \(text)")
            usleep(20_000)
        }
    }
}
