import Foundation
@testable import PrintEdgeCalibration

extension CalibrationSession {
    /// Every line of `text` through `lineReceived`, the actions in order.
    mutating func receive(_ text: String) -> [Action] {
        FirmwareSamples.lines(text).map { lineReceived($0) }
    }

    /// `receive`, then `commandsHandled`'s action.
    mutating func answer(_ text: String) -> Action {
        _ = receive(text)
        return commandsHandled()
    }
}

/// The JSON object an outcome or progress encodes to, for checking its keys.
func jsonObject(_ value: some Encodable) throws -> [String: Any] {
    let data = try JSONEncoder().encode(value)
    return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
}

/// `M503 S0` output (derived: `settings.report(true)` prints the replay lines without
/// `echo:`, research §1.2) holding these lines and the steps per unit every report has.
func settingsReply(_ lines: String...) -> String {
    (["G21", "M92 X80.00 Y80.00 Z400.00 E93.00"] + lines + ["ok"]).joined(separator: "\n")
}
