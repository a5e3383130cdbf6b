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
/// could move to its own file (GPIOWatchCommand.swift, …) should it grow.
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
            Exit status: 0 done; 1 a GPIO error; 64 bad arguments; 69 no such chip or line; \
            77 permission denied.
            """,
        subcommands: [Chips.self, Lines.self, Get.self, SetLines.self, Watch.self])

    struct Chips: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the GPIO chips: name, label, lines, device.")
        @Flag(help: "JSON for scripts.") var json = false

        func run() throws {
            try reportingGPIOErrors {
                let chips = try GPIOChipDirectory().chips()
                if json { return try printJSON(chips.map(ChipJSON.init)) }
                for chip in chips { print("\(chip.title)  \(chip.lineCount) lines  \(chip.path)") }
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
                let directory = GPIOChipDirectory()
                let chips = try chip.map { [try directory.chip($0)] } ?? directory.chips()
                var listings: [ChipLinesJSON] = []
                for chip in chips {
                    let lines = try chip.lines()
                    if json {
                        listings.append(ChipLinesJSON(chip: ChipJSON(chip), lines: lines.map(LineJSON.init)))
                        continue
                    }
                    print("\(chip.title)  \(chip.lineCount) lines  \(chip.path)")
                    for line in lines { print(Self.row(line)) }
                }
                if json { try printJSON(listings) }
            }
        }

        /// `   17  GPIO17            input, pull-up, both edges  used by "printedge"`
        static func row(_ line: GPIOLineInfo) -> String {
            var words = [line.isOutput ? "output" : "input"]
            if line.drive != .pushPull { words.append(line.drive.rawValue) }
            if line.bias != .asIs { words.append(line.bias.rawValue) }
            if line.edges != .none { words.append(line.edges == .both ? "both edges" : "\(line.edges.rawValue) edge") }
            if line.debounce > .zero { words.append("debounce \(microseconds(line.debounce)) µs") }
            if line.activeLow { words.append("active-low") }
            let use = line.isUsed ? "used by \(line.consumer.isEmpty ? "an unnamed consumer" : "\"\(line.consumer)\"")" : "unused"
            let offset = String(line.offset)
            let name = line.name.isEmpty ? "-" : line.name
            return String(repeating: " ", count: max(0, 5 - offset.count)) + offset + "  " + name
                + String(repeating: " ", count: max(1, 18 - name.count)) + words.joined(separator: ", ") + "  " + use
        }
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read lines as inputs and print their values (1 active, 0 inactive).",
            discussion: "The lines are requested as inputs for the moment of the read: an output is switched to input.")
        @OptionGroup var lines: LineOptions
        @Option(help: "The internal resistor: \(GPIOLineSettings.Bias.allCases.map(\.rawValue).joined(separator: ", ")).")
        var bias = "as-is"
        @Flag(help: "JSON for scripts.") var json = false

        func validate() throws {
            try lines.validate()
            _ = try parseBias(bias)
        }

        func run() throws {
            try reportingGPIOErrors {
                let settings = GPIOLineSettings.input(bias: try parseBias(bias), activeLow: lines.activeLow)
                let (chip, offsets) = try lines.resolve()
                let request = try chip.request(
                    GPIOLineRequestConfiguration(consumer: "printedge gpio", lines: offsets.map { .init(offset: $0, settings: settings) }))
                let values = try request.values()
                let infos = try offsets.map { try chip.lineInfo(offset: $0) }
                if json {
                    return try printJSON(infos.map { ValueJSON(offset: $0.offset, name: $0.name, active: values[$0.offset] ?? false) })
                }
                for info in infos { print("\(info.label) = \(values[info.offset] == true ? 1 : 0)") }
            }
        }
    }

    struct SetLines: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Drive lines as outputs and hold them until Ctrl-C (or for --for seconds).",
            discussion: """
                Values are logical: 1 (or on) is active, 0 (or off) inactive; with --active-low, \
                active is the low level. Releasing the lines leaves their level to the chip; most \
                keep it. Example: printedge gpio set --active-low GPIO5=1 switches an active-low \
                relay on.
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
            for assignment in assignments { _ = try Self.parse(assignment) }
            _ = try parseDrive(drive)
            if let holdSeconds, !(holdSeconds > 0 && holdSeconds.isFinite) {
                throw ValidationError("--for must be a positive number of seconds")
            }
        }

        static func parse(_ assignment: String) throws -> (line: GPIOLineReference, active: Bool) {
            let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw ValidationError("'\(assignment)' is not LINE=VALUE; write e.g. GPIO5=1 or 17=0")
            }
            switch parts[1].lowercased() {
            case "1", "on", "active": return (GPIOLineReference(parsing: parts[0]), true)
            case "0", "off", "inactive": return (GPIOLineReference(parsing: parts[0]), false)
            default: throw ValidationError("'\(parts[1])' in '\(assignment)' is not a value: write 1 or 0 (on or off)")
            }
        }

        func run() throws {
            let parsed = try assignments.map(Self.parse)
            try reportingGPIOErrors {
                let drive = try parseDrive(drive)
                let (chip, offsets) = try resolveLines(parsed.map(\.line), chip: chip)
                let request = try chip.request(
                    GPIOLineRequestConfiguration(
                        consumer: "printedge gpio",
                        lines: zip(offsets, parsed).map { offset, assignment in
                            .init(offset: offset, settings: .output(initiallyActive: assignment.active, activeLow: activeLow, drive: drive))
                        }))
                let described = try zip(offsets, parsed).map { offset, assignment in
                    "\(try chip.lineInfo(offset: offset).label) = \(assignment.active ? 1 : 0)"
                }
                print("\(chip.title): \(described.joined(separator: ", "))" + (holdSeconds.map { ", held for \($0) s" } ?? "; Ctrl-C releases"))
                fflush(nil)
                // The lines stay claimed as long as the request lives; Ctrl-C ends the process,
                // and the kernel releases them as it closes the request's descriptor.
                withExtendedLifetime(request) {
                    guard let holdSeconds else {
                        while true { pause() }
                    }
                    var wait = timespec(tv_sec: Int(holdSeconds), tv_nsec: Int((holdSeconds - holdSeconds.rounded(.down)) * 1e9))
                    var remaining = timespec()
                    while nanosleep(&wait, &remaining) != 0 && errno == EINTR { wait = remaining }
                }
            }
        }
    }

    struct Watch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every edge on input lines, timestamped, until Ctrl-C.",
            discussion: """
                Timestamps are the kernel's, in seconds of CLOCK_MONOTONIC (since boot), with the \
                time since the line's previous edge. A jump in the sequence number means the \
                kernel's queue overflowed and edges were lost.
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
                let settings = GPIOLineSettings.input(
                    bias: try parseBias(bias), edges: GPIOLineSettings.Edges(rawValue: edges) ?? .both,
                    debounce: .milliseconds(debounceMs), activeLow: lines.activeLow)
                let (chip, offsets) = try lines.resolve()
                let request = try chip.request(
                    GPIOLineRequestConfiguration(consumer: "printedge gpio", lines: offsets.map { .init(offset: $0, settings: settings) }))
                var infos: [UInt32: GPIOLineInfo] = [:]
                for offset in offsets { infos[offset] = try chip.lineInfo(offset: offset) }
                let values = try request.values()
                if !json {
                    let levels = offsets.map { "\(infos[$0]?.label ?? String($0)) = \(values[$0] == true ? 1 : 0)" }
                    print("watching \(chip.title): \(levels.joined(separator: ", ")); Ctrl-C stops")
                    fflush(nil)
                }
                var previous: [UInt32: UInt64] = [:]
                while true {
                    for event in try request.readEvents() {
                        if json {
                            try printJSONLine(EdgeJSON(event: event, name: infos[event.offset]?.name ?? ""))
                            continue
                        }
                        let gap = previous[event.offset].map { "  +" + seconds(event.timestampNanoseconds &- $0) + " s" } ?? ""
                        previous[event.offset] = event.timestampNanoseconds
                        let edge = event.edge == .rising ? "rising " : "falling"
                        print(
                            "\(seconds(event.timestampNanoseconds))  \(infos[event.offset]?.label ?? String(event.offset))  \(edge)"
                                + "  #\(event.sequenceNumber) (line #\(event.lineSequenceNumber))\(gap)")
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

        func resolve() throws -> (GPIOChip, [UInt32]) {
            try resolveLines(lines.map(GPIOLineReference.init(parsing:)), chip: chip)
        }
    }
}

/// The chip holding every line named, and their offsets: one request takes lines of one chip.
private func resolveLines(_ references: [GPIOLineReference], chip identifier: String?) throws -> (GPIOChip, [UInt32]) {
    let directory = GPIOChipDirectory()
    if let identifier {
        let chip = try directory.chip(identifier)
        return (chip, try references.map { try chip.offset(of: $0) })
    }
    let chips = try directory.chips()
    if chips.count == 1, let only = chips.first { return (only, try references.map { try only.offset(of: $0) }) }
    var found: (chip: GPIOChip, offsets: [UInt32])?
    for reference in references {
        guard case .name(let name) = reference else {
            throw GPIOUsageError(
                message: "\(reference) needs --chip: this machine has \(chips.count) GPIO chips (`printedge gpio chips` lists them)")
        }
        let (chip, offset) = try directory.line(named: name)
        if let earlier = found, earlier.chip.path != chip.path {
            throw GPIOUsageError(message: "\"\(name)\" is on \(chip.title), the lines before it on \(earlier.chip.title): name the lines of one chip at a time")
        }
        found = (chip, (found?.offsets ?? []) + [offset])
    }
    guard let found else { throw GPIOUsageError(message: "name at least one line") }
    return found
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

/// Arguments that name lines on several chips without saying which: exit 64.
private struct GPIOUsageError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Runs a GPIO command body and turns its failures into one line and an exit status.
private func reportingGPIOErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as GPIOError {
        standardError("printedge: \(error)")
        switch error {
        case .noChips, .chipNotFound, .chipMissing, .notAChip, .lineNotFound, .lineOutOfRange: throw ExitCode(69)
        case .permissionDenied: throw ExitCode(77)
        default: throw ExitCode(1)
        }
    } catch let error as GPIOUsageError {
        standardError("printedge: \(error)")
        throw ExitCode(64)
    }
}

/// "12.345678901": whole seconds and nanoseconds.
private func seconds(_ nanoseconds: UInt64) -> String {
    let fraction = String(nanoseconds % 1_000_000_000)
    return "\(nanoseconds / 1_000_000_000)." + String(repeating: "0", count: 9 - fraction.count) + fraction
}

private func microseconds(_ duration: Duration) -> Int64 {
    duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
}

/// One compact JSON object on its own line (`watch --json` streams them).
private func printJSONLine(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

private struct ChipJSON: Encodable {
    var name: String
    var label: String
    var lines: UInt32
    var path: String

    init(_ chip: GPIOChip) {
        name = chip.name
        label = chip.label
        lines = chip.lineCount
        path = chip.path
    }
}

private struct ChipLinesJSON: Encodable {
    var chip: ChipJSON
    var lines: [LineJSON]
}

private struct LineJSON: Encodable {
    var offset: UInt32
    var name: String
    var consumer: String
    var used: Bool
    var direction: String
    var activeLow: Bool
    var bias: String
    var drive: String
    var edges: String
    var debounceMicroseconds: Int64

    init(_ line: GPIOLineInfo) {
        offset = line.offset
        name = line.name
        consumer = line.consumer
        used = line.isUsed
        direction = line.isOutput ? "output" : "input"
        activeLow = line.activeLow
        bias = line.bias.rawValue
        drive = line.drive.rawValue
        edges = line.edges.rawValue
        debounceMicroseconds = microseconds(line.debounce)
    }
}

private struct ValueJSON: Encodable {
    var offset: UInt32
    var name: String
    var active: Bool
}

private struct EdgeJSON: Encodable {
    var timestampNanoseconds: UInt64
    var offset: UInt32
    var name: String
    var edge: String
    var sequenceNumber: UInt32
    var lineSequenceNumber: UInt32

    init(event: GPIOLineEvent, name: String) {
        timestampNanoseconds = event.timestampNanoseconds
        offset = event.offset
        self.name = name
        edge = event.edge == .rising ? "rising" : "falling"
        sequenceNumber = event.sequenceNumber
        lineSequenceNumber = event.lineSequenceNumber
    }
}
