import Glibc
import PrintEdgeTestSupport
import Testing

/// `--eeprom FILE` through the real binary: M500 writes it, the next simulator boots from
/// it, a file that does not parse stops the start.
@Suite(.onThreadOfItsOwn) struct EEPROMFileTests {
    @Test(.enabled(if: ExecutableSmokeTests.binaryPath != nil, "printedge-sim is not built next to the tests"))
    func settingsStoredByOneSimulatorComeBackInTheNext() throws {
        let binary = try #require(ExecutableSmokeTests.binaryPath)
        let base = "/tmp/printedge-sim-eeprom-\(getpid())"
        let link = base + ".tty"
        let image = base + ".eeprom"
        unlink(image)
        defer {
            unlink(image)
            unlink(link)
        }

        var first = try SpawnedSimulator(binary, ["--link", link, "--eeprom", image])
        let firstBoot = try Self.session(&first, link: link, commands: ["M851 Z-1.37", "M301 P17.5 I2.25 D31", "M500"])
        #expect(firstBoot.banner.last == "echo:Hardcoded Default Settings Loaded", "no file: a blank EEPROM")
        #expect(firstBoot.replies.contains { $0.hasPrefix("echo:Settings Stored (629 bytes; crc ") })
        #expect(first.terminate() == 0)
        let text = ExecutableSmokeTests.contents(of: image) ?? ""
        #expect(text.contains("\nprobe_offset 10.0 10.0 -1.37\n") && text.contains("\nhotend_pid 17.5 2.25 31.0\n"))

        var second = try SpawnedSimulator(binary, ["--link", link, "--eeprom", image])
        let secondBoot = try Self.session(&second, link: link, commands: ["M851", "M301"])
        #expect(secondBoot.banner.last?.hasPrefix("echo:V86 stored settings retrieved (629 bytes; crc ") == true)
        #expect(secondBoot.replies == ["  M851 X10.00 Y10.00 Z-1.37 ; (mm)", "ok", "  M301 P17.50 I2.25 D31.00", "ok"])
        #expect(second.terminate() == 0)
    }

    @Test(.enabled(if: ExecutableSmokeTests.binaryPath != nil, "printedge-sim is not built next to the tests"))
    func aCorruptImageStopsTheStartWithDataError() throws {
        let binary = try #require(ExecutableSmokeTests.binaryPath)
        let base = "/tmp/printedge-sim-bad-eeprom-\(getpid())"
        let image = base + ".eeprom"
        let fd = open(image, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        try #require(fd >= 0)
        _ = "version 1\nsteps_per_mm 80 80\n".withCString { write(fd, $0, strlen($0)) }
        close(fd)
        defer { unlink(image) }
        var child = try SpawnedSimulator(binary, ["--link", base + ".tty", "--eeprom", image])
        #expect(child.readLine(timeoutMilliseconds: 10_000) == nil, "nothing on stdout: it never listened")
        #expect(child.terminate() == 65)
        #expect(access(base + ".tty", F_OK) != 0)
    }

    /// Boots, reads the banner, sends each command and collects the replies up to its `ok`.
    static func session(_ child: inout SpawnedSimulator, link: String, commands: [String]) throws -> (banner: [String], replies: [String]) {
        let announcement = child.readLine(timeoutMilliseconds: 10_000)
        try #require(announcement?.hasPrefix("printedge-sim: listening on ") == true)
        let port = open(link, O_RDWR | O_NOCTTY | O_CLOEXEC)
        try #require(port >= 0, "open \(link): errno \(errno)")
        defer { close(port) }
        var banner: [String] = []
        var partial: [UInt8] = []
        ExecutableSmokeTests.readReplies(port, into: &banner, partial: &partial) { $0.count >= 6 }
        var replies: [String] = []
        for command in commands {
            _ = (command + "\n").withCString { write(port, $0, strlen($0)) }
            let before = replies.count
            ExecutableSmokeTests.readReplies(port, into: &replies, partial: &partial) { $0.count > before && $0.last == "ok" }
        }
        return (banner, replies)
    }
}
