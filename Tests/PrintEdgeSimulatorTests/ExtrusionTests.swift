import PrintEdgeCore
import PrintEdgeSimulator
import Testing

/// The filament the extruder really pushes: `--esteps-error`, corrected through M92 E.
@Suite struct ExtrusionTests {
    @Test func theExtruderPushesWhatItsErrorAndStepsSay() {
        var rig = PrinterRig.calibration { $0.extruderErrorPercent = 5 }
        _ = rig.command("G1 E100 F300")
        #expect(abs(rig.printer.statistics.filamentPushedMillimetres - 105) < 1e-9)
        #expect(rig.printer.takeMotionLog().last == "move N- z0=0.000 z1=0.000 x=0.000 y=0.000 e=105.000 lz=0.000")
        // Steps per mm 93 * 100 / 105 take the error out.
        _ = rig.command("M92 E88.571428571")
        _ = rig.command("G92 E0")
        _ = rig.command("G1 E-10")
        #expect(abs(rig.printer.statistics.filamentPushedMillimetres - 95) < 1e-6)
    }

    /// The e-steps calibration a technician does: mark, extrude 100 mm, measure, scale the
    /// steps by commanded / measured, repeat.
    @Test func anEStepsCalibrationConvergesWithinOnePercent() {
        var rig = PrinterRig.calibration { $0.extruderErrorPercent = -12.5 }
        var steps = 93.0
        var pushed = 0.0
        for _ in 0..<3 {
            let before = rig.printer.statistics.filamentPushedMillimetres
            _ = rig.command("M83")
            _ = rig.command("G1 E100 F100")
            pushed = rig.printer.statistics.filamentPushedMillimetres - before
            steps = (steps * 100 / pushed * 1000).rounded() / 1000
            _ = rig.command("M92 E\(steps)")
        }
        #expect(abs(pushed - 100) < 1, "\(pushed) mm for 100 at \(steps) steps/mm")
        #expect(rig.command("M92").first?.hasPrefix("  M92 X80.00 Y80.00 Z400.00 E106.") == true)
    }
}
