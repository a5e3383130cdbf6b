/// The few functions of plane geometry the analysis needs (arcs in `G2`/`G3`), written out
/// because PrintEdgeCore imports neither Foundation nor Glibc. Each is accurate to within a
/// few ulps on the ranges printers use: far below a micrometre.
enum Trigonometry {
    static func hypotenuse(_ a: Double, _ b: Double) -> Double { (a * a + b * b).squareRoot() }

    /// `value` modulo `modulus`, in `0..<modulus` even for negative values.
    static func positiveRemainder(_ value: Double, _ modulus: Double) -> Double {
        let remainder = value.truncatingRemainder(dividingBy: modulus)
        return remainder < 0 ? remainder + modulus : remainder
    }

    /// Sine by reduction to [-π/4, π/4] and its Taylor series to the 17th power.
    static func sine(_ x: Double) -> Double {
        let quarter = Double.pi / 2
        let turns = (x / quarter).rounded()
        let reduced = x - turns * quarter
        switch Int(positiveRemainder(turns, 4)) {
        case 0: return sineSeries(reduced)
        case 1: return cosineSeries(reduced)
        case 2: return -sineSeries(reduced)
        default: return -cosineSeries(reduced)
        }
    }

    static func cosine(_ x: Double) -> Double { sine(x + Double.pi / 2) }

    /// The angle of the point (`x`, `y`), in (-π, π], as C's `atan2(y, x)`.
    static func arctangent(_ y: Double, _ x: Double) -> Double {
        if x == 0 && y == 0 { return 0 }
        let ax = abs(x), ay = abs(y)
        var angle = ax >= ay ? arctangentUnit(ay / ax) : Double.pi / 2 - arctangentUnit(ax / ay)
        if x < 0 { angle = Double.pi - angle }
        return y < 0 ? -angle : angle
    }

    private static func sineSeries(_ x: Double) -> Double {
        let x2 = x * x
        var term = x
        var sum = x
        for n in stride(from: 2, through: 16, by: 2) {
            term *= -x2 / Double(n * (n + 1))
            sum += term
        }
        return sum
    }

    private static func cosineSeries(_ x: Double) -> Double {
        let x2 = x * x
        var term = 1.0
        var sum = 1.0
        for n in stride(from: 1, through: 15, by: 2) {
            term *= -x2 / Double(n * (n + 1))
            sum += term
        }
        return sum
    }

    /// atan(t) for t in [0, 1]: above tan(π/12) = 2 − √3 it uses
    /// atan(t) = π/6 + atan((t√3 − 1) / (√3 + t)), then the series, which converges fast there.
    private static func arctangentUnit(_ t: Double) -> Double {
        let root3 = 1.7320508075688772
        if t > 2 - root3 {
            return Double.pi / 6 + arctangentUnit((t * root3 - 1) / (root3 + t))
        }
        let t2 = t * t
        var term = t
        var sum = t
        var n = 1.0
        while abs(term) > 1e-18 {
            term *= -t2
            n += 2
            sum += term / n
        }
        return sum
    }
}
