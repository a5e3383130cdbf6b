import Foundation
@testable import PrintEdgeDaemon
import PrintEdgeTestSupport
import Testing

/// What printedged tells systemd: the printers' states on one `STATUS=` line, sent without
/// ever waiting for the receiver.
@Suite struct SystemdNotifierTests {
    @Test func theStatusLineNamesEveryPrinterWithItsLatestState() async {
        let board = PrinterStatusBoard(printerIDs: ["mk3s-1", "voron"])
        #expect(board.line == "printers: mk3s-1 offline, voron offline")
        board.post(.connecting, for: "voron")
        board.post(.idle, for: "voron")
        board.post(.printing, for: "mk3s-1")
        #expect(board.line == "printers: mk3s-1 printing, voron idle")
        // Lines nobody took yet give way to the newest.
        var lines = board.lines.makeAsyncIterator()
        #expect(await lines.next() == "printers: mk3s-1 printing, voron idle")
        #expect(PrinterStatusBoard(printerIDs: []).line == "printers: none")
    }

    @Test func aReceiverThatNeverReadsNeverHoldsTheNotifier() throws {
        let scratch = try TemporaryDirectory()
        let path = scratch.file("notify")
        let receiver = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        try #require(receiver >= 0)
        defer { close(receiver) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(receiver, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)

        // More than the receiver's queue holds (net.unix.max_dgram_qlen, 10 by default): the
        // ones past it are dropped, none waits.
        let sent = (0..<2_000).map { SystemdNotifier.send("STATUS=\($0)", to: path) }
        #expect(sent.first == true)
        #expect(sent.last == false)
        var received: [String] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while case let count = recv(receiver, &buffer, buffer.count, Int32(MSG_DONTWAIT)), count > 0 {
            received.append(String(decoding: buffer[..<count], as: UTF8.self))
        }
        #expect(received == (0..<received.count).map { "STATUS=\($0)" }, "the oldest arrive, in order")
        #expect(received.count == sent.filter { $0 }.count)
    }
}
