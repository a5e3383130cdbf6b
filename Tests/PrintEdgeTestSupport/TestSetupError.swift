/// A test fixture that could not be set up (a tool failed, a broker did not start); the
/// message carries the tool's own output.
public struct TestSetupError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
