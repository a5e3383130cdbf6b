/// "Did you mean …": the known name a misspelt one most likely meant, when one is close
/// enough to be a typo rather than a different word.
enum KeySuggestion {
    static func closest(to name: String, among candidates: some Sequence<String>) -> String? {
        let typed = normalized(name)
        var best: (candidate: String, distance: Int)?
        for candidate in candidates where candidate != name {
            let known = normalized(candidate)
            let distance: Int
            if typed == known {
                distance = 0  // only case or `-` for `_` differ
            } else if min(typed.count, known.count) >= 3 && (typed.starts(with: known) || known.starts(with: typed)) {
                distance = 1  // `baudrate` for `baud`, `x_max` for `x_max_mm`
            } else {
                distance = editDistance(typed, known)
                guard distance <= max(1, min(3, typed.count / 3)) else { continue }
            }
            if best.map({ distance < $0.distance }) ?? true { best = (candidate, distance) }
        }
        return best?.candidate
    }

    private static func normalized(_ name: String) -> [UInt8] {
        name.lowercased().utf8.map { $0 == UInt8(ascii: "-") ? UInt8(ascii: "_") : $0 }
    }

    /// Edit distance counting insertions, deletions, substitutions and swaps of two
    /// neighbours (`buad` is one step from `baud`): the optimal string alignment distance.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var beforePrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], beforePrevious[j - 2] + 1)
                }
            }
            (beforePrevious, previous, current) = (previous, current, beforePrevious)
        }
        return previous[b.count]
    }
}
