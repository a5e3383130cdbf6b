/// The settings a calibration changes, as Marlin keeps them in RAM and in EEPROM
/// (`MarlinSettings`, module/settings.cpp): what M500 stores, M501 loads, M502 resets to
/// the compiled-in defaults and M503 reports. Marlin's other settings (feedrates,
/// accelerations, …) are reported at their defaults and never change here.
public struct CalibrationSettings: Sendable, Equatable {
    /// M92: steps per millimetre of X, Y, Z and E.
    public var stepsPerMM: AxisSteps
    /// M301.
    public var hotendPID: PIDConstants
    /// M304.
    public var bedPID: PIDConstants
    /// M851: where the probe is relative to the nozzle; Z negative for a probe that
    /// triggers below the nozzle.
    public var probeOffset: ProbeOffset
    /// M420 S: bed leveling applied to moves.
    public var levelingActive: Bool
    /// M420 Z: leveling fades out linearly up to this height; 0 keeps it everywhere.
    public var fadeHeightMillimetres: Double
    /// The bed mesh (G29), nil when none was made.
    public var mesh: BedMesh?
    /// MBL's `G29 S4` Z offset.
    public var meshZOffsetMillimetres: Double

    public init(
        stepsPerMM: AxisSteps, hotendPID: PIDConstants, bedPID: PIDConstants, probeOffset: ProbeOffset,
        levelingActive: Bool, fadeHeightMillimetres: Double, mesh: BedMesh?, meshZOffsetMillimetres: Double
    ) {
        self.stepsPerMM = stepsPerMM
        self.hotendPID = hotendPID
        self.bedPID = bedPID
        self.probeOffset = probeOffset
        self.levelingActive = levelingActive
        self.fadeHeightMillimetres = fadeHeightMillimetres
        self.mesh = mesh
        self.meshZOffsetMillimetres = meshZOffsetMillimetres
    }

    /// Stock Marlin 2.1's Configuration.h: DEFAULT_AXIS_STEPS_PER_UNIT (E as this printer's
    /// extruder), DEFAULT_Kp/Ki/Kd 22.20/1.08/114.00, DEFAULT_bedKp/Ki/Kd 10.00/.023/305.4,
    /// NOZZLE_TO_PROBE_OFFSET { 10, 10, 0 }, DEFAULT_LEVELING_FADE_HEIGHT 10, no mesh.
    public static let defaults = CalibrationSettings(
        stepsPerMM: AxisSteps(x: 80, y: 80, z: 400, e: 93),
        hotendPID: PIDConstants(p: 22.20, i: 1.08, d: 114.00),
        bedPID: PIDConstants(p: 10.00, i: 0.023, d: 305.4),
        probeOffset: ProbeOffset(x: 10, y: 10, z: 0),
        levelingActive: false, fadeHeightMillimetres: 10, mesh: nil, meshZOffsetMillimetres: 0)
}

/// Steps per millimetre of each axis (M92).
public struct AxisSteps: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var z: Double
    public var e: Double

    public init(x: Double, y: Double, z: Double, e: Double) {
        self.x = x
        self.y = y
        self.z = z
        self.e = e
    }
}

/// Proportional, integral and derivative gains as M301/M304 show them.
public struct PIDConstants: Sendable, Equatable {
    public var p: Double
    public var i: Double
    public var d: Double

    public init(p: Double, i: Double, d: Double) {
        self.p = p
        self.i = i
        self.d = d
    }
}

/// The nozzle-to-probe offset (M851), in millimetres.
public struct ProbeOffset: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var z: Double

    public init(x: Double, y: Double, z: Double) {
        self.x = x
        self.y = y
        self.z = z
    }
}
