/// Checks a G-code file line by line before anything is sent, so a job never stops halfway
/// on a line the firmware cannot take.
///
/// Marlin keeps at most 95 characters of a line (MAX_CMD_SIZE 96 with its terminator) and
/// silently drops the rest; with framing added, a long `M117` or a many-decimal `G1` can
/// cross that. Bytes outside printable ASCII either corrupt Marlin's parser or are dropped
/// by it. Comments are never sent, so what they contain does not matter.
public struct GCodePreflight: Sendable {
    public struct Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        public enum Reason: Sendable, Equatable {
            case lineTooLong(framedBytes: Int, limit: Int)
            case nonASCII(byte: UInt8, column: Int)
        }

        public var sourceLine: Int
        public var reason: Reason
        public var excerpt: String

        public var description: String {
            switch reason {
            case .lineTooLong(let framed, let limit):
                "line \(sourceLine): \(framed) bytes once framed for the printer, over the firmware's limit of \(limit) (Marlin MAX_CMD_SIZE); shorten it (fewer decimals, a shorter M117 text): \(excerpt)"
            case .nonASCII(let byte, let column):
                "line \(sourceLine), column \(column): byte 0x\(String(byte, radix: 16, uppercase: true)) is not printable ASCII and would reach the printer (it is not inside a comment); remove it or re-export the file: \(excerpt)"
            }
        }
    }

    public let maxFramedBytes: Int
    public private(set) var sourceLines = 0
    public private(set) var commands = 0
    /// Sum of the command bytes (unframed), for progress by bytes.
    public private(set) var commandBytes = 0

    public init(maxFramedBytes: Int = LineFraming.marlinMaxLineBytes) {
        self.maxFramedBytes = maxFramedBytes
    }

    /// Checks one raw line (without its newline); returns the normalised command to send, if any.
    public mutating func check(rawLine: some Collection<UInt8>) throws(Rejection) -> [UInt8]? {
        sourceLines += 1
        guard let command = GCodeNormalizer.normalize(rawLine) else { return nil }
        for (index, byte) in command.enumerated() where byte < 0x20 || byte > 0x7E {
            throw Rejection(sourceLine: sourceLines, reason: .nonASCII(byte: byte, column: column(of: index, in: rawLine, command: command)),
                            excerpt: Self.excerpt(command))
        }
        commands += 1
        let framed = LineFraming.framedLength(number: commands, command: command)
        if framed > maxFramedBytes {
            throw Rejection(sourceLine: sourceLines, reason: .lineTooLong(framedBytes: framed, limit: maxFramedBytes),
                            excerpt: Self.excerpt(command))
        }
        commandBytes += command.count
        return command
    }

    /// 1-based column of the offending byte in the raw line, found by its first occurrence.
    private func column(of index: Int, in rawLine: some Collection<UInt8>, command: [UInt8]) -> Int {
        let byte = command[index]
        var column = 1
        for raw in rawLine {
            if raw == byte { return column }
            column += 1
        }
        return index + 1
    }

    private static func excerpt(_ command: [UInt8]) -> String {
        let printable = command.prefix(60).map { $0 >= 0x20 && $0 <= 0x7E ? $0 : UInt8(ascii: "?") }
        return "'" + String(decoding: printable, as: UTF8.self) + (command.count > 60 ? "...'" : "'")
    }
}
