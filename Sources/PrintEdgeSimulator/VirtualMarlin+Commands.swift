import Glibc

/// Command execution: `GcodeSuite::process_parsed_command()` and the handlers the host
/// protocol depends on (gcode/gcode.cpp and gcode/**, Marlin 2.1).
///
/// The `ok` (`ok_to_send`) is printed when a command leaves the queue: for a move, once it
/// is in the planner; for a waiting command, once the wait is over. Commands with nothing
/// to simulate (fans, acceleration settings, …) are accepted and answered at once.
extension VirtualMarlin {
    /// DEFAULT_MAX_FEEDRATE (mm/s) for X, Y, Z, E: the planner slows a move until no axis
    /// exceeds its limit.
    static let maximumFeedrateMMPerSecond = (x: 300.0, y: 300.0, z: 5.0, e: 25.0)
    /// DEFAULT_AXIS_STEPS_PER_UNIT for X, Y, Z, E, for M114's step counts.
    static let stepsPerMM = (x: 80.0, y: 80.0, z: 400.0, e: 93.0)

    /// Dispatches the command at the head of the queue.
    mutating func executeHeadCommand() {
        let entry = queue.head
        let command = GCodeCommand(line: queue.headLine)
        if entry.isFragment {
            printUnknownCommand(command.text)
            finishCommand()
            return
        }
        guard let letter = command.letter else {
            counters.unknownCommands += 1
            printUnknownCommand(command.text)
            finishCommand(loggedAs: command)
            return
        }
        switch letter {
        case UInt8(ascii: "G"): executeG(command)
        case UInt8(ascii: "M"): executeM(command)
        default:
            if command.code != 0 {
                beginLine()
                append("echo:T")
                append(command.code)
                append(" Invalid extruder")
                endLine()
            }
            finishCommand(loggedAs: command)
        }
    }

    private mutating func executeG(_ command: GCodeCommand) {
        switch command.code {
        case 0, 1:
            move(command, arcClockwise: nil)
        case 2, 3:
            move(command, arcClockwise: command.code == 2)
        case 4:
            var milliseconds = 0.0
            if let value = command.value("P") { milliseconds = max(0, value.rounded(.towardZero)) }
            if let value = command.value("S") { milliseconds = max(0, value * 1000) }
            beginWaiting(.synchronizing(then: .dwell(nanoseconds: scaled(nanoseconds: milliseconds * 1e6))))
        case 20, 21:
            finishCommand(loggedAs: command)
        case 28:
            var axes = HomingAxes(x: command.seen("X"), y: command.seen("Y"), z: command.seen("Z"))
            if !axes.x && !axes.y && !axes.z { axes = HomingAxes(x: true, y: true, z: true) }
            beginWaiting(.synchronizing(then: .home(axes)))
        case 29:
            runSynchronized { $0.bedLeveling(command) }
        case 30 where configuration.leveling.hasProbe:
            runSynchronized { $0.probeOnce(command) }
        case 35 where configuration.leveling.hasProbe:
            runSynchronized { $0.assistedTramming(command) }
        case 90:
            relativeAxes = false
            extruderMode = .followAxes
            finishCommand(loggedAs: command)
        case 91:
            relativeAxes = true
            extruderMode = .followAxes
            finishCommand(loggedAs: command)
        case 92:
            setPosition(command)
            finishCommand(loggedAs: command)
        default:
            counters.unknownCommands += 1
            printUnknownCommand(command.text)
            finishCommand(loggedAs: command)
        }
    }

    private mutating func executeM(_ command: GCodeCommand) {
        switch command.code {
        case 0, 1:
            var milliseconds = 0.0
            if let value = command.value("P") { milliseconds = max(0, value.rounded(.towardZero)) }
            if let value = command.value("S") { milliseconds = max(0, value * 1000) }
            let timeout = milliseconds > 0 ? VirtualMarlin.clampedInt64(milliseconds * 1e6) : nil
            beginWaiting(.synchronizing(then: .pauseForUser(timeoutNanoseconds: timeout)))
        case 48 where configuration.leveling.hasProbe:
            runSynchronized { $0.probeRepeatability(command) }
        case 92:
            setStepsPerUnit(command)
            finishCommand(loggedAs: command)
        case 290:
            babystep(command)
            finishCommand(loggedAs: command)
        case 301:
            setHotendPID(command)
            finishCommand(loggedAs: command)
        case 303:
            startAutotune(command)
        case 304:
            setBedPID(command)
            finishCommand(loggedAs: command)
        case 420:
            runSynchronized { $0.levelingState(command) }
        case 851 where configuration.leveling.hasProbe:
            setProbeOffset(command)
            finishCommand(loggedAs: command)
        case 82:
            extruderMode = .absolute
            finishCommand(loggedAs: command)
        case 83:
            extruderMode = .relative
            finishCommand(loggedAs: command)
        case 104:
            if let value = command.value("S") { hotend.setTarget(VirtualMarlin.celsius(value), at: nowNanoseconds) }
            finishCommand(loggedAs: command)
        case 140:
            if let value = command.value("S") { bed.setTarget(VirtualMarlin.celsius(value), at: nowNanoseconds) }
            finishCommand(loggedAs: command)
        case 105:
            // M105 returns without ok_to_send: its report line is the ok, without the
            // ADVANCED_OK fields.
            beginLine()
            append("ok")
            appendTemperatures()
            endLine()
            finishCommand(loggedAs: command, sendsOK: false)
        case 109:
            waitForTemperature(command, heatsBed: false)
        case 190:
            waitForTemperature(command, heatsBed: true)
        case 110:
            if let value = command.value("N") {
                lastN = min(max(VirtualMarlin.clampedInt64(value), Int64(Int32.min)), Int64(Int32.max))
            }
            finishCommand(loggedAs: command)
        case 113:
            if let value = command.value("S") {
                keepaliveIntervalNanoseconds = Int64(min(255, max(0, value.rounded(.towardZero)))) * 1_000_000_000
            } else {
                beginLine()
                append("echo:M113 S")
                append(keepaliveIntervalNanoseconds / 1_000_000_000)
                endLine()
            }
            finishCommand(loggedAs: command)
        case 114:
            printPosition()
            finishCommand(loggedAs: command)
        case 115:
            printCapabilities()
            finishCommand(loggedAs: command)
        case 118:
            printM118(command.argumentText)
            finishCommand(loggedAs: command)
        case 119:
            printLine("Reporting endstop status")
            printLine("x_min: open")
            printLine("y_min: open")
            printLine("z_min: open")
            finishCommand(loggedAs: command)
        case 155:
            if let value = command.value("S") {
                let seconds = Int64(min(255, max(0, value.rounded(.towardZero))))
                autoreportIntervalNanoseconds = seconds * 1_000_000_000
                nextAutoreportAt = seconds > 0 ? nowNanoseconds + autoreportIntervalNanoseconds : nil
            }
            finishCommand(loggedAs: command)
        case 220:
            if let value = command.value("S") {
                feedratePercent = max(10, min(999, value.rounded(.towardZero)))
            } else {
                beginLine()
                append("echo:FR:")
                append(Int(feedratePercent))
                append("%")
                endLine()
            }
            finishCommand(loggedAs: command)
        case 400:
            beginWaiting(.synchronizing(then: .nothing))
        case 500:
            storeSettings()
            finishCommand(loggedAs: command)
        case 501:
            loadSettings()
            finishCommand(loggedAs: command)
        case 502:
            restoreDefaultSettings()
            finishCommand(loggedAs: command)
        case 503:
            printSettingsReport(forReplay: command.value("S") == 0)
            finishCommand(loggedAs: command)
        case 504 where configuration.hasEEPROM:
            printLine("echo:EEPROM OK")
            finishCommand(loggedAs: command)
        case 17, 18, 73, 75, 76, 77, 81, 84, 85, 106, 107, 111, 117, 145, 149, 200, 201, 203, 204, 205,
            206, 211, 221, 302, 999:
            finishCommand(loggedAs: command)
        case 108, 112, 410, 876:
            // The emergency parser already acted on these when their bytes arrived; the
            // queued copy does nothing (gcode.cpp with EMERGENCY_PARSER).
            finishCommand(loggedAs: command)
        default:
            counters.unknownCommands += 1
            printUnknownCommand(command.text)
            finishCommand(loggedAs: command)
        }
    }

    // MARK: - Completion

    /// The command at the head is done: `ok_to_send()`, then the slot is freed.
    mutating func finishCommand(loggedAs command: GCodeCommand? = nil, sendsOK: Bool = true) {
        let entry = queue.head
        if sendsOK {
            beginLine()
            append("ok")
            if configuration.advancedOK {
                appendAdvancedOKFields(queue.headLine)
            }
            endLine()
        }
        if !entry.isFragment {
            if entry.isNumbered {
                if command.map({ !$0.isCommand("M", 110) }) ?? true {
                    counters.linesExecuted += 1
                    if configuration.recordsExecutionLog {
                        executionLog.append(VirtualMarlin.logText(command?.text ?? GCodeCommand(line: queue.headLine).text))
                    }
                }
            } else {
                counters.unnumberedCommands += 1
            }
        }
        queue.removeHead()
        activity = .ready
        nextKeepaliveAt = nil
        if let limit = configuration.resetAfterLines, !hasReset, counters.linesExecuted >= limit {
            hasReset = true
            reset()
        }
    }

    /// ` N<n> P<moves free> B<slots free>`: N only when the stored line starts with `N`
    /// (leading spaces hide it), copied character by character as Marlin does; B counts
    /// the acknowledged command as still queued.
    private mutating func appendAdvancedOKFields(_ line: ArraySlice<UInt8>) {
        if line.first == UInt8(ascii: "N") {
            append(" N")
            var index = line.startIndex + 1
            while index < line.endIndex && GCodeCommand.isNumericSigned(line[index]) {
                outputLine.append(line[index])
                index += 1
            }
        }
        append(" P")
        append(planner.movesFree)
        append(" B")
        append(queue.slotCount - queue.count)
    }

    /// A parameter as a whole number, saturating instead of trapping on absurd input.
    static func clampedInt64(_ value: Double) -> Int64 {
        guard !value.isNaN else { return 0 }
        return Int64(min(9.0e18, max(-9.0e18, value.rounded(.towardZero))))
    }

    /// `value_celsius()`: whole degrees.
    static func celsius(_ value: Double) -> Int {
        Int(min(100_000, max(-100_000, clampedInt64(value))))
    }

    /// The text an execution-log line holds: the command without `N<n> ` and
    /// `*<checksum>`, trimmed.
    static func logText(_ text: ArraySlice<UInt8>) -> String {
        var start = text.startIndex
        var end = text.endIndex
        while start < end && CLibrary.isSpace(text[start]) { start += 1 }
        while end > start && CLibrary.isSpace(text[end - 1]) { end -= 1 }
        return String(decoding: text[start..<end], as: UTF8.self)
    }

    private mutating func printUnknownCommand(_ text: ArraySlice<UInt8>) {
        beginLine()
        append("echo:Unknown command: \"")
        append(text)
        append("\"")
        endLine()
    }

    /// Runs a handler that needs the planner empty (probing, leveling changes): at once if
    /// it is, else after `planner.synchronize()`, the command staying at the queue's head.
    private mutating func runSynchronized(_ handler: (inout VirtualMarlin) -> Void) {
        guard planner.isEmpty else {
            beginWaiting(.synchronizing(then: .reexecute))
            return
        }
        handler(&self)
    }

    /// Enters a handler that waits, with `busy: processing` every keepalive interval from
    /// the command's start. A wait ends any starvation gap that was open: only gaps that
    /// end in a move count. If the wait is already over (an empty planner), the main loop
    /// finishes it in this same instant.
    private mutating func beginWaiting(_ next: Activity) {
        starvedSince = nil
        activity = next
        nextKeepaliveAt = keepaliveIntervalNanoseconds > 0 ? nowNanoseconds + keepaliveIntervalNanoseconds : nil
    }

    // MARK: - Heating

    /// M109/M190: `S` waits only while heating, `R` also while cooling. The wait prints the
    /// temperatures every second (BUSY_WHILE_HEATING off, so no `busy:`), ends within a
    /// degree of the target, or at M108.
    private mutating func waitForTemperature(_ command: GCodeCommand, heatsBed: Bool) {
        let noWaitForCooling = command.value("S") != nil
        guard let target = command.value("S") ?? command.value("R") else {
            finishCommand(loggedAs: command)
            return
        }
        if heatsBed {
            bed.setTarget(VirtualMarlin.celsius(target), at: nowNanoseconds)
        } else {
            hotend.setTarget(VirtualMarlin.celsius(target), at: nowNanoseconds)
        }
        let heater = heatsBed ? bed : hotend
        guard heater.isHeating(at: nowNanoseconds) || !noWaitForCooling else {
            finishCommand(loggedAs: command)
            return
        }
        starvedSince = nil
        waitForHeatup = true
        nextTemperatureReportAt = nowNanoseconds
        nextKeepaliveAt = nil
        activity = .heating(until: heater.instantWithin(1, at: nowNanoseconds))
    }

    // MARK: - Reports

    /// M114: `X:10.00 Y:20.00 Z:0.30 E:1.23 Count X:800 Y:1600 Z:120`: the logical
    /// position of the last move planned (`report_current_position_projected`, no planner
    /// sync), then the steppers' counts where they are now (`report_positions`): after a
    /// reset both start from 0 wherever the nozzle is, and babysteps show only in the counts.
    mutating func printPosition() {
        let steppers = coordinates.stepperMillimetres(ofPhysical: physicalNozzle)
        beginLine()
        append("X:")
        appendFixed2(position.x)
        append(" Y:")
        appendFixed2(position.y)
        append(" Z:")
        appendFixed2(position.z)
        append(" E:")
        appendFixed2(position.e)
        append(" Count X:")
        append(VirtualMarlin.clampedInt64((steppers.x * VirtualMarlin.stepsPerMM.x).rounded()))
        append(" Y:")
        append(VirtualMarlin.clampedInt64((steppers.y * VirtualMarlin.stepsPerMM.y).rounded()))
        append(" Z:")
        append(VirtualMarlin.clampedInt64((steppers.z * VirtualMarlin.stepsPerMM.z).rounded()))
        endLine()
    }

    /// M115 with EXTENDED_CAPABILITIES_REPORT.
    private mutating func printCapabilities() {
        beginLine()
        append("FIRMWARE_NAME:Marlin ")
        append(configuration.marlinVersion == .bugfix ? "bugfix-2.1.x" : "2.1.2.5")
        append(" (printedge-sim) SOURCE_CODE_URL:github.com/MarlinFirmware/Marlin")
        append(" PROTOCOL_VERSION:1.0 MACHINE_TYPE:printedge-sim EXTRUDER_COUNT:1")
        append(" UUID:cede2a2f-41a2-4748-9b12-c55c62f367ff")
        endLine()
        printLine("Cap:SERIAL_XON_XOFF:0")
        printLine("Cap:BINARY_FILE_TRANSFER:0")
        printLine(configuration.hasEEPROM ? "Cap:EEPROM:1" : "Cap:EEPROM:0")
        printLine("Cap:AUTOREPORT_TEMP:1")
        printLine("Cap:PROGRESS:0")
        let hasProbe = configuration.leveling.hasProbe
        printLine(hasProbe ? "Cap:AUTOLEVEL:1" : "Cap:AUTOLEVEL:0")
        printLine(hasProbe ? "Cap:Z_PROBE:1" : "Cap:Z_PROBE:0")
        printLine("Cap:LEVELING_DATA:1")
        printLine("Cap:EMERGENCY_PARSER:1")
        printLine("Cap:PROMPT_SUPPORT:0")
        printLine("Cap:SDCARD:0")
        printLine("Cap:THERMAL_PROTECTION:1")
        printLine("Cap:ARCS:1")
        printLine("Cap:BABYSTEPPING:1")
        if configuration.advancedOK {
            printLine("Cap:ADVANCED_OK:1")
        } else {
            printLine("Cap:ADVANCED_OK:0")
        }
    }

    /// M118 [E1] [A1] [Pn] text: echoes the text, `echo:` first with E1, `//` with A1.
    private mutating func printM118(_ arguments: ArraySlice<UInt8>) {
        var text = arguments
        var hasEcho = false
        var hasAction = false
        for _ in 0..<3 {
            guard let flag = text.first,
                  flag == UInt8(ascii: "E") || flag == UInt8(ascii: "A") || flag == UInt8(ascii: "P") else { break }
            let rest = text.dropFirst()
            guard let digit = rest.first, CLibrary.isDigit(digit) else { break }
            if flag == UInt8(ascii: "E") { hasEcho = digit != UInt8(ascii: "0") }
            if flag == UInt8(ascii: "A") { hasAction = digit != UInt8(ascii: "0") }
            text = rest.dropFirst().drop { $0 == UInt8(ascii: " ") }
        }
        beginLine()
        if hasEcho { append("echo:") }
        if hasAction { append("//") }
        append(text)
        endLine()
    }
}
