import Foundation
import PrintEdgeTestSupport
import Testing

/// `printedge console` in a real terminal (tmux) against a real daemon and simulator: what
/// the screen shows, and what the printer executed (its execution log) — never an escape byte.
@Suite(.serialized) struct ConsoleTerminalTests {
    @Test func eachReplyShowsOnceUnderItsCommandAndEditingKeysNeverReachThePrinter() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"])
        let printedge = productsDirectory.appendingPathComponent("printedge").path
        let terminal = try await TerminalSession("\(printedge) console --socket \(daemon.socketPath)")
        try await terminal.waitForScreen(containing: "console on mk")

        try await terminal.typeLiterally("M115")
        try await terminal.type("Enter")
        var screen = try await terminal.waitForScreen(containing: "Cap:EMERGENCY_PARSER")
        #expect(screen.contains("> M115"), "the command heads its replies: \(screen)")
        #expect(screen.filter { $0.contains("FIRMWARE_NAME:") }.count == 1, "each reply once: \(screen)")
        #expect(!screen.contains { $0.trimmingCharacters(in: .whitespaces) == "ok" }, "no bare ok: \(screen)")

        try await terminal.typeLiterally("M9876")
        try await terminal.type("Enter")
        screen = try await terminal.waitForScreen(containing: #"  echo:Unknown command: "M9876""#)
        #expect(!screen.contains { $0.contains("[message]") }, "the message repeating the reply is dropped: \(screen)")

        // Edit with the keys a person uses; every one of them sends escape sequences.
        try await terminal.typeLiterally("G0 X12")
        try await terminal.type("Home", "Right", "Delete")
        try await terminal.typeLiterally("1")
        try await terminal.type("PageUp", "F1", "Up", "Up", "Down", "Down", "End", "Left", "Right", "M-x")
        screen = try await terminal.waitForScreen(containing: "> G1 X12")
        try await terminal.type("Enter")
        try await terminal.typeLiterally("M114")
        try await terminal.type("Enter")
        try await terminal.waitForScreen(containing: "Count X:")
        try await terminal.type("Up", "Up")
        try await terminal.waitForScreen("the history's G1 on the prompt") { $0.last { !$0.isEmpty } == "> G1 X12" }
        try await terminal.type("C-u", "C-d")
        screen = try await terminal.waitForScreen(containing: "EXIT=0")
        await terminal.close()
        await daemon.terminate()

        let executed = try Simulator.readLog(daemon.execLogPath("mk"))
        #expect(executed.contains { $0.hasSuffix("G1 X12") || $0.contains(" G1 X12") }, "the edited line ran: \(executed.suffix(8))")
        #expect(!executed.contains { $0.contains("\u{1B}") || $0.contains("[A") || $0.contains("~") || $0.contains("G0 X12") },
                "no escape byte and no unedited line reached the printer: \(executed.suffix(8))")
    }

    @Test func withoutATerminalEachLineIsSentInTurnAndARefusalIsTheExitStatus() async throws {
        let scratch = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: scratch, printers: ["mk"])
        let printedge = productsDirectory.appendingPathComponent("printedge").path
        let result = try await runCommand("/bin/sh", ["-c", "printf 'M105\\nM9876\\nM114' | \(printedge) console --socket \(daemon.socketPath)"])
        #expect(result.status == 65, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first == "> M105", "\(lines)")
        #expect(lines.dropFirst().first?.hasPrefix("  ok T:") == true, "M105's answer under it: \(lines)")
        #expect(lines.filter { $0.contains(#"Unknown command: "M9876""#) } == [#"  echo:Unknown command: "M9876""#], "\(lines)")
        #expect(lines.contains("> M114") && lines.contains { $0.hasPrefix("  X:") }, "the last line, without a newline, is sent too: \(lines)")
        await daemon.terminate()
    }
}
