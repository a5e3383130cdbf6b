import PrintEdgeCore

extension PIDTuningSession {
    public struct Configuration: Sendable, Equatable {
        /// Which constants `apply` writes.
        public enum Choice: String, Codable, Sendable {
            /// Marlin's final values: those of its last cycle.
            case firmwareFinal = "firmware_final"
            /// The cycle with the median period, as Klipper chooses.
            case medianPeriodCycle = "median_period_cycle"
        }

        public var heater: PIDHeater
        public var targetCelsius: Double
        public var cycles: Int
        /// Part-cooling fan during the tune, 0–100 % (tune with the fan as it will print).
        public var fanPercent: Double?
        /// Write the constants (`M301`/`M304`/`M309`).
        public var apply: Bool
        /// Store them (`M500`) and prove it by reading back; implies `apply`.
        public var save: Bool
        public var choice: Choice
        public var eeprom: EEPROMSupport
        /// `Cap:EMERGENCY_PARSER:1`: only then can `M108` stop a running tune.
        public var hasEmergencyParser: Bool

        public init(heater: PIDHeater, targetCelsius: Double, cycles: Int = 5, fanPercent: Double? = nil, apply: Bool = false, save: Bool = false,
                    choice: Choice = .firmwareFinal, eeprom: EEPROMSupport = .unknown, hasEmergencyParser: Bool = false) throws(CalibrationRequestError) {
            guard cycles >= 3 else {
                throw .invalid(parameter: "cycles", reason: "\(cycles) is too few: M303 needs at least 3 cycles (with fewer Marlin prints Kp, Ki and Kd as 0.00); use 5 to 8")
            }
            guard cycles <= 20 else {
                throw .invalid(parameter: "cycles", reason: "\(cycles) is more than a tune needs (each cycle can take minutes); use 5 to 8")
            }
            let limit: ClosedRange<Double> = switch heater {
            case .hotend: 40...400
            case .bed: 30...150
            case .chamber: 30...90
            }
            guard limit.contains(targetCelsius) else {
                throw .invalid(parameter: "temp", reason: "\(GCodeDecimal.text(targetCelsius, decimals: 1)) °C is outside \(Int(limit.lowerBound))–\(Int(limit.upperBound)) °C for the \(heater); tune at the temperature you print at")
            }
            if let fanPercent, !(0...100).contains(fanPercent) {
                throw .invalid(parameter: "fan", reason: "\(GCodeDecimal.text(fanPercent, decimals: 1)) is not a percentage from 0 to 100")
            }
            if save, eeprom == .absent { throw .invalid(parameter: "save", reason: EEPROMSupport.cannotPersist) }
            if case .hotend(let tool) = heater, tool < 0 || tool > 7 {
                throw .invalid(parameter: "tool", reason: "\(tool) is not a hotend number (0–7)")
            }
            self.heater = heater
            self.targetCelsius = targetCelsius
            self.cycles = cycles
            self.fanPercent = fanPercent
            self.apply = apply || save
            self.save = save
            self.choice = choice
            self.eeprom = eeprom
            self.hasEmergencyParser = hasEmergencyParser
        }
    }

    /// What happens while the tune runs.
    public struct Progress: Codable, Sendable, Equatable {
        public enum Stage: String, Codable, Sendable {
            case readingSettings = "reading_settings"
            /// M303 was sent: the heater is heating.
            case tuning
            case cycle
            case temperature
            /// A line that should have held cycle values was damaged; the cycle is left out.
            case unreadableLine = "unreadable_line"
            case applying
            case verifying
        }

        public var stage: Stage
        public var cycle: PIDCycle?
        public var temperatureCelsius: Double?
        public var message: String?

        public init(stage: Stage, cycle: PIDCycle? = nil, temperatureCelsius: Double? = nil, message: String? = nil) {
            self.stage = stage
            self.cycle = cycle
            self.temperatureCelsius = temperatureCelsius
            self.message = message
        }

        enum CodingKeys: String, CodingKey {
            case stage, cycle
            case temperatureCelsius = "temperature_celsius"
            case message
        }
    }

    public struct Outcome: CalibrationOutcome {
        public var heater: PIDHeater
        public var targetCelsius: Double
        public var cyclesRequested: Int
        /// Marlin's result: its last cycle's constants.
        public var firmwareConstants: PIDConstants
        /// Every cycle Marlin reported.
        public var cycles: [PIDCycle]
        /// Median and spread over the cycles; nil when none carried constants.
        public var statistics: PIDCycleStatistics?
        /// What was written, when applied.
        public var applied: PIDConstants?
        public var persistence: Persistence
        public var settingsBefore: FirmwareSettings?
        public var settingsAfter: FirmwareSettings?

        /// `pid_hotend`, `pid_bed` or `pid_chamber`.
        public let kind: CalibrationKind

        enum CodingKeys: String, CodingKey {
            case kind, heater
            case targetCelsius = "target_celsius"
            case cyclesRequested = "cycles_requested"
            case firmwareConstants = "firmware_constants"
            case cycles, statistics, applied, persistence
            case settingsBefore = "settings_before"
            case settingsAfter = "settings_after"
        }

        public init(heater: PIDHeater, targetCelsius: Double, cyclesRequested: Int, firmwareConstants: PIDConstants, cycles: [PIDCycle],
                    statistics: PIDCycleStatistics?, applied: PIDConstants?, persistence: Persistence, settingsBefore: FirmwareSettings?, settingsAfter: FirmwareSettings?) {
            self.kind = heater.calibrationKind
            self.heater = heater
            self.targetCelsius = targetCelsius
            self.cyclesRequested = cyclesRequested
            self.firmwareConstants = firmwareConstants
            self.cycles = cycles
            self.statistics = statistics
            self.applied = applied
            self.persistence = persistence
            self.settingsBefore = settingsBefore
            self.settingsAfter = settingsAfter
        }
    }
}
