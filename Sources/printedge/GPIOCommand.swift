#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import FoundationEssentials
import PrintEdgeGPIO

/// `printedge gpio`: the chips, their lines, and reading, driving and watching lines — the
/// checks made at the bench while wiring relays and switches, before the daemon takes them.
///
/// The five subcommands are small and share their options, so they are nested here; each
/// could move to its own file (GPIOWatchCommand.swift, …) should it grow. What they do is
/// `GPIOBench`'s, tested against recording chips; here are the arguments and the printing.

struct GPIOCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpio",
        abstract: "Inspect and drive GPIO lines for wiring checks.",
        discussion: """
            Chips are named by label (pinctrl-rp1 on a Raspberry Pi 5, pinctrl-bcm2711 on a Pi 4), \
            by name (gpiochip0) or by path. Lines are named by offset (17) or by name (GPIO17); \
            without --chip, names are looked for on every chip. hardware/gpio/ maps header pins \
            to lines. get, set and watch hold their lines while they run: a line the daemon holds \
            is busy, so stop the daemon first.
            Exit status: 0 done; 74 a GPIO error; 64 bad arguments (also a line name found twice, \
            or an offset without --chip on a machine with several chips); 69 no such chip or line; \
            77 permission denied.
            """,
        subcommands: [Chips.self, Lines.self, Get.self, SetLines.self, Watch.self])

    struct Chips: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the GPIO chips: name, label, lines, device.")
        @Flag(help: "JSON for scripts.") var json = false

        func run() throws {
            try reportingGPIOErrors {
                let chips = try GPIOBench().chips()
                if json { return try printJSON(["chips": chips.map(GPIOBenchJSON.Chip.init)]) }
                for chip in chips { print(GPIOBench.row(chip: chip)) }
            }
        }
    }

    struct Lines: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every line of a chip (or of every chip): offset, name, configuration, and who uses it.")
        @Option(help: "The chip: a label, a name or a path (default: every chip).") var chip: String?
        @Flag(help: "JSON for scripts.") var json = false

        func run() throws {
            try reportingGPIOErrors {
                let listings = try GPIOBench().lines(chip: chip)
                if json { return try printJSON(["chips": listings.map(\.record)]) }
                for row in listings.flatMap(\.rows) { print(row) }
            }
        }
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read lines and print their values (1 active, 0 inactive), leaving them as they are.",
            discussion: """
                The lines are requested with their direction as it is: an output (a relay) keeps \
                driving its level and reads back what it drives; an input reads its wire. With \
                --bias, the lines are requested as inputs with that resistor instead — what a \
                switch to GND needs (--bias pull-up), and what switches an output to input: a \
                relay driven by that line drops out.
                """)
        @OptionGroup var lines: LineOptions
        @Option(help: """
            Read the lines as inputs with this internal resistor: \
            \(GPIOLineSettings.Bias.allCases.map(\.rawValue).joined(separator: ", ")) (as-is: an input, resistor untouched). \
            Without it, lines are read as they are.
            """)
        var bias: String?
        @Flag(help: "JSON for scripts.") var json = false

        func validate() throws {
            try lines.validate()
            if let bias { _ = try parseBias(bias) }
        }

        func run() throws {
            try reportingGPIOErrors {
                let readings = try GPIOBench().get(
                    lines.references, chip: lines.chip, activeLow: lines.activeLow, inputBias: try bias.map(parseBias))
                if json { return try printJSON(["lines": readings.map(\.record)]) }
                for reading in readings { print(reading.row) }
            }
        }
    }

    struct SetLines: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Drive lines as outputs and hold them until Ctrl-C (or for --for seconds).",
            discussion: """
                Values are logical: 1 (or on) is active, 0 (or off) inactive; with --active-low, \
                active is the low level. The values are part of the request, so a line never \
                passes through the other level. Releasing the lines leaves their level to the \
                chip; most keep it. Example: printedge gpio set --active-low GPIO5=1 switches an \
                active-low relay on.
                """)
        @Option(help: "The chip: a label, a name or a path (default: the chip that has the named lines, or the only one).")
        var chip: String?
        @Flag(help: "Active is the low level (relay boards that switch on a low input).") var activeLow = false
        @Option(help: "Output drive: \(GPIOLineSettings.Drive.allCases.map(\.rawValue).joined(separator: ", ")).")
        var drive = "push-pull"
        @Option(name: .customLong("for"), help: ArgumentHelp("Release the lines after this many seconds instead of at Ctrl-C.", valueName: "seconds"))
        var holdSeconds: Double?
        @Argument(help: "LINE=VALUE pairs: 17=1, GPIO5=on, GPIO6=off.") var assignments: [String]

        func validate() throws {
            guard !assignments.isEmpty else { throw ValidationError("name at least one LINE=VALUE, e.g. GPIO5=1") }
            _ = try parsedAssignments()
            _ = try parseDrive(drive)
            if let holdSeconds, !(holdSeconds > 0 && holdSeconds.isFinite) {
                throw ValidationError("--for must be a positive number of seconds")
            }
        }

        private func parsedAssignments() throws -> [GPIOLineAssignment] {
            try assignments.map { text in
                do {
                    return try GPIOLineAssignment(parsing: text)
                } catch {
                    throw ValidationError("\(error)")
                }
            }
        }

        func run() throws {
            let parsed = try parsedAssignments()
            let duration = holdSeconds.map { Duration.seconds($0) }
            try reportingGPIOErrors {
                let held = try GPIOBench().set(parsed, chip: chip, activeLow: activeLow, drive: try parseDrive(drive))
                print(held.summary(holding: duration))
                fflush(nil)
                held.hold(for: duration)
            }
        }
    }

    struct Watch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every edge on input lines, timestamped, until Ctrl-C.",
            discussion: """
                Timestamps are the kernel's, in seconds of CLOCK_MONOTONIC (since boot), with the \
                time since the line's previous edge. A jump in the sequence number means the \
                kernel's queue overflowed and edges were lost. Edges need inputs: a watched output \
                is switched to input (a relay drops out), so read outputs with get instead.
                """)
        @OptionGroup var lines: LineOptions
        @Option(help: "The internal resistor: \(GPIOLineSettings.Bias.allCases.map(\.rawValue).joined(separator: ", ")).")
        var bias = "as-is"
        @Option(help: "Which edges: rising, falling or both.") var edges = "both"
        @Option(help: "Debounce in milliseconds (0: none); the kernel reports a change once it has been stable this long.")
        var debounceMs = 0
        @Flag(help: "One JSON object per line and per edge, for scripts.") var json = false

        func validate() throws {
            try lines.validate()
            _ = try parseBias(bias)
            guard let parsed = GPIOLineSettings.Edges(rawValue: edges), parsed != .none else {
                throw ValidationError("--edges must be rising, falling or both, not '\(edges)'")
            }
            guard (0...1000).contains(debounceMs) else { throw ValidationError("--debounce-ms must be within 0…1000") }
        }

        func run() throws {
            try reportingGPIOErrors {
                var watch = try GPIOBench().watch(
                    lines.references, chip: lines.chip, activeLow: lines.activeLow, bias: try parseBias(bias),
                    edges: GPIOLineSettings.Edges(rawValue: edges) ?? .both, debounce: .milliseconds(debounceMs))
                if !json {
                    print(watch.header)
                    fflush(nil)
                }
                while true {
                    if json {
                        for record in try watch.readRecords() { try printJSONLine(record) }
                    } else {
                        for row in try watch.readRows() { print(row) }
                    }
                    // Into a pipe (`| tee wiring.log`) too, each edge as it happens.
                    fflush(nil)
                }
            }
        }
    }

    /// The lines `get` and `watch` read, and where they are.
    struct LineOptions: ParsableArguments {
        @Option(help: "The chip: a label, a name or a path (default: the chip that has the named lines, or the only one).")
        var chip: String?
        @Flag(help: "Active is the low level (a switch to GND with a pull-up reads 1 when closed).") var activeLow = false
        @Argument(help: "Lines by offset (17) or name (GPIO17).") var lines: [String]

        func validate() throws {
            guard !lines.isEmpty else { throw ValidationError("name at least one line, by offset (17) or by name (GPIO17)") }
        }

        var references: [GPIOLineReference] { lines.map(GPIOLineReference.init(parsing:)) }
    }
}

private func parseBias(_ text: String) throws -> GPIOLineSettings.Bias {
    guard let bias = GPIOLineSettings.Bias(rawValue: text) else {
        throw ValidationError("--bias must be one of \(GPIOLineSettings.Bias.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
    }
    return bias
}

private func parseDrive(_ text: String) throws -> GPIOLineSettings.Drive {
    guard let drive = GPIOLineSettings.Drive(rawValue: text) else {
        throw ValidationError("--drive must be one of \(GPIOLineSettings.Drive.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
    }
    return drive
}

/// Runs a GPIO command body and turns its failures into one line and an exit status.
private func reportingGPIOErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as GPIOError {
        standardError("printedge: \(error)")
        switch error {
        case .noChips, .chipNotFound, .chipMissing, .notAChip, .lineNotFound, .lineOutOfRange: throw ExitCode(69)
        case .ambiguousLineName, .chipNeeded, .linesOnSeveralChips: throw ExitCode(64)
        case .permissionDenied: throw ExitCode(77)
        default: throw ExitCode(ExitStatus.ioError.rawValue)
        }
    }
}
