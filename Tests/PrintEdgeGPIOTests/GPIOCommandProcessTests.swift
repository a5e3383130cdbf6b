import Foundation
import PrintEdgeGPIO
import PrintEdgeTestSupport
import Testing

/// The built `printedge gpio` as a person at the bench runs it, on this machine as it is:
/// the build machines have no /dev/gpiochip*, so there it must say so and exit 69; on a
/// machine with chips it must list them. Nothing here requests a line.
@Suite struct GPIOCommandProcessTests {
    /// `printedge`, built next to the test bundle (`swift test` builds every product).
    static let binary: URL? = {
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<2 {
            let candidate = directory.appendingPathComponent("printedge")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }()

    private func printedge(_ arguments: [String]) async throws -> ToolRun {
        let binary = try #require(Self.binary, "printedge is not built next to the tests: run `swift build --build-tests` with the same scratch path")
        return try await ToolRun(binary.path, arguments)
    }

    @Test func chipsListsTheChipsOrSaysThereAreNoneUnderDevAndWhatToDo() async throws {
        let paths = GPIOChipDirectory().chipPaths()
        let result = try await printedge(["gpio", "chips"])
        if paths.isEmpty {
            #expect(result.status == 69, "\(result)")
            #expect(result.standardOutput.isEmpty)
            #expect(result.standardError == "printedge: \(GPIOError.noChips(directory: "/dev"))\n")
            #expect(result.standardError.hasPrefix("printedge: no GPIO chip found under /dev: there is no gpiochip* device node"))
            #expect(result.standardError.contains("in a container, pass the chip in (docker run --device /dev/gpiochip0)"))
        } else {
            #expect(result.status == 0, "\(result)")
            let rows = result.standardOutput.split(separator: "\n")
            #expect(rows.count == paths.count)
            for (row, path) in zip(rows, paths) { #expect(row.hasPrefix("gpiochip") && row.hasSuffix("  \(path)")) }
        }
    }

    @Test func aValueThatIsNotOneOrZeroIsRefusedBeforeAnyChipIsOpened() async throws {
        let result = try await printedge(["gpio", "set", "GPIO5=2"])
        #expect(result.status == 64, "\(result)")
        #expect(result.standardError.hasPrefix("Error: '2' in 'GPIO5=2' is not a value: write 1 or 0 (on or off)"), "\(result)")
    }

    @Test func getsHelpSaysItLeavesOutputsAsTheyAre() async throws {
        let result = try await printedge(["gpio", "get", "--help"])
        #expect(result.status == 0)
        let help = result.standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("Read lines and print their values (1 active, 0 inactive), leaving them as they are."))
        #expect(help.contains("an output (a relay) keeps driving its level and reads back what it drives"))
        #expect(help.contains("Without it, lines are read as they are."))
    }
}
