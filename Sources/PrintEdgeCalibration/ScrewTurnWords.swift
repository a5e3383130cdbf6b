import PrintEdgeCore

/// A number of turns in words a person cannot misread: "a quarter turn and a bit: 0.31 turn".
///
/// Klipper prints `01:20` ("1 full turn and 20 minutes" of a clock face), which people read as
/// arc minutes (Klipper3d/klipper#5153); Marlin's G35 prints "0 turns and 15 minutes". Here the
/// amount is the nearest quarter turn in words, "nearly" or "and a bit" when it is off by more
/// than 0.03 turn, then the exact figure.
enum ScrewTurnWords {
    static func phrase(turns: Double) -> String {
        let quarters = Int((turns * 4).rounded())
        guard quarters > 0 else { return "a little" }
        let whole = quarters / 4
        let part = quarters % 4
        let base: String
        switch (whole, part) {
        case (0, 1): base = "a quarter turn"
        case (0, 2): base = "half a turn"
        case (0, _): base = "three quarters of a turn"
        case (1, 0): base = "one full turn"
        case (_, 0): base = "\(number(whole)) full turns"
        case (_, 1): base = "\(number(whole)) and a quarter turns"
        case (_, 2): base = "\(number(whole)) and a half turns"
        default: base = "\(number(whole)) and three quarter turns"
        }
        let difference = turns - Double(quarters) / 4
        if abs(difference) < 0.03 { return base }
        return difference > 0 ? base + " and a bit" : "nearly " + base
    }

    /// `0.31 turn`, `1 turn`, `1.50 turns`.
    static func figure(turns: Double) -> String {
        let text = GCodeDecimal.fixed(turns, decimals: 2)
        return text + (turns > 1.004 ? " turns" : " turn")
    }

    private static func number(_ value: Int) -> String {
        let words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
        return value < words.count ? words[value] : String(value)
    }
}
