/// The firmware's bed leveling system (Configuration.h), from the printer's profile.
public enum LevelingSystem: String, Codable, Sendable {
    /// AUTO_BED_LEVELING_BILINEAR: `G29` probes the grid and prints it.
    case bilinear
    /// AUTO_BED_LEVELING_UBL: `G29 P1` probes, `G29 T` prints the map.
    case unified
    /// MESH_BED_LEVELING: probed by hand at the printer's screen (`G29 S1`, `S2`…).
    case manual

    /// A guess from `M503 S0`: bilinear meshes are reported as `G29 W` lines, manual ones as
    /// `G29 S3`; UBL reports none (its meshes live in EEPROM slots).
    public init?(settings: FirmwareSettings) {
        let meshLines = settings.commands("G29")
        if meshLines.contains(where: { $0.parameter("W") != nil }) {
            self = .bilinear
        } else if meshLines.contains(where: { $0.value("S") == 3 }) {
            self = .manual
        } else {
            return nil
        }
    }
}

extension BedMeshSession {
    public struct Configuration: Sendable, Equatable {
        public var system: LevelingSystem
        /// Read the mesh the firmware holds (`M420 V`) instead of probing a new one.
        public var fromStored: Bool
        /// The grid size and corners expected, from the profile (`--probe-count`).
        public var expectation: BedMeshParser.Expectation
        /// The `M155` interval to restore afterwards, seconds (0: autoreports were off).
        public var autoreportIntervalSeconds: Int
        /// The last mesh, to show what changed (`--compare`).
        public var previous: BedMesh?

        public init(system: LevelingSystem, fromStored: Bool = false, expectation: BedMeshParser.Expectation = .init(), autoreportIntervalSeconds: Int = 0,
                    previous: BedMesh? = nil) throws(CalibrationRequestError) {
            if system == .manual, !fromStored {
                throw .invalid(parameter: "from-stored", reason: "manual mesh bed leveling (MESH_BED_LEVELING) is probed by hand at the printer's screen (G29 S1, then S2 at each point); do that, then show it with --from-stored")
            }
            if let columns = expectation.columns, !(2...15).contains(columns) {
                throw .invalid(parameter: "probe-count", reason: "\(columns) is outside the 2–15 points per side Marlin grids have")
            }
            if let rows = expectation.rows, !(2...15).contains(rows) {
                throw .invalid(parameter: "probe-count", reason: "\(rows) is outside the 2–15 points per side Marlin grids have")
            }
            guard (0...60).contains(autoreportIntervalSeconds) else {
                throw .invalid(parameter: "autoreport", reason: "\(autoreportIntervalSeconds) s is not an M155 interval (0–60 s)")
            }
            self.system = system
            self.fromStored = fromStored
            self.expectation = expectation
            self.autoreportIntervalSeconds = autoreportIntervalSeconds
            self.previous = previous
        }
    }

    public struct Progress: Codable, Sendable, Equatable {
        public enum Stage: String, Codable, Sendable {
            case homing
            case probing
            case reading
            case restoring
        }

        public var stage: Stage

        public init(stage: Stage) {
            self.stage = stage
        }
    }

    public struct Outcome: CalibrationOutcome {
        public private(set) var kind: CalibrationKind = .bedMesh
        public var mesh: BedMesh
        public var analysis: BedMeshAnalysis
        /// Against `Configuration.previous`, when given and on the same grid.
        public var comparison: BedMeshComparison?
        /// Why there is no comparison although a previous mesh was given.
        public var comparisonProblem: String?
        public var fromStored: Bool
        /// Leveling as `M420 S1` left it: false when the firmware refused to turn it on.
        public var levelingEnabled: Bool?

        public var settingsBefore: FirmwareSettings? { nil }
        public var settingsAfter: FirmwareSettings? { nil }

        public init(mesh: BedMesh, analysis: BedMeshAnalysis, comparison: BedMeshComparison?, comparisonProblem: String?, fromStored: Bool, levelingEnabled: Bool?) {
            self.mesh = mesh
            self.analysis = analysis
            self.comparison = comparison
            self.comparisonProblem = comparisonProblem
            self.fromStored = fromStored
            self.levelingEnabled = levelingEnabled
        }

        enum CodingKeys: String, CodingKey {
            case kind, mesh, analysis, comparison
            case comparisonProblem = "comparison_problem"
            case fromStored = "from_stored"
            case levelingEnabled = "leveling_enabled"
        }
    }
}
