import Foundation
import Testing

/// The unit file is valid for systemd, and the daemon speaks the notify protocol.
@Suite(.serialized) struct SystemdIntegrationTests {
    @Test func theUnitFilePassesSystemdAnalyzeVerify() throws {
        let analyze = "/usr/bin/systemd-analyze"
        try #require(FileManager.default.isExecutableFile(atPath: analyze), "systemd-analyze is installed by ./run (package systemd)")
        let scratch = try Scratch()
        let unit = try String(contentsOf: repositoryRoot.appendingPathComponent("systemd/printedged.service"), encoding: .utf8)
            .replacingOccurrences(of: "/usr/bin/printedged", with: productsDirectory.appendingPathComponent("printedged").path)
        let path = scratch.path("printedged.service")
        try unit.write(toFile: path, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: analyze)
        process.arguments = ["verify", path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(!text.contains("printedged.service:"), "\(text)")
    }

    @Test func theDaemonSaysReadyThenFeedsTheWatchdog() async throws {
        let scratch = try Scratch()
        let socketPath = scratch.path("notify")
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(socketPath.utf8) + [0]) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)

        let daemon = try await DaemonProcess(in: scratch, printers: ["sim"], environment: [
            "NOTIFY_SOCKET": socketPath, "WATCHDOG_USEC": "400000",
        ])
        // Polled without blocking, so the wait holds no thread of the cooperative pool; the
        // deadline is a hang guard.
        var messages: [String] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = ContinuousClock.now + .seconds(20)
        while !(messages.contains { $0.contains("READY=1") } && messages.contains { $0.contains("WATCHDOG=1") }) {
            let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count > 0 {
                messages.append(String(decoding: buffer[..<count], as: UTF8.self))
            } else if count < 0, errno == EAGAIN || errno == EINTR, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            } else {
                break
            }
        }
        #expect(messages.first?.contains("READY=1") == true, "\(messages)")
        #expect(messages.contains { $0.contains("WATCHDOG=1") }, "\(messages)")
        // The kick carries the health verdict's summary, for `systemctl status`.
        #expect(messages.contains { $0.hasPrefix("WATCHDOG=1\nSTATUS=") }, "\(messages)")
        daemon.terminate()
    }
}
