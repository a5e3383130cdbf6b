import PrintEdgeTestSupport
import Testing
@testable import PrintEdgeConfig

@Suite struct GPIOSettingsTests {
    /// `[gpio]` read from `text` on its own, as the daemon's loader reads it.
    private func settings(_ text: String, printerIDs: [String]? = nil) throws -> GPIOSettings {
        let document = try TOMLDocument(parsing: text, file: "printedge.toml")
        var root = TableReader(document: document)
        var table = try #require(try root.optionalTable("gpio"))
        return try GPIOSettings(reading: &table, printerIDs: printerIDs)
    }

    private func failure(_ text: String, printerIDs: [String]? = nil) -> ConfigurationError? {
        configurationError { try settings(text, printerIDs: printerIDs) }
    }

    @Test func everyLineIsDecodedForTheHostAndEachPrinter() throws {
        let decoded = try settings(
            """
            [gpio]
            chip = "pinctrl-rp1"
            power_relay = { line = "GPIO5", active_low = true, idle_off_minutes = 45, safe_hotend_c = 60 }
            emergency_stop = { line = 27, normally_closed = false, bias = "pull-down", debounce_ms = 2 }
            status_led = { line = 22, active_low = true }

            [[gpio.printer]]
            id = "mk3s-1"
            [gpio.printer.filament_runout]
            line = "GPIO23"
            bias = "disabled"
            active_level = "high"
            debounce_ms = 100
            [gpio.printer.door]
            line = 24
            bias = "as-is"
            active_level = "high"
            debounce_ms = 5
            pause_on_open = true

            [[gpio.printer]]
            id = "ender-3"
            power_relay = { line = "GPIO6", idle_off_minutes = 0 }
            """, printerIDs: ["mk3s-1", "ender-3"])
        #expect(
            decoded
                == GPIOSettings(
                    chip: "pinctrl-rp1",
                    host: .init(
                        powerRelay: .init(line: .name("GPIO5"), activeLow: true, idleOff: .seconds(45 * 60), safeHotendTemperatureCelsius: 60),
                        emergencyStop: .init(line: .offset(27), normallyClosed: false, bias: .pullDown, debounce: .milliseconds(2)),
                        statusLED: .init(line: .offset(22), activeLow: true)),
                    printers: [
                        .init(
                            printerID: "mk3s-1",
                            lines: .init(
                                filamentRunout: .init(line: .name("GPIO23"), bias: .disabled, activeLevel: .high, debounce: .milliseconds(100)),
                                door: .init(line: .offset(24), bias: .asIs, activeLevel: .high, debounce: .milliseconds(5), pauseOnOpen: true))),
                        .init(printerID: "ender-3", lines: .init(powerRelay: .init(line: .name("GPIO6"), idleOff: nil))),
                    ]))
        #expect(decoded.lines(forPrinter: "ender-3")?.powerRelay?.idleOff == nil)
        #expect(decoded.lines(forPrinter: "sim") == nil)
    }

    @Test func aLineAloneTakesEveryDefault() throws {
        let decoded = try settings(
            """
            [gpio]
            chip = "pinctrl-bcm2711"
            power_relay = { line = 5 }
            filament_runout = { line = 23 }
            emergency_stop = { line = 27 }
            door = { line = 24 }
            status_led = { line = 22 }
            """)
        #expect(decoded.host.powerRelay == .init(line: .offset(5), activeLow: false, idleOff: .seconds(1800), safeHotendTemperatureCelsius: nil))
        #expect(decoded.host.filamentRunout == .init(line: .offset(23), bias: .pullUp, activeLevel: .low, debounce: .milliseconds(50)))
        #expect(decoded.host.emergencyStop == .init(line: .offset(27), normallyClosed: true, bias: .pullUp, debounce: .zero))
        #expect(decoded.host.door == .init(line: .offset(24), bias: .pullUp, activeLevel: .low, debounce: .milliseconds(20), pauseOnOpen: false))
        #expect(decoded.host.statusLED == .init(line: .offset(22), activeLow: false))
        #expect(decoded.printers.isEmpty)
    }

    @Test func theCommentedExampleInPrintedgeTomlLoads() throws {
        let file = try TemporaryDirectory()
        let example = try ConfigurationFiles.readText(path: "\(packageRoot)/config/printedge.toml")
        var inGPIO = false
        var uncommented: [String] = []
        for line in example.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# [gpio]") { inGPIO = true }
            guard inGPIO else { continue }
            guard line.hasPrefix("#") else { break }
            uncommented.append(String(line.dropFirst(line.hasPrefix("# ") ? 2 : 1)))
        }
        #expect(uncommented.count > 30)
        let path = try file.write(
            "printedge.toml", uncommented.joined(separator: "\n") + "\n\n[[printer]]\nid = \"mk3s-1\"\nport = \"/dev/ttyACM0\"\n")
        let gpio = try #require(try DaemonConfiguration.load(path: path, workingDirectory: packageRoot).gpio)
        #expect(gpio.chip == "pinctrl-rp1")
        #expect(gpio.host.powerRelay?.line == .name("GPIO5"))
        #expect(gpio.host.emergencyStop?.normallyClosed == true)
        #expect(gpio.lines(forPrinter: "mk3s-1")?.door?.pauseOnOpen == true)
    }

    @Test func aLineWiredTwiceNamesTheFirstPlace() throws {
        let error = failure(
            """
            [gpio]
            chip = "pinctrl-rp1"
            emergency_stop = { line = 27 }

            [[gpio.printer]]
            id = "mk3s-1"
            door = { line = 27 }
            """)
        #expect(error?.kind == .duplicateKey)
        #expect(
            error?.description
                == "printedge.toml:7:17: line 27 is wired twice: `gpio.emergency_stop.line` at line 3 has it too; a line can serve one function")
    }

    @Test func aMisspeltKeyInALineTableIsAnErrorWithTheClosestKey() throws {
        let error = failure("[gpio]\nchip = \"pinctrl-rp1\"\n[gpio.filament_runout]\nline = 23\ndebounce = 30\n")
        #expect(error?.description == "printedge.toml:5:1: unknown key `gpio.filament_runout.debounce` in [gpio.filament_runout]; did you mean `debounce_ms`?")
        let table = failure("[gpio]\nchip = \"pinctrl-rp1\"\n[gpio.power_rely]\nline = 5\n")
        #expect(table?.message == "unknown table [gpio.power_rely]; did you mean [gpio.power_relay]?")
    }

    @Test func aBiasOrLevelOutsideTheVocabularySuggestsTheNearestWord() throws {
        let bias = failure("[gpio]\nchip = \"pinctrl-rp1\"\ndoor = { line = 24, bias = \"pull_up\" }\n")
        #expect(bias?.message == "key `gpio.door.bias` must be one of \"as-is\", \"disabled\", \"pull-up\", \"pull-down\", found \"pull_up\"; did you mean \"pull-up\"?")
        let level = failure("[gpio]\nchip = \"pinctrl-rp1\"\nfilament_runout = { line = 23, active_level = \"hi\" }\n")
        #expect(level?.message.hasPrefix("key `gpio.filament_runout.active_level` must be one of \"low\", \"high\", found \"hi\"") == true)
    }

    @Test func aLineMustBeAnOffsetOrAName() throws {
        let wrongType = failure("[gpio]\nchip = \"pinctrl-rp1\"\nstatus_led = { line = true }\n")
        #expect(wrongType?.description == "printedge.toml:3:23: key `gpio.status_led.line` must be a line offset (an integer) or a line name (a string), found boolean")
        let negative = failure("[gpio]\nchip = \"pinctrl-rp1\"\nstatus_led = { line = -1 }\n")
        #expect(negative?.message == "key `gpio.status_led.line` must be a line offset from 0, found -1")
        let long = failure("[gpio]\nchip = \"pinctrl-rp1\"\nstatus_led = { line = \"\(String(repeating: "L", count: 32))\" }\n")
        #expect(long?.message.hasPrefix("key `gpio.status_led.line` must name a line in 1 to 31 bytes") == true)
        let missing = failure("[gpio]\nchip = \"pinctrl-rp1\"\n[gpio.door]\npause_on_open = true\n")
        #expect(missing?.kind == .missingKey)
        #expect(missing?.message.hasPrefix("[gpio.door] is missing the required key `line` (the line's offset on the chip") == true)
    }

    @Test func valuesOutsideTheirRangeAreRefused() throws {
        let hot = failure("[gpio]\nchip = \"pinctrl-rp1\"\npower_relay = { line = 5, safe_hotend_c = 200 }\n")
        #expect(hot?.message == "key `gpio.power_relay.safe_hotend_c` must be within 30.0…120.0, found 200.0")
        let debounce = failure("[gpio]\nchip = \"pinctrl-rp1\"\nfilament_runout = { line = 5, debounce_ms = 5000 }\n")
        #expect(debounce?.message == "key `gpio.filament_runout.debounce_ms` must be within 0…1000, found 5000")
    }

    @Test func printerTablesNeedAKnownUniqueIdAndAtLeastOneLine() throws {
        let unknown = failure("[gpio]\nchip = \"c\"\n[[gpio.printer]]\nid = \"mk4\"\ndoor = { line = 1 }\n", printerIDs: ["mk3s-1", "sim"])
        #expect(unknown?.description == "printedge.toml:4:6: [[gpio.printer]] names printer `mk4`, which no [[printer]] has; the printers are `mk3s-1`, `sim`")
        let twice = failure("[gpio]\nchip = \"c\"\n[[gpio.printer]]\nid = \"a\"\ndoor = { line = 1 }\n[[gpio.printer]]\nid = \"a\"\nstatus_led = { line = 2 }\n")
        #expect(twice?.kind == .duplicateKey)
        #expect(twice?.message == "printer `a` has a [[gpio.printer]] at line 3 already; put all its lines in one")
        let empty = failure("[gpio]\nchip = \"c\"\n[[gpio.printer]]\nid = \"a\"\n")
        #expect(empty?.message == "[[gpio.printer]] `a` wires nothing: add power_relay, filament_runout, emergency_stop, door or status_led")
        let invalid = failure("[gpio]\nchip = \"c\"\n[[gpio.printer]]\nid = \"A B\"\ndoor = { line = 1 }\n")
        #expect(invalid?.message.hasPrefix("printer id \"A B\" is not a valid printer id") == true)
    }

    @Test func theChipIsRequired() throws {
        let error = failure("[gpio]\npower_relay = { line = 5 }\n")
        #expect(error?.description == "printedge.toml:1:1: [gpio] is missing the required key `chip` (a chip label such as \"pinctrl-rp1\" or a path such as \"/dev/gpiochip0\")")
    }
}
