/// How figures are written: fixed decimals, no locale, "-" when there is nothing to show.
enum Figure {
    static func fixed(_ value: Double?, _ decimals: Int) -> String {
        guard let value, value.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int64((abs(value) * scale).rounded())
        let whole = scaled / Int64(scale)
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard decimals > 0 else { return sign + String(whole) }
        let fraction = String(scaled % Int64(scale))
        return sign + String(whole) + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }

    static func count(_ value: Int?) -> String {
        value.map(String.init) ?? "-"
    }

    /// CPU seconds per 100,000 acknowledged lines.
    static func cpuPer100kLines(_ cpuSeconds: Double?, lines: Int?) -> String {
        guard let cpuSeconds, let lines, lines > 0 else { return "-" }
        return fixed(cpuSeconds / Double(lines) * 100_000, 2)
    }
}
