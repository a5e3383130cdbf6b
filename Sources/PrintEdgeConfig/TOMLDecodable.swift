/// A Swift type a configuration key can hold, and how a TOML value becomes one.
protocol TOMLDecodable {
    /// How the expected type is said in "key `x` must be …, found …".
    static var expectation: String { get }
    /// The value, or what was found instead (and where, for an array's element).
    static func decode(_ value: TOMLValue) -> Result<Self, TOMLTypeMismatch>
}

/// What a value of the wrong type turned out to be.
struct TOMLTypeMismatch: Error {
    var found: String
    var position: SourcePosition
}

extension TOMLTypeMismatch {
    init(_ value: TOMLValue) {
        self.init(found: value.typeName, position: value.position)
    }
}

extension String: TOMLDecodable {
    static var expectation: String { "a string" }

    static func decode(_ value: TOMLValue) -> Result<String, TOMLTypeMismatch> {
        if case .string(let text) = value.content { return .success(text) }
        return .failure(TOMLTypeMismatch(value))
    }
}

extension Int: TOMLDecodable {
    static var expectation: String { "an integer" }

    static func decode(_ value: TOMLValue) -> Result<Int, TOMLTypeMismatch> {
        if case .integer(let number) = value.content { return .success(number) }
        return .failure(TOMLTypeMismatch(value))
    }
}

extension Double: TOMLDecodable {
    static var expectation: String { "a number" }

    /// An integer is taken where a float is expected: `speedup = 10` means 10.0.
    static func decode(_ value: TOMLValue) -> Result<Double, TOMLTypeMismatch> {
        switch value.content {
        case .float(let number): .success(number)
        case .integer(let number): .success(Double(number))
        default: .failure(TOMLTypeMismatch(value))
        }
    }
}

extension Bool: TOMLDecodable {
    static var expectation: String { "true or false" }

    static func decode(_ value: TOMLValue) -> Result<Bool, TOMLTypeMismatch> {
        if case .boolean(let flag) = value.content { return .success(flag) }
        return .failure(TOMLTypeMismatch(value))
    }
}

extension Array: TOMLDecodable where Element == String {
    static var expectation: String { "an array of strings" }

    static func decode(_ value: TOMLValue) -> Result<[String], TOMLTypeMismatch> {
        guard case .array(let elements) = value.content else { return .failure(TOMLTypeMismatch(value)) }
        var strings: [String] = []
        for element in elements {
            guard case .string(let text) = element.content else {
                return .failure(TOMLTypeMismatch(found: "an array holding a \(element.typeName)", position: element.position))
            }
            strings.append(text)
        }
        return .success(strings)
    }
}
