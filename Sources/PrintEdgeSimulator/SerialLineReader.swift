/// Assembles serial characters into a command line the way Marlin's `process_stream_char`
/// and `process_line_done` (gcode/queue.cpp) do.
///
/// - `;` starts a comment to the end of the line; `(` … `)` is an inline comment
///   (PAREN_COMMENTS). Comment characters never reach the line buffer, so a checksum
///   computed by a host over a line that still had its comment fails.
/// - `\` makes the next character literal (even `;`), and is itself dropped.
/// - Backspace (0x08) erases the previous character.
/// - The buffer is MAX_CMD_SIZE (96) bytes including the terminator: after 95 characters
///   the rest of the line is skipped.
/// - `\n` or `\r` ends the line; a line with no characters left (blank, or only a
///   comment) is empty and ignored.
struct SerialLineReader: Sendable {
    /// MAX_CMD_SIZE: the line buffer including its NUL terminator.
    static let maximumCommandSize = 96

    private enum InputState: Sendable {
        case normal
        case escaped
        case skippingToEndOfLine
        case parenthesisComment
    }

    private(set) var buffer: [UInt8] = [UInt8](repeating: 0, count: SerialLineReader.maximumCommandSize)
    /// Characters in `buffer`.
    private(set) var count = 0
    private var state: InputState = .normal

    /// Whether a line has started: characters stored or a comment being skipped. A reset
    /// or drain at this point cuts the line in two.
    var isInsideLine: Bool { count > 0 || state != .normal }

    static func isEndOfLine(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    /// Feeds one character that is not an end of line.
    mutating func feed(_ byte: UInt8) {
        switch state {
        case .skippingToEndOfLine:
            return
        case .parenthesisComment:
            if byte == UInt8(ascii: ")") { state = .normal }
            return
        case .escaped:
            state = .normal
        case .normal:
            if byte == UInt8(ascii: "\\") {
                state = .escaped
                return
            }
            if byte == UInt8(ascii: ";") {
                state = .skippingToEndOfLine
                return
            }
            if byte == UInt8(ascii: "(") {
                state = .parenthesisComment
                return
            }
        }
        if byte == 0x08 {
            if count > 0 { count -= 1 }
            return
        }
        buffer[count] = byte
        count += 1
        if count >= SerialLineReader.maximumCommandSize - 1 {
            state = .skippingToEndOfLine
        }
    }

    /// Ends the line (`process_line_done`): returns the number of characters in it, 0 for
    /// an empty line, and starts a new one.
    mutating func endLine() -> Int {
        state = .normal
        let length = count
        count = 0
        return length
    }

    mutating func reset() {
        state = .normal
        count = 0
    }
}
