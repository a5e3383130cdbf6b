import Foundation
@testable import PrintEdgeDoctor
import Testing

/// Who the daemon runs as, whether it can open each port, the names printers are bound by,
/// other holders of a port, and USB autosuspend, against fake `/proc`, `/sys`, `/dev` trees.
@Suite struct DeviceChecksTests {
    @Test func theDaemonsUserComesFromTheRunningDaemonElseItsUnit() async throws {
        let host = try FakeHost()
        try host.plugCH340()
        let configuration = try host.configuration(printerOn("/dev/ttyUSB0"))
        let fromUnit = await host.findings("daemon.user", configuration)
        #expect(fromUnit == [DoctorFinding("daemon.user", .ok,
                                           "/etc/systemd/system/printedged.service runs printedged as printedge (groups dialout, gpio, printedge)")]
                || fromUnit.first?.message.contains("runs printedged as printedge") == true, "\(fromUnit)")

        // A running daemon's credentials are what the kernel checks: its pid is in the lock.
        try host.tree.write("/var/lib/printedge/printedged.lock", "812\n")
        try host.process(812, "printedged", unit: "printedged.service", files: ["/dev/ttyUSB0"],
                         status: "Name:\tprintedged\nUid:\t\(host.printedge)\t\(host.printedge)\t\(host.printedge)\t\(host.printedge)\nGid:\t\(host.printedge)\t\(host.printedge)\t\(host.printedge)\t\(host.printedge)\nGroups:\t\(host.dialout) \n")
        let running = await host.findings("daemon.user", configuration)
        #expect(running.first?.level == .ok)
        #expect(running.first?.message.hasPrefix("printedged (pid 812) runs as printedge (groups ") == true, "\(running)")
    }

    @Test func aPortTheDaemonsGroupsCannotOpenIsAProblemWithTheCommandThatFixesIt() async throws {
        let host = try FakeHost(supplementaryGroups: "gpio")
        try host.plugCH340()
        let configuration = try host.configuration(printerOn("/dev/serial/by-path/\(FakeHost.ch340ByPath(2))"))
        let denied = await host.findings("device.access", configuration)
        #expect(denied.count == 1)
        #expect(denied[0].level == .problem)
        #expect(denied[0].subject == "printer ender")
        #expect(denied[0].message.hasPrefix("/dev/ttyUSB0 is -rw-rw---- "), "\(denied[0].message)")
        #expect(denied[0].message.hasSuffix(":dialout: printedge cannot open its port"), "\(denied[0].message)")
        #expect(denied[0].fix == "sudo usermod -aG dialout printedge && sudo systemctl restart printedged")

        let user = await host.findings("daemon.user", configuration)
        #expect(user.map(\.level) == [.ok, .warning])
        #expect(user.last?.message == "printedge is not in dialout, the group this system gives serial ports: a port plugged in later will not open")

        // In dialout through the unit: fine.
        let allowed = try FakeHost(supplementaryGroups: "dialout")
        try allowed.plugCH340()
        let ok = await allowed.findings("device.access", try allowed.configuration(printerOn("/dev/ttyUSB0")))
        #expect(ok.map(\.level) == [.ok], "\(ok)")
        #expect(ok.first?.message.hasSuffix(": printedge can open its port") == true)
    }

    @Test func aPortOnlyRootMayOpenNeedsTheUdevRules() async throws {
        let host = try FakeHost()
        try host.plugCH340(mode: 0o600)
        let findings = await host.findings("device.access", try host.configuration(printerOn("/dev/ttyUSB0")))
        #expect(findings.first?.level == .problem)
        #expect(findings.first?.fix?.hasPrefix("sudo install -m 644 hardware/99-printedge.rules /etc/udev/rules.d/") == true, "\(findings)")
    }

    @Test func anAbsentPortIsAWarningAndVirtualPrintersNeedNoPort() async throws {
        let host = try FakeHost()
        let absent = await host.findings("device.access", try host.configuration(printerOn("/dev/ttyUSB3")))
        #expect(absent.map(\.level) == [.warning])
        #expect(absent.first?.message == "port = \"/dev/ttyUSB3\": no such device now (unplugged, or switched off?)")
        let virtual = await host.findings("device.access", try host.configuration("[[printer]]\nid = \"sim\"\nvirtual = true\n"))
        #expect(virtual.map(\.level) == [.notApplicable])
    }

    @Test func twoBoardsSharingAByIDNameAreBoundByTheirSockets() async throws {
        let host = try FakeHost()
        // Two CH340 boards: udev makes one by-id link, to whichever came last.
        try host.plugCH340("ttyUSB0", socket: 2, byID: false)
        try host.plugCH340("ttyUSB1", socket: 4)
        let configuration = try host.configuration(
            printerOn("/dev/serial/by-id/\(FakeHost.ch340ByID)", id: "ender") + printerOn("/dev/serial/by-path/\(FakeHost.ch340ByPath(2))", id: "ender2"))
        let findings = await host.findings("device.names", configuration)
        let byID = try #require(findings.first { $0.subject == "printer ender" })
        #expect(byID.level == .problem)
        #expect(byID.message.hasPrefix("2 boards share the by-id name \(FakeHost.ch340ByID): "), "\(byID.message)")
        #expect(byID.fix == "port = \"/dev/serial/by-path/\(FakeHost.ch340ByPath(4))\"   # its USB socket; keep each board in its socket")
        let byPath = try #require(findings.first { $0.subject == "printer ender2" })
        #expect(byPath.level == .ok)

        // Nobody bound by the shared name: a warning that lists the sockets' links.
        let unbound = await host.findings("device.names", try host.configuration("[[printer]]\nid = \"sim\"\nvirtual = true\n"))
        #expect(unbound.map(\.level) == [.warning])
        #expect(unbound.first?.fix == "bind each printer by its by-path link: /dev/serial/by-path/\(FakeHost.ch340ByPath(2)), /dev/serial/by-path/\(FakeHost.ch340ByPath(4))")
    }

    @Test func aKernelNameOrAMatchThatFitsTwoBoardsIsReported() async throws {
        let host = try FakeHost()
        try host.plugPrusa()
        let kernel = await host.findings("device.names", try host.configuration(printerOn("/dev/ttyACM0", id: "mk3s")))
        #expect(kernel.map(\.level) == [.warning])
        #expect(kernel.first?.fix == "port = \"/dev/serial/by-id/\(FakeHost.prusaByID)\"")

        let twins = try FakeHost()
        try twins.plugCH340("ttyUSB0", socket: 2, byID: false)
        try twins.plugCH340("ttyUSB1", socket: 4)
        let match = await twins.findings("device.names", try twins.configuration("""
            [[printer]]
            id = "ender"
            match = { usb_id = "1a86:7523" }
            profile = "marlin-generic"
            """))
        let ambiguous = try #require(match.first { $0.subject == "printer ender" })
        #expect(ambiguous.level == .problem)
        #expect(ambiguous.message.hasPrefix("2 devices fit its match = { usb_id = \"1a86:7523\" } (/dev/ttyUSB0, /dev/ttyUSB1)"), "\(ambiguous.message)")
        #expect(ambiguous.fix?.contains("/dev/ttyUSB0: match = { path = \"/dev/serial/by-path/\(FakeHost.ch340ByPath(2))\" }") == true, "\(ambiguous.fix ?? "")")
    }

    @Test func anotherProgramHoldingThePortIsNamedWithItsUnit() async throws {
        let host = try FakeHost()
        try host.plugCH340()
        try host.tree.write("/var/lib/printedge/printedged.lock", "812\n")
        try host.process(812, "printedged", unit: "printedged.service", files: ["/dev/ttyUSB0", "/var/lib/printedge/printedge.sqlite"])
        let configuration = try host.configuration(printerOn("/dev/serial/by-id/\(FakeHost.ch340ByID)"))
        let alone = await host.findings("device.holders", configuration)
        #expect(alone == [DoctorFinding("device.holders", subject: "printer ender", .ok, "only printedged has /dev/ttyUSB0 open")])

        try host.process(900, "octoprint", unit: "octoprint.service", files: ["/dev/null", "/dev/ttyUSB0"])
        try host.process(901, "minicom", files: ["/dev/ttyUSB0"])
        let shared = await host.findings("device.holders", configuration)
        #expect(shared.first?.level == .problem)
        #expect(shared.first?.message == "/dev/ttyUSB0 is open in octoprint (pid 900, octoprint.service), minicom (pid 901): it reads the printer's replies and can write into a job")
        #expect(shared.first?.fix == "sudo systemctl disable --now octoprint.service; kill 901   # /usr/bin/minicom --serve")
    }

    @Test func aSuspendableUSBDeviceIsAProblem() async throws {
        let host = try FakeHost()
        try host.plugCH340()
        let configuration = try host.configuration(printerOn("/dev/ttyUSB0"))
        let device = host.tree.usbDevicePath("1-1/1-1.2")
        try host.tree.write(device + "/power/control", "auto\n")
        let auto = await host.findings("device.autosuspend", configuration)
        #expect(auto.first?.level == .problem)
        #expect(auto.first?.fix?.hasPrefix("echo on | sudo tee /sys/bus/usb/devices/1-1.2/power/control && echo 'ACTION==\"add\", SUBSYSTEM==\"usb\", ATTR{idVendor}==\"1a86\", ATTR{idProduct}==\"7523\", ATTR{power/control}=\"on\"' | sudo tee -a /etc/udev/rules.d/50-printedge-power.rules") == true,
                "\(auto.first?.fix ?? "")")
        try host.tree.write(device + "/power/control", "on\n")
        #expect(await host.findings("device.autosuspend", configuration).map(\.level) == [.ok])
    }
}
