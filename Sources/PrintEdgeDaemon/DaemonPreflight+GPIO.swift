import PrintEdgeConfig
import PrintEdgeGPIO

extension DaemonPreflight {
    /// Opens the `[gpio]` chip and finds every configured line on it, by offset or name,
    /// without requesting any: a start requests them (`GPIOService`), and only then can a
    /// line turn out to be busy. Two keys that name one line (an offset and its name, which
    /// the configuration cannot tell apart) are refused here.
    static func checkGPIO(_ settings: GPIOSettings, _ source: ConfigurationSource, environment: GPIOService.Environment) throws(DaemonError) -> GPIOChip {
        let openChip = environment.openChip
        let directory = GPIOChipDirectory(directory: environment.chipDirectory) { path throws(GPIOError) in
            try GPIOChip(device: try openChip(path))
        }
        let chip: GPIOChip
        do {
            chip = try directory.chip(settings.chip)
        } catch {
            throw refusal(error, source, key: "gpio.chip", printer: nil, title: "[gpio] chip")
        }
        let units = [(printer: String?.none, lines: settings.host)] + settings.printers.map { (printer: Optional($0.printerID), lines: $0.lines) }
        var claimed: [UInt32: String] = [:]
        for unit in units {
            for (function, reference) in references(unit.lines) {
                let title = unit.printer.map { "[[gpio.printer]] `\($0)` \(function)" } ?? "[gpio.\(function)]"
                let key = unit.printer == nil ? "gpio.\(function).line" : "gpio.printer.\(function).line"
                let offset: UInt32
                do {
                    offset = try chip.offset(of: GPIOFeatures.lineReference(reference))
                } catch {
                    throw refusal(error, source, key: key, printer: unit.printer, title: title)
                }
                if let other = claimed[offset] {
                    throw .configuration(source.error(
                        .duplicateKey, key: key, printer: unit.printer,
                        "\(title): line \(offset) on \(chip.title) is \(other)'s too; a line can serve one function"))
                }
                claimed[offset] = title
            }
        }
        return chip
    }

    /// The lines of `[gpio]` or of one `[[gpio.printer]]`, by their table's name.
    private static func references(_ lines: GPIOSettings.Lines) -> [(String, GPIOSettings.LineReference)] {
        let all: [(String, GPIOSettings.LineReference?)] = [
            ("power_relay", lines.powerRelay?.line), ("filament_runout", lines.filamentRunout?.line),
            ("emergency_stop", lines.emergencyStop?.line), ("door", lines.door?.line), ("status_led", lines.statusLED?.line),
        ]
        return all.compactMap { function, reference in reference.map { (function, $0) } }
    }

    /// A name that fits no chip or line is configuration (78); a chip that cannot be opened
    /// here is unavailable (69), as a start says.
    private static func refusal(_ error: GPIOError, _ source: ConfigurationSource, key: String, printer: String?, title: String) -> DaemonError {
        DaemonError.exitStatus(of: error) == 78
            ? .configuration(source.error(.invalidValue, key: key, printer: printer, "\(title): \(error)"))
            : .unavailable(source.error(.unusablePath, key: key, printer: printer, "\(title): \(error)"))
    }
}
