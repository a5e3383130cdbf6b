/// The C library behaviour Marlin's queue and parser lean on, over a line's bytes.
///
/// Marlin handles lines as C strings, so a NUL that noise put into a line ends it early
/// for every `strchr`/`strstr`/`strtol`; the simulator reproduces that instead of seeing
/// the whole buffer.
enum CLibrary {
    /// The part of `line` a C string function sees: everything before the first NUL.
    static func cString(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        if let nul = line.firstIndex(of: 0) { return line[line.startIndex..<nul] }
        return line
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// `isspace` in the C locale.
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || (byte >= 0x09 && byte <= 0x0D)
    }

    /// `strtol(text + index, nullptr, 10)` with a 32-bit `long` (AVR and ARM Marlin):
    /// leading white space, an optional sign, then as many digits as there are;
    /// 0 when there are none; clamped to the range of `long` on overflow.
    static func strtol(_ text: ArraySlice<UInt8>, from start: Int) -> Int64 {
        var index = start
        let end = text.endIndex
        while index < end && isSpace(text[index]) { index += 1 }
        var negative = false
        if index < end && (text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+")) {
            negative = text[index] == UInt8(ascii: "-")
            index += 1
        }
        var magnitude: Int64 = 0
        while index < end && isDigit(text[index]) {
            if magnitude <= 1 << 33 {
                magnitude = magnitude * 10 + Int64(text[index] - UInt8(ascii: "0"))
            }
            index += 1
        }
        let value = negative ? -magnitude : magnitude
        return min(max(value, Int64(Int32.min)), Int64(Int32.max))
    }

    /// Whether `needle` occurs in `haystack` (`strstr`).
    static func contains(_ haystack: ArraySlice<UInt8>, _ needle: StaticString) -> Bool {
        needle.withUTF8Buffer { pattern in
            guard pattern.count <= haystack.count else { return false }
            var start = haystack.startIndex
            let last = haystack.endIndex - pattern.count
            while start <= last {
                var matched = true
                for offset in 0..<pattern.count where haystack[start + offset] != pattern[offset] {
                    matched = false
                    break
                }
                if matched { return true }
                start += 1
            }
            return false
        }
    }
}
