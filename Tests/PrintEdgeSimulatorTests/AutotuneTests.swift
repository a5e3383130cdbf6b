import PrintEdgeCore
import PrintEdgeSimulator
import Testing

/// M303 on the thermal plant: Marlin's lines, convergence, each failure, and how it blocks.
@Suite struct AutotuneTests {
    /// Cycle lines and the gains in them.
    struct Tune {
        var lines: [String]

        var kp: [Double] {
            lines.filter { $0.hasPrefix(" Kp: ") }.compactMap { Double($0.split(separator: " ")[1]) }
        }
    }

    private func tune(_ command: String, _ configure: (inout VirtualMarlinConfiguration) -> Void = { _ in }) -> (Tune, PrinterRig) {
        var rig = PrinterRig.calibration(configure)
        let lines = rig.command(command)
        return (Tune(lines: lines), rig)
    }

    @Test func hotendTuneConvergesInMarlinsLines() throws {
        let (tune, _) = tune("M303 E0 S210 C8")
        let lines = tune.lines.filter { !$0.hasPrefix(" T:") }
        #expect(lines.first == "PID Autotune start")
        // Cycles 1 and 2 print no gains and no line end: the next report is glued on.
        let glued = lines.filter { $0.hasPrefix(" bias: ") && $0.contains(" T:") }
        #expect(glued.count == 2)
        #expect(glued.allSatisfy { $0.contains(" /0.00 B:") && $0.hasSuffix(" B@:0") })
        let cycles = lines.filter { $0.hasPrefix(" bias: ") && $0.contains(" Ku: ") }
        #expect(cycles.count == 6)
        #expect(lines.filter { $0 == " Classic PID " }.count == 6)
        // The relay oscillation settles: the last gains agree within 3 %.
        let kp = tune.kp
        #expect(kp.count == 6)
        let last = try #require(kp.last)
        #expect(kp.suffix(3).allSatisfy { abs($0 - last) / last < 0.03 }, "\(kp)")
        let gains = try #require(tune.lines.last { $0.hasPrefix(" Kp: ") }).split(separator: " ").map(String.init)
        let ending: [String] = [
            "PID Autotune finished! Put the last Kp, Ki and Kd constants from below into Configuration.h",
            "#define DEFAULT_Kp " + gains[1], "#define DEFAULT_Ki " + gains[3], "#define DEFAULT_Kd " + gains[5], "ok",
        ]
        #expect(Array(lines.suffix(5)) == ending)
        // A temperature report every 2 s, target shown as 0, no keepalive.
        let reports = tune.lines.filter { $0.hasPrefix(" T:") }
        #expect(reports.count > 50 && reports.allSatisfy { $0.contains(" /0.00 B:") })
    }

    @Test func aCycleLineHasMarlinsFields() throws {
        let (tune, _) = tune("M303 E0 S210 C3")
        let cycle = try #require(tune.lines.first { $0.contains(" Ku: ") })
        let words = cycle.split(separator: " ")
        #expect(words.count == 12)
        #expect(words[0] == "bias:" && words[2] == "d:" && words[4] == "min:" && words[6] == "max:" && words[8] == "Ku:" && words[10] == "Tu:")
        #expect(Int(words[1]) != nil && Int(words[3]) != nil)
        #expect(words[5].split(separator: ".").last?.count == 2 && words[11].split(separator: ".").last?.count == 2)
    }

    @Test func bedTuneSaysNoOvershootAndDefinesBedConstants() {
        let (tune, _) = tune("M303 E-1 S60 C3")
        #expect(tune.lines.contains(" No overshoot"))
        #expect(tune.lines.contains { $0.hasPrefix("#define DEFAULT_bedKp ") })
        #expect(tune.lines.contains { $0.hasPrefix(" T:") && $0.hasSuffix("B@:127") })
    }

    @Test func u1AppliesTheResult() throws {
        var (tune, rig) = tune("M303 E0 S200 C3 U1")
        let define = try #require(tune.lines.first { $0.hasPrefix("#define DEFAULT_Kp ") })
        let reply = rig.command("M301")
        #expect(reply.first?.hasPrefix("  M301 P" + define.dropFirst("#define DEFAULT_Kp ".count) + " I") == true)
        tune = self.tune("M303 E0 S200 C3").0
        #expect(tune.lines.last == "ok")
    }

    @Test func twoCyclesOrFewerFinishWithZeros() {
        let (tune, _) = tune("M303 E0 S210 C1")
        #expect(Array(tune.lines.suffix(4)) == ["#define DEFAULT_Kp 0.00", "#define DEFAULT_Ki 0.00", "#define DEFAULT_Kd 0.00", "ok"])
        #expect(!tune.lines.contains { $0.contains(" Ku: ") })
    }

    @Test func aBadHeaterOrTargetFailsAtOnce() {
        var rig = PrinterRig.calibration()
        #expect(rig.command("M303 E1 S200") == ["PID Autotune failed! Bad heater id", "ok"])
        #expect(rig.command("M303 E-2 S40") == ["PID Autotune failed! Bad heater id", "ok"])
        #expect(rig.command("M303 E0 S261") == ["PID Autotune failed! Temperature too high", "ok"])
        #expect(rig.command("M303 E-1 S141") == ["PID Autotune failed! Temperature too high", "ok"])
    }

    @Test func anOvershootingHeaterFailsTooHighAndIsSwitchedOff() {
        var (tune, rig) = tune("M303 E0 S210 C5") { $0.heaterFault = .overshoot }
        #expect(Array(tune.lines.filter { !$0.hasPrefix(" T:") }.suffix(2)) == ["PID Autotune failed! Temperature too high", "ok"])
        #expect(rig.command("M105").first?.contains(" /0.00 B:") == true)
    }

    @Test func aWeakHeaterTimesOutAfterTwentyMinutes() {
        let (tune, rig) = tune("M303 E0 S210 C5") { $0.heaterFault = .weak }
        #expect(Array(tune.lines.filter { !$0.hasPrefix(" T:") }) == ["PID Autotune start", "PID Autotune failed! timeout", "ok"])
        #expect(rig.printer.statistics.elapsedSeconds > 20 * 60)
    }

    @Test func aDeadHeaterFailsHeatingAndHaltsThePrinter() {
        let (hotend, rig) = tune("M303 E0 S210") { $0.heaterFault = .dead }
        #expect(Array(hotend.lines.filter { !$0.hasPrefix(" T:") }) == [
            "PID Autotune start", "Error:Heating failed, system stopped! Heater_ID: E0", "", "Error:Printer halted. kill() called!",
        ])
        #expect(rig.printer.halted)
        let (bed, _) = tune("M303 E-1 S60") { $0.heaterFault = .dead }
        #expect(Array(bed.lines.filter { !$0.hasPrefix(" T:") }.suffix(2)) == [
            "Error:Heating failed, system stopped! Heater_ID: bed", "Error:Printer halted. kill() called!",
        ])
    }

    @Test func m108EndsTheTuneSilently() {
        var rig = PrinterRig.calibration()
        rig.send("M303 E0 S210 C8\n")
        let started = rig.run(for: .seconds(60))
        #expect(started.first == "PID Autotune start")
        rig.send("M108\n")
        let rest = rig.runUntilIdle().filter { !$0.hasPrefix(" T:") && !$0.hasPrefix(" bias:") }
        #expect(rest == ["ok", "ok"], "M303's ok, then the queued M108's")
        #expect(rig.command("M105").first?.contains("/0.00 B:") == true)
    }

    @Test func theTuneBlocksTheQueueWithoutKeepalives() {
        var rig = PrinterRig.calibration()
        rig.send("M303 E0 S200 C3\nM105\nM155 S1\n")
        let lines = rig.runUntilIdle(limit: .seconds(3600))
        let ok = lines.firstIndex { $0 == "ok" } ?? lines.count
        #expect(lines.prefix(ok).allSatisfy { !$0.hasPrefix("ok") && !$0.hasPrefix("echo:busy") })
        #expect(lines[ok...].first { $0.hasPrefix("ok T:") } != nil, "M105 answered after M303")
    }

    @Test func speedupChangesTheClockNotTheResult() {
        var slow = PrinterRig.calibration()
        var fast = PrinterRig.calibration { $0.speedup = 10 }
        let slowLines = slow.command("M303 E0 S210 C3")
        let fastLines = fast.command("M303 E0 S210 C3")
        #expect(slowLines == fastLines)
        let ratio = slow.printer.statistics.elapsedSeconds / fast.printer.statistics.elapsedSeconds
        #expect(ratio > 9.9 && ratio < 10.1)
    }
}
