#if canImport(Glibc)
import Glibc
#endif

/// `2025-03-01T14:05:12.345Z`: the time at the start of a plain log line, and what
/// `printedge logs --since` accepts. UTC, so a file moved between hosts reads the same.
public enum UTCTimestamp {
    public static func format(ms: Int64) -> String {
        var seconds = time_t(ms / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(ms % 1000), 3))Z"
    }

    /// `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]]` with `Z` or nothing (both UTC), or a space
    /// instead of the `T`; `nil` for anything else.
    public static func parse(_ text: some StringProtocol) -> Int64? {
        var text = Substring(text)
        if text.hasSuffix("Z") { text = text.dropLast() }
        let halves = text.split(whereSeparator: { $0 == "T" || $0 == " " }).map(String.init)
        guard (1...2).contains(halves.count) else { return nil }
        let date = halves[0].split(separator: "-", omittingEmptySubsequences: false).compactMap { Int32($0) }
        guard date.count == 3, halves[0].count == 10 else { return nil }
        var parts = tm()
        parts.tm_year = date[0] - 1900
        parts.tm_mon = date[1] - 1
        parts.tm_mday = date[2]
        var milliseconds: Int64 = 0
        if halves.count == 2 {
            let clock = halves[1].split(separator: ":", omittingEmptySubsequences: false)
            guard (2...3).contains(clock.count), let hour = Int32(clock[0]), let minute = Int32(clock[1]) else { return nil }
            parts.tm_hour = hour
            parts.tm_min = minute
            if clock.count == 3 {
                let seconds = clock[2].split(separator: ".", omittingEmptySubsequences: false)
                guard let whole = Int32(seconds[0]), seconds.count <= 2 else { return nil }
                parts.tm_sec = whole
                if seconds.count == 2 {
                    let digits = String(seconds[1].prefix(3))
                    guard let fraction = Int64(digits) else { return nil }
                    milliseconds = fraction * Int64([1, 100, 10, 1][digits.count])
                }
            }
        }
        guard (1...12).contains(date[1]), (1...31).contains(date[2]), (0...23).contains(parts.tm_hour),
              (0...59).contains(parts.tm_min), (0...60).contains(parts.tm_sec) else { return nil }
        return Int64(timegm(&parts)) * 1000 + milliseconds
    }
}
