import Testing
import PrintEdgeGPIO

/// Runs on a machine with GPIO (a Raspberry Pi at the bench); read-only, so it never
/// disturbs what is wired up. The build machines have no /dev/gpiochip* and cannot load
/// gpio-sim, so there it is skipped with that reason.
@Suite struct RealGPIOChipTests {
    static let hasChip = !GPIOChipDirectory().chipPaths().isEmpty

    @Test(.enabled(if: hasChip, "no /dev/gpiochip* on this machine (and gpio-sim cannot be loaded here)"))
    func everyChipAnswersWithItsInfoAndLines() throws {
        for chip in try GPIOChipDirectory().chips() {
            #expect(chip.name.hasPrefix("gpiochip"))
            let lines = try chip.lines()
            #expect(lines.count == Int(chip.lineCount))
            #expect(lines.enumerated().allSatisfy { UInt32($0.offset) == $0.element.offset })
            #expect(try GPIOChipDirectory().chip(chip.label.isEmpty ? chip.name : chip.label).path == chip.path)
        }
    }

    @Test(.enabled(if: !hasChip, "this machine has GPIO chips"))
    func withoutChipsTheDirectorySaysSo() {
        #expect(throws: GPIOError.noChips(directory: "/dev")) { try GPIOChipDirectory().chips() }
    }
}
