/// A check on a decoded value beyond its type: what is wrong with it, if anything, said as
/// the end of "key `x` …" (`must be at least 1, found 0`).
struct ValueConstraint<Value> {
    let problem: (Value) -> String?
}

extension ValueConstraint where Value: Comparable {
    static func atLeast(_ minimum: Value) -> ValueConstraint {
        ValueConstraint { $0 >= minimum ? nil : "must be at least \(minimum), found \($0)" }
    }

    static func within(_ range: ClosedRange<Value>) -> ValueConstraint {
        ValueConstraint { range.contains($0) ? nil : "must be within \(range.lowerBound)…\(range.upperBound), found \($0)" }
    }
}

extension ValueConstraint where Value == Double {
    /// Greater than zero and finite (rates, intervals, factors).
    static var positive: ValueConstraint {
        ValueConstraint { $0 > 0 && $0.isFinite ? nil : "must be a positive number, found \($0)" }
    }
}

extension ValueConstraint where Value == String {
    static var notEmpty: ValueConstraint {
        ValueConstraint { $0.isEmpty ? "must not be empty" : nil }
    }
}
