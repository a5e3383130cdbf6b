import PrintEdgeTestSupport
import Testing
@testable import PrintEdgeGPIO

/// The directory is a real one built by each test; opening a node gives a recording chip
/// with the label the test assigns to that node.
@Suite struct GPIOChipDirectoryTests {
    /// A Raspberry Pi 5 on Raspberry Pi OS since 6.6.47: the header chip is gpiochip0, the
    /// SoC's chips start at 10, and gpiochip4 is a symlink kept for old programs.
    private func raspberryPi5(in directory: borrowing TemporaryDirectory) throws -> GPIOChipDirectory {
        for name in ["gpiochip0", "gpiochip10", "gpiochip11", "gpiochip2x", "ttyACM0"] { try directory.write(name, "") }
        try directory.link("gpiochip4", to: "gpiochip0")
        let labels = ["gpiochip0": "pinctrl-rp1", "gpiochip10": "gpio-brcmstb@107d508500", "gpiochip11": "gpio-brcmstb@107d508520"]
        return GPIOChipDirectory(directory: directory.path) { path throws(GPIOError) in
            let name = String(path.split(separator: "/").last ?? "")
            guard let label = labels[name] else { throw .chipMissing(path: path) }
            // The SoC's own chips do not carry the header's GPIOn names.
            if name != "gpiochip0" {
                return try GPIOChip(device: RecordingChipDevice(path: path, name: name, label: label, lines: (0..<54).map { _ in .init(name: "") }))
            }
            return try GPIOChip(device: RecordingChipDevice.raspberryPi5(path: path, name: name, label: label))
        }
    }

    @Test func chipNodesAreListedInNumericOrderWithoutTheirAliases() throws {
        let directory = try TemporaryDirectory()
        let chips = try raspberryPi5(in: directory)
        #expect(chips.chipPaths() == ["gpiochip0", "gpiochip10", "gpiochip11"].map { "\(directory.path)/\($0)" })
    }

    @Test func aChipIsFoundByItsLabelWhateverItsNumber() throws {
        let directory = try TemporaryDirectory()
        let chips = try raspberryPi5(in: directory)
        let chip = try chips.chip("pinctrl-rp1")
        #expect(chip.path == "\(directory.path)/gpiochip0")
        #expect(try chips.chip("gpiochip10").label == "gpio-brcmstb@107d508500")
        #expect(try chips.chip("\(directory.path)/gpiochip11").label == "gpio-brcmstb@107d508520")
    }

    @Test func anUnknownLabelListsTheChipsThatExist() throws {
        let directory = try TemporaryDirectory()
        let chips = try raspberryPi5(in: directory)
        #expect {
            try chips.chip("pinctrl-bcm2711")
        } throws: { error in
            "\(error)".hasPrefix(
                "no GPIO chip labelled \"pinctrl-bcm2711\"; the chips here are gpiochip0 [pinctrl-rp1] (54 lines), "
                    + "gpiochip10 [gpio-brcmstb@107d508500] (54 lines), gpiochip11 [gpio-brcmstb@107d508520] (54 lines) — set [gpio] chip")
        }
    }

    @Test func aLineIsFoundByNameAcrossChips() throws {
        let directory = try TemporaryDirectory()
        let chips = try raspberryPi5(in: directory)
        let found = try chips.line(named: "GPIO27")
        #expect(found.chip.label == "pinctrl-rp1")
        #expect(found.offset == 27)
    }

    @Test func aDirectoryWithoutChipsSaysNoChipWasFound() throws {
        let directory = try TemporaryDirectory()
        let chips = GPIOChipDirectory(directory: directory.path)
        #expect(chips.chipPaths().isEmpty)
        #expect(throws: GPIOError.noChips(directory: directory.path)) { try chips.chips() }
        #expect {
            try chips.chip("pinctrl-rp1")
        } throws: { error in
            "\(error)".hasPrefix("no GPIO chip found under \(directory.path): there is no gpiochip* device node")
        }
    }
}
