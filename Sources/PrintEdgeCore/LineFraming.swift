/// Marlin's line framing: `N<n> <command>*<checksum>\n`.
///
/// The checksum is the XOR of every byte before `*` (Marlin `queue.cpp`, `get_serial_commands`);
/// the line number lets the firmware detect a lost line and ask for it again (`Resend: n`).
public enum LineFraming {
    /// Marlin's MAX_CMD_SIZE: the line buffer holds 95 characters plus the terminator,
    /// so a framed line may be at most 96 bytes including its newline.
    public static let marlinMaxLineBytes = 96

    public static func checksum(_ bytes: some Sequence<UInt8>, seed: UInt8 = 0) -> UInt8 {
        bytes.reduce(seed, ^)
    }

    /// Appends the framed line, newline included, to `buffer`.
    public static func frame(number: Int, command: some Collection<UInt8>, into buffer: inout [UInt8]) {
        let start = buffer.count
        buffer.append(UInt8(ascii: "N"))
        appendDecimal(number, to: &buffer)
        buffer.append(UInt8(ascii: " "))
        buffer.append(contentsOf: command)
        var sum: UInt8 = 0
        for index in start..<buffer.count { sum ^= buffer[index] }
        buffer.append(UInt8(ascii: "*"))
        appendDecimal(Int(sum), to: &buffer)
        buffer.append(UInt8(ascii: "\n"))
    }

    public static func framed(number: Int, command: some Collection<UInt8>) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(command.count + 16)
        frame(number: number, command: command, into: &buffer)
        return buffer
    }

    /// The framed size, newline included, without building the line.
    public static func framedLength(number: Int, commandLength: Int, checksum: UInt8) -> Int {
        1 + decimalDigits(number) + 1 + commandLength + 1 + decimalDigits(Int(checksum)) + 1
    }

    /// The exact framed size of `command` as line `number`, newline included, without
    /// allocating: for pre-flight checks and for asking flow control before framing.
    public static func framedLength(number: Int, command: some Collection<UInt8>) -> Int {
        var sum = checksum(command, seed: UInt8(ascii: "N") ^ UInt8(ascii: " "))
        var rest = number
        repeat {
            sum ^= UInt8(truncatingIfNeeded: 0x30 + rest % 10)
            rest /= 10
        } while rest > 0
        return framedLength(number: number, commandLength: command.count, checksum: sum)
    }

    static func decimalDigits(_ value: Int) -> Int {
        var digits = value < 0 ? 2 : 1
        var rest = value < 0 ? -(value / 10) : value / 10
        while rest > 0 { digits += 1; rest /= 10 }
        return digits
    }

    static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        if value < 0 {
            buffer.append(UInt8(ascii: "-"))
            appendDecimal(-value, to: &buffer)
            return
        }
        if value < 10 {
            buffer.append(UInt8(truncatingIfNeeded: 0x30 + value))
            return
        }
        let start = buffer.count
        var rest = value
        while rest > 0 {
            buffer.append(UInt8(truncatingIfNeeded: 0x30 + rest % 10))
            rest /= 10
        }
        buffer[start...].reverse()
    }
}
