import Testing
@testable import PrintEdgeConfig

/// The `ConfigurationError` that reading a configuration throws. A read that succeeds, or
/// throws anything else, is recorded as an issue and gives `nil`.
func configurationError(_ read: () throws -> Any?) -> ConfigurationError? {
    do {
        let value = try read()
        Issue.record("expected a configuration error, read \(String(describing: value))")
    } catch let error as ConfigurationError {
        return error
    } catch {
        Issue.record("expected a configuration error, got \(error)")
    }
    return nil
}
