/// Numbers written into G-code and messages without Foundation's formatters: fixed point with
/// at most `decimals` digits after the dot, no exponent, no trailing zeros and no `-0` ("10",
/// "0.2", "-1.5"), so a generated line is short, exact to the printer's resolution and readable
/// by any firmware; or with exactly `decimals` digits (`fixed`) for tables whose columns must
/// line up. Rounding is half away from zero, as Marlin's `print(float, digits)`.
public enum GCodeDecimal {
    /// `value` with exactly `decimals` digits after the dot ("0.310"); never `-0.00`.
    public static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "0" + (decimals > 0 ? "." + String(repeating: "0", count: decimals) : "") }
        var scale: Int64 = 1
        for _ in 0..<max(0, decimals) { scale *= 10 }
        let scaled = (abs(value) * Double(scale)).rounded()
        guard scaled < 9_007_199_254_740_992 else {
            return (value < 0 ? "-" : "") + integerDigits(abs(value).rounded()) + (decimals > 0 ? "." + String(repeating: "0", count: decimals) : "")
        }
        let units = Int64(scaled)
        let sign = value < 0 && units != 0 ? "-" : ""
        guard decimals > 0 else { return sign + String(units) }
        let fraction = String(units % scale)
        return sign + String(units / scale) + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }

    /// `fixed`, with `+` in front of positive values and zero, as Marlin prints mesh cells.
    public static func signed(_ value: Double, decimals: Int) -> String {
        let text = fixed(value, decimals: decimals)
        return text.hasPrefix("-") ? text : "+" + text
    }

    public static func text(_ value: Double, decimals: Int = 3) -> String {
        guard value.isFinite else { return "0" }
        var scale: Int64 = 1
        for _ in 0..<max(0, decimals) { scale *= 10 }
        let scaled = (abs(value) * Double(scale)).rounded()
        // Beyond 2^53 a Double holds no fraction anyway; write its integer digits.
        guard scaled < 9_007_199_254_740_992 else { return (value < 0 ? "-" : "") + integerDigits(abs(value).rounded()) }
        let units = Int64(scaled)
        let sign = value < 0 && units != 0 ? "-" : ""
        var fraction = units % scale
        guard fraction != 0 else { return sign + String(units / scale) }
        var digits = decimals
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let fractionText = String(fraction)
        return sign + String(units / scale) + "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
    }

    private static func integerDigits(_ whole: Double) -> String {
        var digits: [UInt8] = []
        var rest = whole
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(rest.truncatingRemainder(dividingBy: 10)))
            rest = (rest / 10).rounded(.towardZero)
        } while rest >= 1
        return String(decoding: digits.reversed(), as: UTF8.self)
    }
}
