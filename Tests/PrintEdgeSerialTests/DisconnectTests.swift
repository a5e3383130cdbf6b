import Glibc
import PrintEdgePOSIX
import PrintEdgeSerial
import PrintEdgeTestSupport
import Testing

@Suite("A port notices its device going away")
struct DisconnectTests {
    @Test("closing the pty hangs up the host: poll reports hangup and every read throws disconnected")
    func closingThePtyDisconnectsTheHost() throws {
        let pty = try PseudoTerminal()
        let path = pty.slavePath
        let port = try SerialPort(.init(path: path, baudRate: 115_200))

        pty.close()

        var set = PollSet()
        let slot = set.add(port.fileDescriptor, interest: .readable)
        #expect(try set.wait(timeout: stallLimit) == 1)
        #expect(set.readiness(ofSlot: slot).contains(.hangup))

        var buffer = [UInt8](repeating: 0, count: 64)
        // A hung-up tty stays readable forever; a caller that got 0 back would spin. It
        // must get an error, every time.
        for _ in 0..<3 {
            let error = #expect(throws: SerialError.self) {
                try buffer.withUnsafeMutableBytes { try port.read(into: $0) }
            }
            guard case .disconnected(let reportedPath, _) = error else {
                Issue.record("expected .disconnected, got \(String(describing: error))")
                return
            }
            #expect(reportedPath == path)
        }
        let line = bytes("M105\n")
        let writeError = #expect(throws: SerialError.self) {
            try line.withUnsafeBytes { try port.write($0) }
        }
        guard case .disconnected = writeError else {
            Issue.record("expected .disconnected from write, got \(String(describing: writeError))")
            return
        }
        #expect(port.isDevicePresent() == false, "devpts removes the node with the master")
    }

    @Test("removing the symlink the port was opened through makes the device absent")
    func removedSymlinkMeansDeviceAbsent() throws {
        let scratch = try TemporaryDirectory()
        let link = scratch.file("printer")
        let pty = try PseudoTerminal(symlinkPath: link)
        let port = try SerialPort(.init(path: link, baudRate: 115_200))
        #expect(port.isDevicePresent())

        #expect(unlink(link) == 0)

        #expect(port.isDevicePresent() == false)
        _ = pty
    }

    @Test("a closed port reports its device absent and close can be repeated")
    func closedPortIsAbsent() throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(.init(path: pty.slavePath, baudRate: 115_200))
        port.close()
        port.close()
        #expect(port.fileDescriptor == -1)
        #expect(port.isDevicePresent() == false)
    }
}
