import PrintEdgeCore

extension ExtruderStepsSession {
    public struct Configuration: Sendable, Equatable {
        public var tool: Int
        /// How much to extrude, mm.
        public var requestedMM: Double
        /// How far above the extruder's inlet the person marks the filament, mm: far enough
        /// that the mark is still outside after `requestedMM`.
        public var markDistanceMM: Double
        public var temperatureCelsius: Double
        /// Slow, so the hotend melts it all and the extruder does not skip: Klipper's guide
        /// extrudes at 1 mm/s (`G1 E50 F60`, docs/Rotation_Distance.md).
        public var feedrateMMPerMinute: Double
        public var save: Bool
        public var eeprom: EEPROMSupport

        public init(tool: Int = 0, requestedMM: Double = 100, markDistanceMM: Double? = nil, temperatureCelsius: Double, feedrateMMPerMinute: Double = 60,
                    save: Bool = false, eeprom: EEPROMSupport = .unknown) throws(CalibrationRequestError) {
            guard (10...200).contains(requestedMM) else {
                throw .invalid(parameter: "length", reason: "\(GCodeDecimal.text(requestedMM, decimals: 1)) mm is outside 10–200 mm; 100 mm is usual")
            }
            let mark = markDistanceMM ?? requestedMM + 20
            guard mark > requestedMM + 5 else {
                throw .invalid(parameter: "mark", reason: "the mark must be more than 5 mm further out than the \(GCodeDecimal.text(requestedMM, decimals: 1)) mm extruded, or it disappears into the extruder")
            }
            // Marlin refuses to extrude below EXTRUDE_MINTEMP (170 °C by default).
            guard (170...300).contains(temperatureCelsius) else {
                throw .invalid(parameter: "temp", reason: "\(GCodeDecimal.text(temperatureCelsius, decimals: 1)) °C is outside 170–300 °C: use the filament's printing temperature")
            }
            guard (10...600).contains(feedrateMMPerMinute) else {
                throw .invalid(parameter: "feedrate", reason: "\(GCodeDecimal.text(feedrateMMPerMinute, decimals: 1)) mm/min is outside 10–600 mm/min; extrude slowly")
            }
            guard (0...7).contains(tool) else { throw .invalid(parameter: "tool", reason: "\(tool) is not an extruder number (0–7)") }
            if save, eeprom == .absent { throw .invalid(parameter: "save", reason: EEPROMSupport.cannotPersist) }
            self.tool = tool
            self.requestedMM = requestedMM
            self.markDistanceMM = mark
            self.temperatureCelsius = temperatureCelsius
            self.feedrateMMPerMinute = feedrateMMPerMinute
            self.save = save
            self.eeprom = eeprom
        }
    }

    public struct Progress: Codable, Sendable, Equatable {
        public enum Stage: String, Codable, Sendable {
            case readingSettings = "reading_settings"
            case heating
            case extruding
            case applying
            case verifying
        }

        public var stage: Stage
        public var message: String?

        public init(stage: Stage, message: String? = nil) {
            self.stage = stage
            self.message = message
        }
    }

    public struct Outcome: CalibrationOutcome {
        public private(set) var kind: CalibrationKind = .extruderSteps
        public var tool: Int
        public var calculation: ExtruderStepsCalculation
        public var persistence: Persistence
        public var settingsBefore: FirmwareSettings?
        public var settingsAfter: FirmwareSettings?

        public init(tool: Int, calculation: ExtruderStepsCalculation, persistence: Persistence, settingsBefore: FirmwareSettings?, settingsAfter: FirmwareSettings?) {
            self.tool = tool
            self.calculation = calculation
            self.persistence = persistence
            self.settingsBefore = settingsBefore
            self.settingsAfter = settingsAfter
        }

        enum CodingKeys: String, CodingKey {
            case kind, tool, calculation, persistence
            case settingsBefore = "settings_before"
            case settingsAfter = "settings_after"
        }
    }
}
