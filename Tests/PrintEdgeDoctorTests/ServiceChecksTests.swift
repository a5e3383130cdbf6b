import Foundation
@testable import PrintEdgeDoctor
import Testing

/// brltty, ModemManager and printedge's own udev rules, against fake trees holding their
/// rules files, their processes and udev's database.
@Suite struct ServiceChecksTests {
    /// As Ubuntu 22.04's brltty 6.4 ships it: generic USB-serial chips listed as displays.
    static let brlttyRules = """
        SUBSYSTEM=="usb", KERNEL!="*:*", GOTO="brltty_usb_begin"
        GOTO="brltty_device_end"
        LABEL="brltty_usb_begin"
        # Device: 1A86:7523
        # Baum [NLS eReader Zoomax (20 cells)]
        ENV{PRODUCT}=="1a86/7523/*", ENV{BRLTTY_BRAILLE_DRIVER}="bm", GOTO="brltty_usb_run"
        # Device: 10C4:EA60
        ENV{PRODUCT}=="10c4/ea60/*", ENV{BRLTTY_BRAILLE_DRIVER}="sk", GOTO="brltty_usb_run"
        # Device: 0403:6001 (commented out)
        # ENV{PRODUCT}=="403/6001/*", ENV{BRLTTY_BRAILLE_DRIVER}="al", GOTO="brltty_usb_run"
        LABEL="brltty_device_end"
        """

    @Test func brlttyRulesClaimingThePrintersChipAreAProblemAndMaskedOnesAreNot() async throws {
        #expect(BrailleDisplayCheck.claimedIDs(Self.brlttyRules) == ["1a86:7523", "10c4:ea60"])
        let host = try FakeHost()
        try host.tree.write("/usr/lib/udev/rules.d/85-brltty.rules", Self.brlttyRules)
        try host.tree.write("/usr/bin/brltty", "", mode: 0o755)
        let configuration = try host.configuration(printerOn("/dev/ttyUSB0"))
        let waiting = await host.findings("brltty", configuration)
        #expect(waiting.map(\.level) == [.warning], "no CH340 is plugged in yet: \(waiting)")
        #expect(waiting.first?.message.contains("claim CH340 (1a86:7523), CP210x (10c4:ea60) as braille displays") == true, "\(waiting)")

        try host.plugCH340()
        let taken = await host.findings("brltty", configuration)
        #expect(taken.first?.level == .problem)
        #expect(taken.first?.message.contains("/dev/ttyUSB0 (printer ender) is one") == true, "\(taken)")
        #expect(taken.first?.fix == "sudo apt remove brltty   # or, to keep it for a braille display: sudo ln -s /dev/null /etc/udev/rules.d/85-brltty.rules && sudo udevadm control --reload-rules")

        try host.tree.link("/etc/udev/rules.d/85-brltty.rules", target: "/dev/null")
        let masked = await host.findings("brltty", configuration)
        #expect(masked.map(\.level) == [.ok])
        #expect(masked.first?.message == "brltty is installed; its rules are masked (/etc/udev/rules.d/85-brltty.rules)")
    }

    @Test func withoutBrlttyThereIsNothingToCheck() async throws {
        let host = try FakeHost()
        let findings = await host.findings("brltty", try host.configuration(printerOn("/dev/ttyUSB0")))
        #expect(findings == [DoctorFinding("brltty", .notApplicable, "brltty is not installed; no udev rules start it")])
    }

    @Test func modemManagerProbingACDCACMBoardIsAProblemUnlessUdevTellsItToKeepAway() async throws {
        let host = try FakeHost()
        try host.plugPrusa()
        let configuration = try host.configuration(printerOn("/dev/serial/by-id/\(FakeHost.prusaByID)", id: "mk3s"))
        #expect(await host.findings("modemmanager", configuration) == [DoctorFinding("modemmanager", .ok, "ModemManager is not running and not enabled")])

        try host.process(700, "ModemManager", unit: "ModemManager.service")
        try host.udevRecord(["ID_BUS": "usb", "ID_VENDOR_ID": "2c99"])
        let probing = await host.findings("modemmanager", configuration)
        #expect(probing.map(\.level) == [.problem])
        #expect(probing.first?.message == "ModemManager runs (pid 700), and /dev/ttyACM0 is not marked ID_MM_DEVICE_IGNORE=1: it probes a CDC-ACM port like this one with AT commands")
        #expect(probing.first?.fix?.hasPrefix("sudo install -m 644 hardware/99-printedge.rules") == true)

        try host.udevRecord(["ID_BUS": "usb", "ID_MM_DEVICE_IGNORE": "1"])
        #expect(await host.findings("modemmanager", configuration).map(\.level) == [.ok])
    }

    @Test func theUdevRulesAreInstalledAndMarkEachBoard() async throws {
        let host = try FakeHost()
        try host.plugCH340()
        let configuration = try host.configuration(printerOn("/dev/ttyUSB0"))
        let missing = await host.findings("udev.rules", configuration)
        #expect(missing.map(\.level) == [.warning])
        #expect(missing.first?.fix == DoctorContext.installUdevRules)

        let rules = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("hardware/99-printedge.rules"), encoding: .utf8)
        try host.tree.write("/etc/udev/rules.d/99-printedge.rules", rules)
        try host.udevRecord(["ID_PATH": "platform-3f980000.usb-usb-0:1.2:1.0", "ID_VENDOR_ID": "1a86"])
        let unmarked = await host.findings("udev.rules", configuration)
        #expect(unmarked.map(\.level) == [.warning])
        #expect(unmarked.first?.fix?.hasPrefix(#"add `ENV{ID_PATH}=="platform-3f980000.usb-usb-0:1.2:1.0", ENV{PRINTEDGE_PRINTER}="1", SYMLINK+="printedge/ender"` to the "Your printers" block"#) == true,
                "\(unmarked.first?.fix ?? "")")

        try host.udevRecord(["ID_PATH": "platform-3f980000.usb-usb-0:1.2:1.0", "PRINTEDGE_PRINTER": "1", "ID_MM_DEVICE_IGNORE": "1"])
        #expect(await host.findings("udev.rules", configuration).map(\.level) == [.ok])
    }
}
