/// One command of a G-code file, normalised and ready to frame.
///
/// Normalising is what the firmware would do anyway (Marlin drops `;` and `(...)` comments
/// and surrounding blanks) done once on the host, so the wire carries only bytes the
/// printer needs: comments and runs of blanks cost wire time and RX-buffer space.
public struct GCodeLine: Sendable, Equatable {
    /// 1-based line number in the source file, for messages and logs.
    public var sourceLine: Int
    /// The command bytes (ASCII), without comments, line number or checksum.
    public var command: [UInt8]
    /// The line as the file has it, comments included, for serial logs; empty when nobody logs.
    public var original: String
    /// Nothing else may be on the wire while the firmware runs this command: it is written
    /// only once everything before it was acknowledged, and nothing (no line, no sync) follows
    /// it until its own `ok`. `M303` needs it (see `HostProtocol`).
    public var isExclusive: Bool

    public init(sourceLine: Int, command: [UInt8], original: String = "", isExclusive: Bool = false) {
        self.sourceLine = sourceLine
        self.command = command
        self.original = original
        self.isExclusive = isExclusive
    }

    public init(sourceLine: Int, _ command: String, isExclusive: Bool = false) {
        self.init(sourceLine: sourceLine, command: Array(command.utf8), isExclusive: isExclusive)
    }

    public var text: String { String(decoding: command, as: UTF8.self) }
}

/// Turns raw G-code text lines into `GCodeLine` commands.
public enum GCodeNormalizer {
    /// Strips comments, an existing `N<n>` word and `*<checksum>` (the host frames lines
    /// itself), collapses blanks, and returns `nil` when nothing is left to send.
    public static func normalize(_ raw: some Sequence<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(48)
        var inParenComment = false
        var pendingBlank = false
        for byte in raw {
            if inParenComment {
                if byte == UInt8(ascii: ")") { inParenComment = false }
                continue
            }
            switch byte {
            case UInt8(ascii: ";"), UInt8(ascii: "\n"):
                return finish(&out)
            case UInt8(ascii: "("):
                inParenComment = true
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                pendingBlank = !out.isEmpty
            case UInt8(ascii: "*"):
                // A checksum from an earlier framing: everything after it is not command.
                return finish(&out)
            default:
                if pendingBlank {
                    out.append(UInt8(ascii: " "))
                    pendingBlank = false
                }
                out.append(byte)
            }
        }
        return finish(&out)
    }

    private static func finish(_ out: inout [UInt8]) -> [UInt8]? {
        stripLineNumberWord(&out)
        return out.isEmpty ? nil : out
    }

    /// Removes a leading `N<digits>` word that a file may already carry.
    private static func stripLineNumberWord(_ out: inout [UInt8]) {
        guard out.first == UInt8(ascii: "N"), out.count > 1, isDigit(out[1]) else { return }
        var index = 1
        while index < out.count, isDigit(out[index]) { index += 1 }
        while index < out.count, out[index] == UInt8(ascii: " ") { index += 1 }
        out.removeSubrange(0..<index)
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
}
