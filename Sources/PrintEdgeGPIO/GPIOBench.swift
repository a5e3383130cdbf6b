/// The wiring checks behind `printedge gpio`: list the chips and their lines, read lines
/// without disturbing them, drive outputs, watch inputs' edges.
///
/// Everything the subcommands do but parse their arguments and print lives here, against a
/// `GPIOChipDirectory` whose `open` tests replace with recording chips: no build machine has
/// a GPIO chip, and what reaches the kernel at the bench is what a relay or a switch does.
public struct GPIOBench {
    /// What `gpioinfo` shows as the lines' user while a subcommand holds them.
    public static let consumer = "printedge gpio"

    public var directory: GPIOChipDirectory

    public init(directory: GPIOChipDirectory = GPIOChipDirectory()) {
        self.directory = directory
    }

    // MARK: - chips

    public func chips() throws(GPIOError) -> [GPIOChip] {
        try directory.chips()
    }

    /// "gpiochip0 [pinctrl-rp1]  54 lines  /dev/gpiochip0".
    public static func row(chip: GPIOChip) -> String {
        "\(chip.title)  \(chip.lineCount) lines  \(chip.path)"
    }

    // MARK: - lines

    /// One chip's lines, as `printedge gpio lines` shows them.
    public struct ChipLines {
        public let chip: GPIOChip
        public let lines: [GPIOLineInfo]

        /// The chip's row, then one row per line.
        public var rows: [String] { [GPIOBench.row(chip: chip)] + lines.map(GPIOBench.row(line:)) }

        public var record: GPIOBenchJSON.ChipLines {
            GPIOBenchJSON.ChipLines(chip: GPIOBenchJSON.Chip(chip), lines: lines.map(GPIOBenchJSON.Line.init))
        }
    }

    /// Every line of the chip `identifier` names, or of every chip.
    public func lines(chip identifier: String?) throws(GPIOError) -> [ChipLines] {
        let chips = if let identifier { [try directory.chip(identifier)] } else { try directory.chips() }
        var listings: [ChipLines] = []
        for chip in chips { listings.append(ChipLines(chip: chip, lines: try chip.lines())) }
        return listings
    }

    /// `   17  GPIO17            input, pull-up, both edges  used by "printedge"`.
    public static func row(line: GPIOLineInfo) -> String {
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

    // MARK: - Finding lines

    /// The chip holding every line named, and their offsets: one request takes lines of one
    /// chip. Without `identifier`, the only chip; with several, names are looked for on all
    /// of them, and an offset needs the chip said.
    public func resolve(_ references: [GPIOLineReference], chip identifier: String?) throws(GPIOError) -> (chip: GPIOChip, offsets: [UInt32]) {
        func offsets(on chip: GPIOChip) throws(GPIOError) -> [UInt32] {
            var offsets: [UInt32] = []
            for reference in references { offsets.append(try chip.offset(of: reference)) }
            return offsets
        }
        guard !references.isEmpty else {
            throw .invalidRequest(chip: identifier ?? directory.directory, request: "no line", reason: "name at least one line, by offset (17) or by name (GPIO17)")
        }
        if let identifier {
            let chip = try directory.chip(identifier)
            return (chip, try offsets(on: chip))
        }
        let chips = try directory.chips()
        if chips.count == 1, let only = chips.first { return (only, try offsets(on: only)) }
        var found: [(chip: GPIOChip, offset: UInt32)] = []
        for reference in references {
            guard case .name(let name) = reference else {
                throw .chipNeeded(line: "\(reference)", chips: chips.map(\.title))
            }
            let line = try directory.line(named: name)
            if let earlier = found.first, earlier.chip.path != line.chip.path {
                throw .linesOnSeveralChips(name: name, chip: line.chip.title, earlierChip: earlier.chip.title)
            }
            found.append(line)
        }
        return (found[0].chip, found.map(\.offset))
    }

    // MARK: - get

    /// One line's value, as `printedge gpio get` reports it.
    public struct Reading: Equatable, Sendable {
        public let line: GPIOLineInfo
        /// Logical: with `activeLow`, the low level.
        public let active: Bool

        /// "17 (GPIO17) = 1".
        public var row: String { "\(line.label) = \(active ? 1 : 0)" }

        public var record: GPIOBenchJSON.Value { GPIOBenchJSON.Value(offset: line.offset, name: line.name, active: active) }
    }

    /// Reads the lines. Without `inputBias` they are requested as they are
    /// (`GPIOLineSettings.asIs`): an output — a relay — keeps driving its level and reads it
    /// back. With it they are requested as inputs with that resistor, which switches an
    /// output to input: what a switch to GND needs (`pull-up`), and what cuts a relay.
    public func get(
        _ references: [GPIOLineReference], chip identifier: String?, activeLow: Bool, inputBias: GPIOLineSettings.Bias?
    ) throws(GPIOError) -> [Reading] {
        let settings = inputBias.map { GPIOLineSettings.input(bias: $0, activeLow: activeLow) } ?? .asIs(activeLow: activeLow)
        let (chip, offsets) = try resolve(references, chip: identifier)
        let request = try chip.request(
            GPIOLineRequestConfiguration(consumer: Self.consumer, lines: offsets.map { .init(offset: $0, settings: settings) }))
        let values = try request.values()
        var readings: [Reading] = []
        for offset in offsets { readings.append(Reading(line: try chip.lineInfo(offset: offset), active: values[offset] ?? false)) }
        return readings
    }

    // MARK: - set

    /// Requests the lines as outputs driving the assigned values from the first instant (the
    /// values travel in the request itself): nothing glitches through the other level.
    public func set(
        _ assignments: [GPIOLineAssignment], chip identifier: String?, activeLow: Bool, drive: GPIOLineSettings.Drive
    ) throws(GPIOError) -> GPIOHeldOutputs {
        let (chip, offsets) = try resolve(assignments.map(\.line), chip: identifier)
        let lines = zip(offsets, assignments).map { offset, assignment in
            GPIOLineRequestConfiguration.Line(offset: offset, settings: .output(initiallyActive: assignment.active, activeLow: activeLow, drive: drive))
        }
        let request = try chip.request(GPIOLineRequestConfiguration(consumer: Self.consumer, lines: lines))
        var driven: [GPIOHeldOutputs.Output] = []
        for (offset, assignment) in zip(offsets, assignments) {
            driven.append(GPIOHeldOutputs.Output(line: try chip.lineInfo(offset: offset), active: assignment.active))
        }
        return GPIOHeldOutputs(chip: chip, outputs: driven, request: request)
    }

    // MARK: - watch

    /// Requests the lines as inputs with edge detection and reads their levels once. Edges
    /// need an input (the kernel refuses them otherwise), so a watched output is switched
    /// to input for the watch.
    public func watch(
        _ references: [GPIOLineReference], chip identifier: String?, activeLow: Bool, bias: GPIOLineSettings.Bias,
        edges: GPIOLineSettings.Edges, debounce: Duration
    ) throws(GPIOError) -> GPIOLineWatch {
        let settings = GPIOLineSettings.input(bias: bias, edges: edges, debounce: debounce, activeLow: activeLow)
        let (chip, offsets) = try resolve(references, chip: identifier)
        let request = try chip.request(
            GPIOLineRequestConfiguration(consumer: Self.consumer, lines: offsets.map { .init(offset: $0, settings: settings) }))
        var lines: [GPIOLineInfo] = []
        for offset in offsets { lines.append(try chip.lineInfo(offset: offset)) }
        return GPIOLineWatch(chip: chip, lines: lines, initialValues: try request.values(), request: request)
    }

    // MARK: - Formatting

    /// "12.345678901": whole seconds and nanoseconds.
    static func seconds(_ nanoseconds: UInt64) -> String {
        let fraction = String(nanoseconds % 1_000_000_000)
        return "\(nanoseconds / 1_000_000_000)." + String(repeating: "0", count: 9 - fraction.count) + fraction
    }

    static func microseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
    }
}
