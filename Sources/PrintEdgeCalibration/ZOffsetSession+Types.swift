import PrintEdgeCore

extension ZOffsetSession {
    public enum Mode: String, Codable, Sendable {
        /// Nudge the nozzle with `M290` babysteps until the paper drags.
        case babystep
        /// Move the nozzle with `G1 Z`, bisecting between heights already tried as Klipper's
        /// `TESTZ` does.
        case paperTest = "paper_test"
    }

    public struct Configuration: Sendable, Equatable {
        public var mode: Mode
        /// Where the nozzle goes for the test: the bed's centre, usually.
        public var xMM: Double
        public var yMM: Double
        /// The height it starts at, above where the present offset puts the bed. Klipper's
        /// manual probe starts 5 mm up (docs/Probe_Calibrate.md): a wrong offset then cannot
        /// drive the nozzle into the bed on the first move.
        public var startHeightMM: Double
        /// How far below where the present offset puts the bed the nozzle may be taken: a key
        /// held down must not drive it into the bed.
        public var maximumBelowZeroMM: Double
        public var save: Bool
        public var eeprom: EEPROMSupport

        public init(mode: Mode, xMM: Double, yMM: Double, startHeightMM: Double = 5, maximumBelowZeroMM: Double = 2, save: Bool = false,
                    eeprom: EEPROMSupport = .unknown) throws(CalibrationRequestError) {
            guard (0.5...20).contains(startHeightMM) else {
                throw .invalid(parameter: "start-height", reason: "\(GCodeDecimal.text(startHeightMM, decimals: 2)) mm is outside 0.5–20 mm")
            }
            guard (0...5).contains(maximumBelowZeroMM) else {
                throw .invalid(parameter: "below-zero", reason: "\(GCodeDecimal.text(maximumBelowZeroMM, decimals: 2)) mm is outside 0–5 mm")
            }
            if save, eeprom == .absent { throw .invalid(parameter: "save", reason: EEPROMSupport.cannotPersist) }
            self.mode = mode
            self.xMM = xMM
            self.yMM = yMM
            self.startHeightMM = startHeightMM
            self.maximumBelowZeroMM = maximumBelowZeroMM
            self.save = save
            self.eeprom = eeprom
        }
    }

    public struct Progress: Codable, Sendable, Equatable {
        public enum Stage: String, Codable, Sendable {
            case readingSettings = "reading_settings"
            /// Homing and moving over the test point.
            case positioning
            /// The nozzle moved; `nozzleHeightMM` is where it is now.
            case moved
            case applying
            case verifying
        }

        public var stage: Stage
        /// The nozzle's height above where the present offset puts the bed, mm.
        public var nozzleHeightMM: Double?

        public init(stage: Stage, nozzleHeightMM: Double? = nil) {
            self.stage = stage
            self.nozzleHeightMM = nozzleHeightMM
        }

        enum CodingKeys: String, CodingKey {
            case stage
            case nozzleHeightMM = "nozzle_height_mm"
        }
    }

    public struct Outcome: CalibrationOutcome {
        public private(set) var kind: CalibrationKind = .zOffset
        public var mode: Mode
        public var previousOffsetMM: Double
        public var newOffsetMM: Double
        /// Where the nozzle touched the paper, above where the old offset put the bed.
        public var touchHeightMM: Double
        public var persistence: Persistence
        public var settingsBefore: FirmwareSettings?
        public var settingsAfter: FirmwareSettings?

        public init(mode: Mode, previousOffsetMM: Double, newOffsetMM: Double, touchHeightMM: Double, persistence: Persistence,
                    settingsBefore: FirmwareSettings?, settingsAfter: FirmwareSettings?) {
            self.mode = mode
            self.previousOffsetMM = previousOffsetMM
            self.newOffsetMM = newOffsetMM
            self.touchHeightMM = touchHeightMM
            self.persistence = persistence
            self.settingsBefore = settingsBefore
            self.settingsAfter = settingsAfter
        }

        enum CodingKeys: String, CodingKey {
            case kind, mode
            case previousOffsetMM = "previous_offset_mm"
            case newOffsetMM = "new_offset_mm"
            case touchHeightMM = "touch_height_mm"
            case persistence
            case settingsBefore = "settings_before"
            case settingsAfter = "settings_after"
        }
    }
}
