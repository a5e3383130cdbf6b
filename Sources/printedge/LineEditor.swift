/// The console's input line: the bytes of a raw-mode terminal in, an edited line and what to
/// do out. Sans-I/O, so it is tested byte by byte without a terminal.
///
/// Escape sequences (arrows, Home, Delete...) are read whole — CSI `ESC [ params final` and
/// SS3 `ESC O final` — and either edit the line or are dropped: no escape byte, control byte
/// or non-ASCII byte ever reaches the line, and so the printer. G-code is ASCII.
struct LineEditor {
    /// What the console does after a byte.
    enum KeyAction: Equatable {
        /// Nothing visible changed (the middle of an escape sequence, an ignored key).
        case none
        /// The line or the cursor changed: draw the prompt again.
        case redraw
        /// Enter: the line, trimmed, to send (the history has it); empty lines are not sent.
        case submit(String)
        /// Ctrl-X: the emergency stop.
        case emergencyStop
        /// Ctrl-C, or Ctrl-D on an empty line.
        case quit
        /// Ctrl-T: show or hide `ok`s and temperature reports.
        case toggleNoise
    }

    private enum Escape {
        case none
        /// After ESC.
        case started
        /// After `ESC [`, with the parameter bytes so far.
        case controlSequence(String)
        /// After `ESC O`.
        case singleShift
    }

    private(set) var text: [UInt8] = []
    /// Bytes from the start of `text`.
    private(set) var cursor = 0
    private(set) var history: [String] = []
    /// Where Up and Down are in `history`; `history.count` is the line being written.
    private var historyIndex = 0
    /// The line being written, kept while Up shows older ones.
    private var draft: [UInt8] = []
    private var escape = Escape.none
    /// The longest line kept: Marlin's MAX_CMD_SIZE is 96 bytes with the framing.
    static let maxLineBytes = 256

    var line: String { String(decoding: text, as: UTF8.self) }

    mutating func key(_ byte: UInt8) -> KeyAction {
        switch escape {
        case .started:
            switch byte {
            case UInt8(ascii: "["): escape = .controlSequence("")
            case UInt8(ascii: "O"): escape = .singleShift
            default: escape = .none  // Alt-<key>: dropped with its key.
            }
            return .none
        case .controlSequence(let parameters):
            if (0x20...0x3F).contains(byte) {
                escape = .controlSequence(parameters + String(UnicodeScalar(byte)))
                return .none
            }
            escape = .none
            return controlSequence(final: byte, parameters: parameters)
        case .singleShift:
            escape = .none
            return controlSequence(final: byte, parameters: "")
        case .none:
            break
        }
        switch byte {
        case 0x1B: escape = .started; return .none
        case 0x0D, 0x0A: return submit()
        case 0x03: return .quit
        case 0x04: return text.isEmpty ? .quit : deleteForward()
        case 0x18: return .emergencyStop
        case 0x14: return .toggleNoise
        case 0x01: return move(to: 0)
        case 0x05: return move(to: text.count)
        case 0x02: return move(to: cursor - 1)
        case 0x06: return move(to: cursor + 1)
        case 0x7F, 0x08: return deleteBackward()
        case 0x0B: text.removeSubrange(cursor...); return .redraw
        case 0x15: text.removeSubrange(..<cursor); cursor = 0; return .redraw
        case 0x17: return deleteWordBackward()
        case 0x10: return recall(historyIndex - 1)
        case 0x0E: return recall(historyIndex + 1)
        case 0x0C: return .redraw
        case 0x20...0x7E:
            guard text.count < Self.maxLineBytes else { return .none }
            text.insert(byte, at: cursor)
            cursor += 1
            return .redraw
        default: return .none
        }
    }

    /// The prompt line for a terminal: back to column 0, cleared, the prompt and the line, and
    /// the cursor moved back to its place.
    func rendered(prompt: String) -> String {
        var drawn = "\r\u{1B}[K" + prompt + line
        if cursor < text.count { drawn += "\u{1B}[\(text.count - cursor)D" }
        return drawn
    }

    private mutating func controlSequence(final: UInt8, parameters: String) -> KeyAction {
        switch (final, parameters) {
        case (UInt8(ascii: "A"), _): return recall(historyIndex - 1)
        case (UInt8(ascii: "B"), _): return recall(historyIndex + 1)
        case (UInt8(ascii: "C"), _): return move(to: cursor + 1)
        case (UInt8(ascii: "D"), _): return move(to: cursor - 1)
        case (UInt8(ascii: "H"), _), (UInt8(ascii: "~"), "1"), (UInt8(ascii: "~"), "7"): return move(to: 0)
        case (UInt8(ascii: "F"), _), (UInt8(ascii: "~"), "4"), (UInt8(ascii: "~"), "8"): return move(to: text.count)
        case (UInt8(ascii: "~"), "3"): return deleteForward()
        default: return .none
        }
    }

    private mutating func submit() -> KeyAction {
        let submitted = line.trimmingSpaces
        text = []
        cursor = 0
        draft = []
        if !submitted.isEmpty, history.last != submitted { history.append(submitted) }
        historyIndex = history.count
        return .submit(submitted)
    }

    private mutating func move(to position: Int) -> KeyAction {
        let clamped = min(max(0, position), text.count)
        guard clamped != cursor else { return .none }
        cursor = clamped
        return .redraw
    }

    private mutating func deleteBackward() -> KeyAction {
        guard cursor > 0 else { return .none }
        text.remove(at: cursor - 1)
        cursor -= 1
        return .redraw
    }

    private mutating func deleteForward() -> KeyAction {
        guard cursor < text.count else { return .none }
        text.remove(at: cursor)
        return .redraw
    }

    private mutating func deleteWordBackward() -> KeyAction {
        var start = cursor
        while start > 0, text[start - 1] == UInt8(ascii: " ") { start -= 1 }
        while start > 0, text[start - 1] != UInt8(ascii: " ") { start -= 1 }
        guard start < cursor else { return .none }
        text.removeSubrange(start..<cursor)
        cursor = start
        return .redraw
    }

    /// Up and Down: an older or newer line of the history; past the newest, the draft.
    private mutating func recall(_ index: Int) -> KeyAction {
        guard index >= 0, index <= history.count, index != historyIndex else { return .none }
        if historyIndex == history.count { draft = text }
        historyIndex = index
        text = index == history.count ? draft : Array(history[index].utf8)
        cursor = text.count
        return .redraw
    }
}

extension String {
    var trimmingSpaces: String {
        String(self.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
