import Testing
@testable import printedge

/// The console's line editor, byte by byte as a raw terminal sends them.
struct LineEditorTests {
    private func type(_ bytes: [UInt8], into editor: inout LineEditor) -> [LineEditor.KeyAction] {
        bytes.map { editor.key($0) }
    }

    private func type(_ text: String, into editor: inout LineEditor) -> [LineEditor.KeyAction] {
        type(Array(text.utf8), into: &editor)
    }

    @Test func enterSubmitsTheTrimmedLineAndKeepsItInTheHistory() {
        var editor = LineEditor()
        _ = type("  G28 X ", into: &editor)
        #expect(editor.key(0x0D) == .submit("G28 X"))
        #expect(editor.line.isEmpty)
        #expect(editor.history == ["G28 X"])
        #expect(editor.key(0x0D) == .submit(""), "an empty line is not sent and not kept")
        #expect(editor.history == ["G28 X"])
    }

    @Test func arrowsAndHomeEndEditInsideTheLineAndNoEscapeByteEntersIt() {
        var editor = LineEditor()
        _ = type("G1 X10", into: &editor)
        _ = type([0x1B, 0x5B, 0x44, 0x1B, 0x5B, 0x44], into: &editor)  // Left, Left
        _ = type("5", into: &editor)
        #expect(editor.line == "G1 X510")
        _ = type([0x1B, 0x5B, 0x48], into: &editor)  // Home
        _ = type("; ", into: &editor)
        _ = type([0x1B, 0x4F, 0x46], into: &editor)  // End (SS3)
        _ = type(" F600", into: &editor)
        _ = type([0x1B, 0x5B, 0x31, 0x3B, 0x35, 0x43], into: &editor)  // Ctrl-Right, a CSI with parameters
        _ = type([0x1B, 0x5B, 0x32, 0x30, 0x30, 0x7E], into: &editor)  // bracketed paste start, unknown
        _ = type([0x1B, 0x78], into: &editor)  // Alt-x
        #expect(editor.line == "; G1 X510 F600")
        #expect(!editor.line.utf8.contains { $0 < 0x20 || $0 > 0x7E })
    }

    @Test func controlAndNonASCIIBytesAreDropped() {
        var editor = LineEditor()
        let actions = type([0x07, 0x09, 0xC3, 0xA9, 0x00, 0x1F], into: &editor)
        #expect(actions.allSatisfy { $0 == .none })
        #expect(editor.line.isEmpty)
    }

    @Test func upAndDownWalkTheHistoryAndComeBackToTheDraft() {
        var editor = LineEditor()
        for line in ["M105", "G28", "M114"] {
            _ = type(line, into: &editor)
            _ = editor.key(0x0D)
        }
        _ = type("M1", into: &editor)
        _ = type([0x1B, 0x5B, 0x41], into: &editor)
        #expect(editor.line == "M114")
        _ = type([0x1B, 0x5B, 0x41, 0x10], into: &editor)  // Up, Ctrl-P
        #expect(editor.line == "M105")
        #expect(editor.key(0x10) == .none, "nothing older")
        _ = type([0x1B, 0x5B, 0x42, 0x0E, 0x0E], into: &editor)  // Down, Ctrl-N, Ctrl-N
        #expect(editor.line == "M1", "the draft comes back")
        #expect(editor.key(0x0D) == .submit("M1"))
    }

    @Test func deletionKeys() {
        var editor = LineEditor()
        _ = type("G1 X10 Y20", into: &editor)
        _ = editor.key(0x17)  // Ctrl-W
        #expect(editor.line == "G1 X10 ")
        _ = editor.key(0x7F)
        #expect(editor.line == "G1 X10")
        _ = editor.key(0x01)  // Ctrl-A
        _ = type([0x1B, 0x5B, 0x33, 0x7E], into: &editor)  // Delete
        #expect(editor.line == "1 X10")
        _ = editor.key(0x06)  // Ctrl-F
        _ = editor.key(0x0B)  // Ctrl-K
        #expect(editor.line == "1")
        _ = editor.key(0x05)
        _ = editor.key(0x15)  // Ctrl-U
        #expect(editor.line.isEmpty)
    }

    @Test func theSpecialKeys() {
        var editor = LineEditor()
        #expect(editor.key(0x18) == .emergencyStop)
        #expect(editor.key(0x14) == .toggleNoise)
        _ = type("M1", into: &editor)
        #expect(editor.key(0x04) == .none, "Ctrl-D on a line with nothing after the cursor does nothing")
        #expect(editor.key(0x03) == .quit)
        var empty = LineEditor()
        #expect(empty.key(0x04) == .quit)
    }

    @Test func theRenderedPromptPutsTheCursorBackInPlace() {
        var editor = LineEditor()
        _ = type("M105", into: &editor)
        #expect(editor.rendered(prompt: "> ") == "\r\u{1B}[K> M105")
        _ = type([0x02, 0x02], into: &editor)
        #expect(editor.rendered(prompt: "> ") == "\r\u{1B}[K> M105\u{1B}[2D")
    }
}
