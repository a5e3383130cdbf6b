/// Whether bed leveling is on, as `M420` reports it (`gcode/bedlevel/M420.cpp`, research
/// §1.6): `echo:Bed Leveling ON|OFF`, `echo:Fade Height 10.00|OFF`, or in `M503`
/// `M420 S1 Z10.00 ; Leveling ON`; `echo:Invalid mesh.` and
/// `Error:Failed to enable Bed Leveling` when there is no valid mesh to turn on.
public struct LevelingState: Codable, Sendable, Equatable {
    public var isEnabled: Bool?
    /// 0 when fading is off; nil when not reported.
    public var fadeHeightMM: Double?
    /// False after `Invalid mesh.` or `Failed to enable Bed Leveling`.
    public var hasValidMesh: Bool?

    public init(isEnabled: Bool? = nil, fadeHeightMM: Double? = nil, hasValidMesh: Bool? = nil) {
        self.isEnabled = isEnabled
        self.fadeHeightMM = fadeHeightMM
        self.hasValidMesh = hasValidMesh
    }

    /// Folds one line in; lines that say nothing about leveling change nothing.
    public mutating func consume(_ line: Substring) {
        if let message = FirmwareText.errorMessage(line) {
            if message.hasPrefix("Failed to enable Bed Leveling") {
                isEnabled = false
                hasValidMesh = false
            }
            return
        }
        if let command = SettingsCommand(line: line), command.code == "M420" {
            if let enabled = command.value("S") { isEnabled = enabled != 0 }
            if let fade = command.value("Z") { fadeHeightMM = fade }
            return
        }
        let text = FirmwareText.body(line)
        if text.hasPrefix("Bed Leveling ") {
            let state = text.dropFirst(13)
            if state.hasPrefix("ON") { isEnabled = true } else if state.hasPrefix("OFF") { isEnabled = false }
        } else if text.hasPrefix("Fade Height ") {
            let value = text.dropFirst(12)
            if value.hasPrefix("OFF") { fadeHeightMM = 0 } else if let height = DecimalNumber(FirmwareText.trimmed(value)) { fadeHeightMM = height.value }
        } else if text.hasPrefix("Invalid mesh") {
            hasValidMesh = false
        }
    }

    public mutating func consume(_ line: String) {
        consume(line[...])
    }

    enum CodingKeys: String, CodingKey {
        case isEnabled = "enabled"
        case fadeHeightMM = "fade_height_mm"
        case hasValidMesh = "valid_mesh"
    }
}
