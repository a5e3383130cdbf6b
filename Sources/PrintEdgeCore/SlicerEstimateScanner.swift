/// Picks up the print time a slicer wrote into the file, which knows the printer's real
/// accelerations and is usually closer than our own estimate.
///
/// Recognised, best first: PrusaSlicer's (and its forks') `; estimated printing time (normal
/// mode) = 1d 2h 3m 4s` summary, written at the end; Cura's `;TIME:3723` header, in seconds;
/// and the first `M73 ... R<minutes>` (PrusaSlicer and Cura emit `M73 P0 R62` before the
/// first move; later ones count down, so only the first is the total).
struct SlicerEstimateScanner: Sendable {
    private var prusaSlicerSeconds: Double?
    private var curaSeconds: Double?
    private var m73Minutes: Double?

    var estimate: Duration? {
        guard let seconds = prusaSlicerSeconds ?? curaSeconds ?? m73Minutes.map({ $0 * 60 }) else { return nil }
        return .estimate(seconds: seconds)
    }

    mutating func command(_ words: GCodeWords) {
        guard m73Minutes == nil, words.isM(73), let minutes = words.value(UInt8(ascii: "R")), minutes >= 0 else { return }
        m73Minutes = minutes
    }

    /// Looks at a comment line (its first non-blank byte is `;`).
    mutating func comment(_ rawLine: some Collection<UInt8>) {
        guard prusaSlicerSeconds == nil || curaSeconds == nil else { return }
        var text = Array(rawLine.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }.dropFirst())
        while let last = text.last, last == UInt8(ascii: "\r") || last == UInt8(ascii: " ") { text.removeLast() }
        if curaSeconds == nil, text.starts(with: Self.curaPrefix) {
            var scanner = DecimalScanner()
            for byte in text.dropFirst(Self.curaPrefix.count) { scanner.feed(byte) }
            if let seconds = scanner.value, seconds >= 0 { curaSeconds = seconds }
            return
        }
        let body = text.drop { $0 == UInt8(ascii: " ") }
        if prusaSlicerSeconds == nil, body.starts(with: Self.prusaSlicerPrefix),
           let equals = body.firstIndex(of: UInt8(ascii: "=")) {
            prusaSlicerSeconds = Self.seconds(inDurationText: body[(equals + 1)...])
        }
    }

    private static let curaPrefix = Array("TIME:".utf8)
    private static let prusaSlicerPrefix = Array("estimated printing time (normal mode)".utf8)

    /// Seconds in a text like `1d 2h 3m 4s` or `45m 12s`; `nil` when it has no such part.
    static func seconds(inDurationText text: some Collection<UInt8>) -> Double? {
        var total = 0.0
        var parts = 0
        var scanner = DecimalScanner()
        for byte in text {
            let multiplier: Double? = switch byte {
            case UInt8(ascii: "d"): 86_400
            case UInt8(ascii: "h"): 3_600
            case UInt8(ascii: "m"): 60
            case UInt8(ascii: "s"): 1
            default: nil
            }
            if let multiplier {
                guard let value = scanner.value else { return nil }
                total += value * multiplier
                parts += 1
                scanner = DecimalScanner()
            } else if byte != UInt8(ascii: " ") {
                scanner.feed(byte)
            }
        }
        return parts > 0 ? total : nil
    }
}
