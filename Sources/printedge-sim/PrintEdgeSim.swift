import ArgumentParser
import PrintEdgeCore
import PrintEdgeSimulator

/// `printedge-sim --link PATH [options]`: a virtual Marlin 2.1 printer on a pseudo-terminal.
@main
struct PrintEdgeSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "printedge-sim",
        abstract: "A virtual Marlin 2.1 printer on a pseudo-terminal, faults included.",
        discussion: """
            Creates a pty, points --link at its slave end, prints one line \
            "printedge-sim: listening on <slave> (link <link>)" and then answers whatever a \
            host writes there as Marlin 2.1 would: 8N1 wire pacing at --baud in both \
            directions, a 127-byte RX ring that loses bytes when full, BUFSIZE command slots, \
            a planner of BLOCK_BUFFER_SIZE - 1 moves, line numbers and checksums with \
            Error/Resend/ok, busy keepalives, M105/M155 temperatures, M112 halts.

            Hosts may open and close the port any number of times; the printer keeps \
            executing what it received, and what it prints while no host has the port open \
            is held and read first by the next host to open it, as a USB-serial adapter \
            would deliver it.

            SIGUSR1 resets the board at the next turn, as its reset button or a power blip \
            would: the `start` banner, heaters off, queue and planner emptied, and the \
            position lost (Marlin boots at logical 0,0,0 while the nozzle stays where it \
            physically stopped).

            Calibration: M303 on a thermal plant (--heater-fault for its failures), \
            M92/M301/M304/M851/M290, M500-M504 with an EEPROM (--eeprom FILE keeps it; \
            --no-eeprom builds without), G29 in --leveling's format over --bed-shape, \
            M420, G30 (--marlin-version's format), M48, G35, and the filament really \
            pushed (--esteps-error). The EEPROM file is text, one setting per line \
            (version, steps_per_mm, hotend_pid, bed_pid, probe_offset, leveling, \
            mesh_z_offset, mesh and its mesh_row lines); a file that does not parse \
            stops the start with exit status 65.

            SIGTERM or SIGINT flushes the logs, writes the stats file, removes the \
            link and exits 0. The stats file is rewritten every 0.5 s and the logs \
            flushed at least as often, so a run killed with SIGKILL still leaves recent data.

            Motion log (--motion-log), physical millimetres, 3 decimals (Z 0 is the nozzle \
            touching the bed's surface at its centre, where homing puts it unless \
            --z-offset-error; a reset keeps the physical position):
              move N<line or -> z0=<start z> z1=<end z> x=<end x> y=<end y> e=<filament pushed, + forward> lz=<the G-code's own z>[ cut]
              home <homed axes, e.g. X Y Z> z=<z after>
              reset z=<z>
              probe x=<nozzle x> y=<nozzle y> z=<nozzle z when the probe triggered>
              babystep z=<z after>
            A move is logged when it completes, or with " cut" when M410, M112 or a reset \
            stops it (its end is where the nozzle stopped); moves still queued then never ran.
            """,
        version: PrintEdgeVersion.number)

    @Option(help: ArgumentHelp("Symlink to create pointing at the pty's slave end; hosts open this path.", valueName: "path"))
    var link: String

    @Option(help: "Bits per second in each direction; a byte takes 10 bits.")
    var baud = 115_200

    @Option(name: .customLong("latency-ms"), help: "One-way delay added in each direction, in milliseconds.")
    var latencyMilliseconds = 0.0

    @Option(name: .customLong("rx-buffer"), help: "RX_BUFFER_SIZE: the UART ring (holds one byte less).")
    var rxBuffer = 128

    @Option(name: .customLong("tx-buffer"), help: "TX_BUFFER_SIZE: bytes queued for sending before printing blocks the firmware (0: unbuffered, as AVR).")
    var txBuffer = 32

    @Option(help: "BUFSIZE: command queue slots.")
    var bufsize = 4

    @Option(help: "BLOCK_BUFFER_SIZE: planner slots (one always stays free).")
    var planner = 16

    @Option(help: "Divide motion, homing, dwell and heating times by this.")
    var speedup = 1.0

    @Flag(name: .customLong("advanced-ok"), help: "ADVANCED_OK: answer ok N<line> P<planner free> B<slots free>.")
    var advancedOK = false

    @Option(name: .customLong("noise-rx"), help: "Probability that a received byte gets one random bit flipped.")
    var noiseRX = 0.0

    @Option(name: .customLong("noise-tx"), help: "Probability that a sent byte gets one random bit flipped.")
    var noiseTX = 0.0

    @Option(name: .customLong("drop-ok"), help: "Probability that an ok line is never sent.")
    var dropOK = 0.0

    @Option(name: .customLong("reset-after-lines"), help: "Reset the firmware once, after this many numbered commands were executed.")
    var resetAfterLines: Int?

    @Option(help: "Seed for every random fault; the same seed and input give the same run.")
    var seed: UInt64 = 0

    @Option(
        name: .customLong("exec-log"),
        help: ArgumentHelp(
            "Write each executed numbered command (the print stream; M110 excluded) to this file (truncated at start), one per line, without its N prefix and checksum. Unnumbered commands (host polls such as M105, emergency commands) are not logged; --stats counts them as unnumbered_commands.",
            valueName: "file"))
    var execLog: String?

    @Option(
        name: .customLong("motion-log"),
        help: ArgumentHelp(
            "Write where the nozzle physically went to this file (truncated at start): one line per move as it completes or is cut, per homing, reset, probe touch and babystep; format below.",
            valueName: "file"))
    var motionLog: String?

    @Option(
        help: ArgumentHelp(
            "Write counters as one JSON object to this file (every 0.5 s and at exit), including nozzle_below_bed (moves that took the nozzle below the bed's surface), lowest_z_mm, filament_pushed_mm, bytes_received_during_autotune (what a host sent while M303 ran) and bed_screw_turns.",
            valueName: "file"))
    var stats: String?

    @Option(
        help: ArgumentHelp(
            "Print `printedge-sim: mark received at unix_ns=N` each time bytes containing this text arrive from the host: how the bench times a job's first line on the wire.",
            valueName: "text"))
    var mark: String?

    @Option(
        name: .customLong("host-action-file"),
        help: ArgumentHelp(
            "The printer's own screen: each line appended to this file (pause, resume, cancel...) is sent as `//action:<line>`, as Marlin does when someone uses its screen during a host print. Checked every 0.1 s; the file may be created later.",
            valueName: "file"))
    var hostActionFile: String?

    @Option(
        name: .customLong("bed-screws-file"),
        help: ArgumentHelp(
            "The bed's leveling screws, for tramming: each line appended to this file (`front left cw 0.25`, `3 ccw 1`) turns a screw under Marlin's four stock tramming points (front left, front right, back right, back left; M3, clockwise raises the bed 0.5 mm a turn). Checked every 0.1 s; the file may be created later.",
            valueName: "file"))
    var bedScrewsFile: String?

    @Option(
        help: ArgumentHelp(
            "The EEPROM as a file: loaded at start (missing: a blank EEPROM, booting with defaults), rewritten by each M500. Without it the EEPROM lives in memory, holding the defaults.",
            valueName: "file"))
    var eeprom: String?

    @Flag(name: .customLong("no-eeprom"), help: "Build without EEPROM_SETTINGS: M500 answers `Error:EEPROM disabled`, M501 resets to the defaults.")
    var noEEPROM = false

    @Option(name: .customLong("marlin-version"), help: ArgumentHelp("Output formats of Marlin 2.1 (2.1.2.x) or bugfix (bugfix-2.1.x): G30's line, the UBL map's decimals.", valueName: "2.1|bugfix"))
    var marlinVersion = "2.1"

    @Option(help: ArgumentHelp("Bed leveling compiled in: bilinear or ubl (with a probe: G29, G30, M48, G35, M851) or mbl (manual mesh, no probe).", valueName: "bilinear|ubl|mbl"))
    var leveling = "bilinear"

    @Option(help: ArgumentHelp("Bed size X_BED_SIZE x Y_BED_SIZE in mm.", valueName: "WxD"))
    var bed = "220x220"

    @Option(name: .customLong("probe-grid"), help: "Mesh points in X and in Y (GRID_MAX_POINTS), 3 to 10.")
    var probeGrid = 5

    @Option(
        name: .customLong("bed-shape"),
        help: ArgumentHelp(
            "The bed's real surface, relative to its centre: tilt-x and tilt-y in mm per 100 mm, bow in mm (centre above corners), noise in mm (seeded by --seed), e.g. tilt-x=0.2,bow=0.05,noise=0.01.",
            valueName: "spec"))
    var bedShape: String?

    @Option(name: .customLong("probe-scatter"), help: ArgumentHelp("Standard deviation of the probe's trigger height, in mm (M48's spread).", valueName: "mm"))
    var probeScatter = 0.002

    @Option(
        name: .customLong("z-offset-error"),
        help: ArgumentHelp(
            "The compiled-in Z offset (M851 Z, or the Z endstop without a probe) is this far off: after homing, Z 0 leaves the nozzle this many mm above the bed (negative: into it) until calibrated.",
            valueName: "mm"))
    var zOffsetError = 0.0

    @Option(
        name: .customLong("heater-fault"),
        help: ArgumentHelp(
            "The heater M303 tunes misbehaves: overshoot (PID Autotune failed! Temperature too high), weak (... timeout), dead (Error:Heating failed, the printer halts).",
            valueName: "overshoot|weak|dead"))
    var heaterFault: String?

    @Option(
        name: .customLong("esteps-error"),
        help: ArgumentHelp(
            "The extruder pushes this many percent more filament than commanded (negative: less), scaled by M92 E against 93 steps/mm; --stats counts filament_pushed_mm.",
            valueName: "percent"))
    var estepsError = 0.0

    @Flag(name: .customLong("exit-with-parent"), help: "Stop (as on SIGTERM) when the process that started this one dies: how printedged's virtual printers follow it.")
    var exitWithParent = false

    func validate() throws {
        if link.isEmpty { throw ValidationError("--link needs a path, e.g. --link /tmp/printer") }
        if !(latencyMilliseconds >= 0) || !latencyMilliseconds.isFinite || latencyMilliseconds > 60_000 {
            throw ValidationError("--latency-ms must be between 0 and 60000")
        }
        if let problem = printerConfiguration.problem { throw ValidationError(problem) }
        if mark?.isEmpty == true { throw ValidationError("--mark needs some text, e.g. --mark M117") }
        if noEEPROM && eeprom != nil { throw ValidationError("--eeprom and --no-eeprom exclude each other: a firmware without EEPROM has no file to keep") }
        if eeprom?.isEmpty == true { throw ValidationError("--eeprom needs a path, e.g. --eeprom /tmp/printer.eeprom") }
        if MarlinVersion(rawValue: marlinVersion) == nil { throw ValidationError("--marlin-version must be 2.1 or bugfix, not `\(marlinVersion)`") }
        if LevelingSystem(rawValue: leveling) == nil { throw ValidationError("--leveling must be bilinear, ubl or mbl, not `\(leveling)`") }
        if bedSize == nil { throw ValidationError("--bed must be WIDTHxDEPTH in mm, e.g. --bed 220x220, not `\(bed)`") }
        if let bedShape {
            do throws(BedSurface.SpecificationError) {
                _ = try BedSurface(specification: bedShape)
            } catch {
                throw ValidationError("--bed-shape: \(error)")
            }
        }
        if let heaterFault, HeaterFault(rawValue: heaterFault) == nil {
            throw ValidationError("--heater-fault must be overshoot, weak or dead, not `\(heaterFault)`")
        }
    }

    /// `--bed 220x220`.
    private var bedSize: (width: Double, depth: Double)? {
        let parts = bed.split(separator: "x")
        guard parts.count == 2, let width = Double(parts[0]), let depth = Double(parts[1]) else { return nil }
        return (width, depth)
    }

    var printerConfiguration: VirtualMarlinConfiguration {
        var configuration = VirtualMarlinConfiguration()
        configuration.baudRate = baud
        configuration.latency = .nanoseconds(Int64((latencyMilliseconds.isFinite ? min(max(latencyMilliseconds, 0), 60_000) : 0) * 1e6))
        configuration.receiveBufferSize = rxBuffer
        configuration.transmitBufferSize = txBuffer
        configuration.commandSlots = bufsize
        configuration.plannerBlocks = planner
        configuration.speedup = speedup
        configuration.advancedOK = advancedOK
        configuration.receiveNoiseProbability = noiseRX
        configuration.transmitNoiseProbability = noiseTX
        configuration.okDropProbability = dropOK
        configuration.resetAfterLines = resetAfterLines
        configuration.seed = seed
        configuration.recordsExecutionLog = execLog != nil
        configuration.recordsMotionLog = motionLog != nil
        configuration.hasEEPROM = !noEEPROM
        configuration.marlinVersion = MarlinVersion(rawValue: marlinVersion) ?? .release2_1
        configuration.leveling = LevelingSystem(rawValue: leveling) ?? .bilinear
        if let bedSize {
            configuration.bedWidthMillimetres = bedSize.width
            configuration.bedDepthMillimetres = bedSize.depth
        }
        configuration.probeGridPoints = probeGrid
        configuration.bedSurface = bedShape.flatMap { try? BedSurface(specification: $0) } ?? .flat
        configuration.probeScatterMillimetres = probeScatter
        configuration.zOffsetErrorMillimetres = zOffsetError
        configuration.heaterFault = heaterFault.flatMap(HeaterFault.init(rawValue:))
        configuration.extruderErrorPercent = estepsError
        return configuration
    }

    func run() throws {
        var configuration = printerConfiguration
        if let eeprom {
            do {
                configuration.storedSettings = try EEPROMFile.load(path: eeprom)
            } catch {
                FileHandleStandardError.write("printedge-sim: --eeprom \(eeprom): \(error)\n")
                throw ExitCode(65)
            }
            if let problem = configuration.problem {
                FileHandleStandardError.write("printedge-sim: --eeprom \(eeprom): \(problem); delete the file or change the option\n")
                throw ExitCode(65)
            }
        }
        do {
            var loop = try SimulatorLoop(
                configuration: configuration, linkPath: link, executionLogPath: execLog, statisticsPath: stats,
                motionLogPath: motionLog, eepromPath: eeprom, exitWithParent: exitWithParent, mark: mark,
                hostActionPath: hostActionFile, bedScrewsPath: bedScrewsFile)
            try loop.run()
        } catch {
            throw RuntimeFailure(message: "printedge-sim: \(error)")
        }
    }
}

/// An error that ends the process with status 1 and this message on stderr.
struct RuntimeFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
