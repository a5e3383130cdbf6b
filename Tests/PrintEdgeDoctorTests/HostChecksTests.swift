import Foundation
import PrintEdgeControl
@testable import PrintEdgeDoctor
import Testing

/// A Raspberry Pi's power flags, the clock, and the storage under the database, against fake
/// trees (a stand-in `vcgencmd` among them) and a given clock and free space.
@Suite struct HostChecksTests {
    private func raspberryPi(_ host: borrowing FakeHost) throws {
        try host.tree.write("/proc/device-tree/model", "Raspberry Pi 4 Model B Rev 1.4\0")
    }

    /// A `vcgencmd` that prints `throttled=<flags>` and records its arguments.
    private func vcgencmd(_ host: borrowing FakeHost, flags: String) throws -> String {
        let arguments = host.tree.path("/vcgencmd-arguments")
        try host.tree.write("/usr/bin/vcgencmd", "#!/bin/sh\necho \"$@\" > \(arguments)\necho throttled=\(flags)\n", mode: 0o755)
        return arguments
    }

    @Test func offARaspberryPiThereAreNoFlagsToRead() async throws {
        let host = try FakeHost()
        let configuration = try host.configuration("")
        #expect(await host.findings("power.throttling", configuration).map(\.message)
            == ["not a Raspberry Pi (no /proc/device-tree/model): its firmware's under-voltage flags do not exist here"])
        try host.tree.write("/proc/device-tree/model", "Pine64 RockPro64 v2.1\0")
        #expect(await host.findings("power.throttling", configuration).first?.message.hasPrefix("Pine64 RockPro64 v2.1 is not a Raspberry Pi") == true)
    }

    @Test func anUnderVoltageFromTheHwmonOrVcgencmdIsAProblem() async throws {
        let host = try FakeHost()
        try raspberryPi(host)
        let configuration = try host.configuration("")
        #expect(await host.findings("power.throttling", configuration).map(\.level) == [.notApplicable], "neither source is there")

        try host.tree.write("/sys/class/hwmon/hwmon2/name", "rpi_volt\n")
        try host.tree.write("/sys/class/hwmon/hwmon2/in0_lcrit_alarm", "1\n")
        let alarm = await host.findings("power.throttling", configuration)
        #expect(alarm.map(\.level) == [.problem])
        #expect(alarm.first?.subject == "Raspberry Pi 4 Model B Rev 1.4")
        #expect(alarm.first?.fix?.hasPrefix("use the official supply") == true)

        try host.tree.write("/sys/class/hwmon/hwmon2/in0_lcrit_alarm", "0\n")
        let arguments = try vcgencmd(host, flags: "0x50005")
        let now = await host.findings("power.throttling", configuration)
        #expect(now.map(\.level) == [.ok, .problem])
        #expect(now.last?.message == "vcgencmd get_throttled = 0x50005: under-voltage, throttled now")
        #expect(try String(contentsOfFile: arguments, encoding: .utf8) == "get_throttled\n", "run without an argument, which would reset the flags")
    }

    @Test func throttlingAndPastEventsAreWarnings() {
        let hot = PowerSupplyCheck.finding(0x8, model: "Pi", fix: "supply", hwmonClearsHistory: false)
        #expect(hot.level == .warning && hot.message == "vcgencmd get_throttled = 0x8: soft temperature limit now: the CPU is too hot")
        let past = PowerSupplyCheck.finding(0x50000, model: "Pi", fix: "supply", hwmonClearsHistory: false)
        #expect(past.level == .warning && past.message == "vcgencmd get_throttled = 0x50000: under-voltage, throttled since boot")
        #expect(past.fix == "supply")
        #expect(PowerSupplyCheck.finding(0, model: "Pi", fix: "supply", hwmonClearsHistory: true).level == .ok)
    }

    @Test func theClockMustBeSynchronisedAndSet() async throws {
        let host = try FakeHost()
        let configuration = try host.configuration("")
        #expect(await host.findings("clock.sync", configuration).map(\.level) == [.ok])
        let drifting = await host.findings("clock.sync", configuration, environment: host.environment(clock: .unsynchronised))
        #expect(drifting.map(\.level) == [.warning])
        #expect(drifting.first?.fix?.hasPrefix("sudo timedatectl set-ntp true") == true)
        let unset = await host.findings("clock.sync", configuration, environment: host.environment(nowMS: 86_400_000))
        #expect(unset.map(\.level) == [.problem])
        #expect(unset.first?.message.hasPrefix("the clock says 1970-01-02T00:00:00Z: it was never set") == true, "\(unset)")
    }

    @Test func lowSpaceAReadOnlyRemountAndExt4ErrorsAreFound() async throws {
        let host = try FakeHost()
        try host.tree.write("/var/lib/printedge/printedge.sqlite", "")
        try host.tree.write("/proc/self/mountinfo", """
            22 1 179:2 / / rw,noatime shared:1 - ext4 /dev/mmcblk0p2 rw
            23 22 0:21 / /proc rw,relatime shared:12 - proc proc rw
            40 22 8:1 / /var/lib/printedge ro,noatime shared:30 - ext4 /dev/sda1 ro,errors=remount-ro
            """)
        try host.tree.write("/sys/fs/ext4/sda1/errors_count", "3\n")
        try host.tree.write("/sys/fs/ext4/sda1/last_error_func", "ext4_journal_check_start\n")
        let configuration = try host.configuration("")
        let findings = await Doctor(configuration: configuration, environment: host.environment(free: .init(availableBytes: 100 << 20, totalBytes: 30 << 30)))
            .findings().filter { $0.check.hasPrefix("storage.") }
        #expect(findings.map(\.check) == ["storage.space", "storage.readonly", "storage.errors", "storage.ownership"])
        #expect(findings[0].level == .warning && findings[0].message == "100 MiB free of 30 GiB, below 256 MiB or 5% (`printedge health` says degraded)")
        #expect(findings[1].level == .problem && findings[1].message == "on /var/lib/printedge (/dev/sda1, ext4), mounted read-only: the database takes no writes")
        #expect(findings[2].level == .warning && findings[2].message.contains("3 error(s)") && findings[2].message.contains("ext4_journal_check_start"))
        // Created by the test, not by printedge (uid 4242): a daemon run once as root leaves the same.
        #expect(findings[3].level == .problem)
        #expect(findings[3].fix == "sudo chown -R printedge:printedge /var/lib/printedge")

        let full = await host.findings("storage.space", configuration, environment: host.environment(free: .init(availableBytes: 8 << 20, totalBytes: 30 << 30)))
        #expect(full.map(\.level) == [.problem])
    }

    @Test func aStateDirectoryNotYetMadeIsNoProblem() async throws {
        let host = try FakeHost()
        try host.tree.write("/proc/self/mountinfo", "22 1 179:2 / / rw,noatime shared:1 - ext4 /dev/mmcblk0p2 rw\n")
        try host.tree.write("/sys/fs/ext4/mmcblk0p2/errors_count", "0\n")
        let findings = await Doctor(configuration: try host.configuration(""), environment: host.environment()).findings().filter { $0.check.hasPrefix("storage.") }
        #expect(findings.map(\.level) == [.ok, .ok, .ok, .ok], "\(findings)")
        #expect(findings[1].message == "on / (/dev/mmcblk0p2, ext4), mounted read-write")
    }
}
