/// What a calibration run was, as the store files it (`calibration.kind`).
public enum CalibrationKind: String, Codable, Sendable, CaseIterable {
    case pidHotend = "pid_hotend"
    case pidBed = "pid_bed"
    case pidChamber = "pid_chamber"
    case extruderSteps = "extruder_steps"
    case flow
    case probeAccuracy = "probe_accuracy"
    case zOffset = "z_offset"
    case bedMesh = "bed_mesh"
    case tramming
    case settingsBackup = "settings_backup"
    case settingsRestore = "settings_restore"

    /// The results a finished run of this kind makes stale, following Klipper's documented
    /// rules (docs/Probe_Calibrate.md): changing the bed's tilt invalidates the probe's Z
    /// offset, and "if the results of PROBE_CALIBRATE are invalidated, then any previous bed
    /// mesh results that were obtained using the probe are also invalidated". New e-steps
    /// change how much plastic a flow test put down; a restore puts back values from another
    /// time, so nothing measured since can be trusted to match.
    public var invalidates: [CalibrationKind] {
        switch self {
        case .tramming: [.zOffset, .bedMesh]
        case .zOffset: [.bedMesh]
        case .extruderSteps: [.flow]
        case .settingsRestore: [.pidHotend, .pidBed, .pidChamber, .extruderSteps, .flow, .zOffset, .bedMesh, .tramming]
        case .pidHotend, .pidBed, .pidChamber, .flow, .probeAccuracy, .bedMesh, .settingsBackup: []
        }
    }

    /// Which kinds are stale, given when each kind last ran (any increasing order: store row
    /// ids, milliseconds). A result is stale when a run that invalidates it came later.
    public static func staleKinds<Order: Comparable>(lastRuns: [CalibrationKind: Order]) -> Set<CalibrationKind> {
        var stale: Set<CalibrationKind> = []
        for (kind, ran) in lastRuns {
            for invalidated in kind.invalidates {
                if let result = lastRuns[invalidated], result < ran { stale.insert(invalidated) }
            }
        }
        return stale
    }
}
