import PrintEdgeCore

/// The heights tried in a paper test and where to go next, with the behaviour Klipper documents
/// for `TESTZ` (docs/Bed_Level.md, `manual_probe.py`): `+`/`-` go halfway to the nearest height
/// tried above/below, `++`/`--` all the way to it, at most 0.2 mm per bisecting move (and 0.2 mm
/// when nothing was tried on that side); a number moves by that much. The display shows the
/// nearest tried heights around the present one: `Z position: 4.800 --> 4.900 <-- 5.000`.
struct PaperTestBisection: Sendable, Equatable {
    static let largestBisectingStepMM = 0.2

    private(set) var currentMM: Double
    private var triedMM: [Double] = []

    init(startMM: Double) {
        currentMM = startMM
    }

    /// Where `move` goes from here, rounded to the micrometre.
    func target(of move: TestZMove) -> Double {
        let step = Self.largestBisectingStepMM
        let target: Double = switch move {
        case .by(let mm): currentMM + mm
        case .halfwayUp: min(above.map { (currentMM + $0) / 2 } ?? .infinity, currentMM + step)
        case .toNextUp: min(above ?? .infinity, currentMM + step)
        case .halfwayDown: max(below.map { (currentMM + $0) / 2 } ?? -.infinity, currentMM - step)
        case .toNextDown: max(below ?? -.infinity, currentMM - step)
        }
        return (target * 1000).rounded() / 1000
    }

    /// Remembers the present height as tried and moves to `heightMM`.
    mutating func move(to heightMM: Double) {
        if !triedMM.contains(where: { abs($0 - currentMM) < 0.0005 }) { triedMM.append(currentMM) }
        currentMM = heightMM
    }

    var display: String {
        let low = below.map { GCodeDecimal.fixed($0, decimals: 3) } ?? "??????"
        let high = above.map { GCodeDecimal.fixed($0, decimals: 3) } ?? "??????"
        return "Z position: \(low) --> \(GCodeDecimal.fixed(currentMM, decimals: 3)) <-- \(high)"
    }

    private var below: Double? { triedMM.filter { $0 < currentMM - 0.0005 }.max() }
    private var above: Double? { triedMM.filter { $0 > currentMM + 0.0005 }.min() }
}
