/// Numbers for people and for G-code, written without Foundation's formatters: fixed decimals
/// ("0.310", "+0.311") for tables where columns must line up, trimmed ("22.2") for G-code lines
/// that must stay short. Rounding is half away from zero, as Marlin's `print(float, digits)`.
enum DecimalText {
    /// `value` with exactly `decimals` digits after the dot; never `-0.00`.
    static func fixed(_ value: Double, decimals: Int) -> String {
        let (negative, whole, fraction) = split(value, decimals: decimals)
        let sign = negative ? "-" : ""
        guard decimals > 0 else { return sign + whole }
        return sign + whole + "." + fraction
    }

    /// `fixed`, with `+` in front of positive values and zero, as Marlin prints mesh cells.
    static func signed(_ value: Double, decimals: Int) -> String {
        let text = fixed(value, decimals: decimals)
        return text.hasPrefix("-") ? text : "+" + text
    }

    /// At most `decimals` digits after the dot, trailing zeros dropped: `22.2`, `93`, `-1.65`.
    static func trimmed(_ value: Double, decimals: Int) -> String {
        let (negative, whole, fraction) = split(value, decimals: decimals)
        var digits = Substring(fraction)
        while digits.last == "0" { digits = digits.dropLast() }
        let sign = negative ? "-" : ""
        return digits.isEmpty ? sign + whole : sign + whole + "." + digits
    }

    private static func split(_ value: Double, decimals: Int) -> (negative: Bool, whole: String, fraction: String) {
        guard value.isFinite else { return (false, "0", String(repeating: "0", count: max(0, decimals))) }
        var scale = 1.0
        for _ in 0..<max(0, decimals) { scale *= 10 }
        let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
        // Calibration values are small; past 2^53 a Double holds no fraction to print anyway.
        guard scaled < 9_007_199_254_740_992 else { return (value < 0, String(Int64(abs(value).rounded())), String(repeating: "0", count: max(0, decimals))) }
        let units = Int64(scaled)
        let divisor = Int64(scale)
        let fractionDigits = decimals > 0 ? String(units % divisor) : ""
        let padded = String(repeating: "0", count: max(0, decimals - fractionDigits.count)) + fractionDigits
        return (value < 0 && units != 0, String(units / divisor), padded)
    }
}
