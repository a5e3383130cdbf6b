/// A command's word — `M104`, `G29.1` — read the way Marlin's `GCodeParser::parse` reads it:
/// the letter in either case, blanks allowed before the number (`m 500` is `M500`), and a `.n`
/// subcode kept, so `G29.1` is not taken for an allowed `G29`. What allow-lists compare.
public enum GCodeCommandWord {
    /// `G`, `M` or `T` in upper case with its number and subcode; empty when the line does not
    /// start with one.
    public static func of(_ line: String) -> String {
        var scalars = Substring(line).unicodeScalars[...]
        guard let first = scalars.first, ["G", "M", "T", "g", "m", "t"].contains(first) else { return "" }
        scalars = scalars.dropFirst()
        while scalars.first == " " { scalars = scalars.dropFirst() }
        let digits = scalars.prefix { ("0"..."9").contains($0) }
        guard !digits.isEmpty else { return "" }
        var word = String(first).uppercased() + String(String.UnicodeScalarView(digits))
        scalars = scalars.dropFirst(digits.count)
        if scalars.first == "." {
            let subcode = scalars.dropFirst().prefix { ("0"..."9").contains($0) }
            if !subcode.isEmpty { word += "." + String(String.UnicodeScalarView(subcode)) }
        }
        return word
    }
}
