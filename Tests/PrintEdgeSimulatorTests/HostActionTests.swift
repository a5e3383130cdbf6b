import PrintEdgeSimulator
import Testing

/// `//action:` lines, as Marlin sends them when someone uses the printer's own screen.
@Suite struct HostActionTests {
    @Test func anAnnouncedActionReachesTheHostAsOneLineBetweenOks() {
        var rig = PrinterRig()
        rig.sendNumbered(1, "G90")
        #expect(rig.run(for: .milliseconds(100)) == ["ok"])
        let announced = rig.printer.announceHostAction("pause")
        #expect(announced)
        rig.sendNumbered(2, "G90")
        #expect(rig.run(for: .milliseconds(100)) == ["//action:pause", "ok"])
        #expect(rig.printer.lastLineNumber == 2, "announcing changes nothing in the firmware")
    }

    @Test func aNameThatCannotBeOneLineIsRefused() {
        var rig = PrinterRig()
        let refused = ["pause\nok", "", "two words"].filter { !rig.printer.announceHostAction($0) }
        #expect(refused.count == 3)
        #expect(rig.run(for: .milliseconds(100)).isEmpty)
    }
}
