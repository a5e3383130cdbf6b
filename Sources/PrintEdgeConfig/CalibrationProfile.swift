import PrintEdgeCalibration

/// What `printedge calibrate` needs to know about a printer model and the firmware built for
/// it (`[calibration]` in its profile): the bed leveling system compiled in, where its mesh
/// lies, its bed screws and their thread, where the Z offset is tested. Everything is
/// optional: a calibration that needs a missing value says which key to add.
public struct CalibrationProfile: Sendable, Equatable {
    /// AUTO_BED_LEVELING_BILINEAR, _UBL or MESH_BED_LEVELING; nil: not stated.
    public var leveling: LevelingSystem?
    /// GRID_MAX_POINTS_X and _Y, when the profile states them: a mesh of another size is
    /// refused as output of a different build.
    public var meshProbeCount: Int?
    /// Where the grid's first and last columns and rows are, mm (bilinear and MBL output gives
    /// no coordinates; Marlin spreads the grid evenly between these).
    public var meshBounds: MeshBounds?
    /// The bed screws, where the probe goes to measure each (`G30 X Y` places the probe).
    public var screws: [TrammingScrew]
    public var screwThread: ScrewThread
    /// Nil: a tenth of a turn of the thread (Klipper's "below 6 minutes").
    public var trammingToleranceMM: Double?
    /// Where the nozzle goes for the Z-offset paper test; nil: the bed's centre.
    public var zOffsetXMM: Double?
    public var zOffsetYMM: Double?

    public init(leveling: LevelingSystem? = nil, meshProbeCount: Int? = nil, meshBounds: MeshBounds? = nil, screws: [TrammingScrew] = [],
                screwThread: ScrewThread = .standard, trammingToleranceMM: Double? = nil, zOffsetXMM: Double? = nil, zOffsetYMM: Double? = nil) {
        self.leveling = leveling
        self.meshProbeCount = meshProbeCount
        self.meshBounds = meshBounds
        self.screws = screws
        self.screwThread = screwThread
        self.trammingToleranceMM = trammingToleranceMM
        self.zOffsetXMM = zOffsetXMM
        self.zOffsetYMM = zOffsetYMM
    }

    /// The names `leveling` takes, as printedge-sim's `--leveling` spells them.
    static let levelingNames: [String: LevelingSystem] = ["bilinear": .bilinear, "ubl": .unified, "mbl": .manual]

    /// Reads `[calibration]` and its `[[calibration.screw]]`s; `volume` bounds the positions.
    init(reading table: inout TableReader, volume: BuildVolume) throws(ConfigurationError) {
        let inVolumeX = ValueConstraint<Double> { volume.xMinMM...volume.xMaxMM ~= $0 ? nil : "must be within the build volume's X \(volume.xMinMM)…\(volume.xMaxMM) mm, found \($0)" }
        let inVolumeY = ValueConstraint<Double> { volume.yMinMM...volume.yMaxMM ~= $0 ? nil : "must be within the build volume's Y \(volume.yMinMM)…\(volume.yMaxMM) mm, found \($0)" }
        let leveling = try table.optionalChoice("leveling", choices: Self.levelingNames.keys.sorted()) { Self.levelingNames[$0] }
        let probeCount: Int? = try table.optional("mesh_probe_count", .within(2...15))
        let bounds = (
            try table.optional("mesh_x_min_mm", inVolumeX) as Double?, try table.optional("mesh_x_max_mm", inVolumeX) as Double?,
            try table.optional("mesh_y_min_mm", inVolumeY) as Double?, try table.optional("mesh_y_max_mm", inVolumeY) as Double?)
        let thread = try table.optionalChoice("screw_thread", choices: ScrewThread.Size.allCases.flatMap { ["CW-\($0.rawValue)", "CCW-\($0.rawValue)"] }) {
            ScrewThread(name: $0)
        }
        let tolerance: Double? = try table.optional("tramming_tolerance_mm", .within(0.001...1))
        let zOffsetX: Double? = try table.optional("zoffset_x_mm", inVolumeX)
        let zOffsetY: Double? = try table.optional("zoffset_y_mm", inVolumeY)
        var screws: [TrammingScrew] = []
        for var screwTable in try table.tables("screw") {
            let name: String = try screwTable.required("name", .notEmpty, meaning: "how a person calls it, e.g. \"front left\"")
            let x: Double = try screwTable.required("x_mm", inVolumeX, meaning: "the X where the probe is over the screw, in mm")
            let y: Double = try screwTable.required("y_mm", inVolumeY, meaning: "the Y where the probe is over the screw, in mm")
            try screwTable.rejectUnknownKeys()
            screws.append(TrammingScrew(name: name, xMM: x, yMM: y))
        }
        try table.rejectUnknownKeys()
        var meshBounds: MeshBounds?
        switch bounds {
        case (nil, nil, nil, nil):
            break
        case let (xMin?, xMax?, yMin?, yMax?):
            guard xMin < xMax else { throw table.invalid("mesh_x_max_mm", "key `\(table.dotted("mesh_x_max_mm"))` (\(xMax)) must be greater than mesh_x_min_mm (\(xMin))") }
            guard yMin < yMax else { throw table.invalid("mesh_y_max_mm", "key `\(table.dotted("mesh_y_max_mm"))` (\(yMax)) must be greater than mesh_y_min_mm (\(yMin))") }
            meshBounds = MeshBounds(minimumXMM: xMin, maximumXMM: xMax, minimumYMM: yMin, maximumYMM: yMax)
        default:
            let key = ["mesh_x_min_mm", "mesh_x_max_mm", "mesh_y_min_mm", "mesh_y_max_mm"].first { table.position(of: $0) != nil } ?? "mesh_x_min_mm"
            throw table.invalid(key, "\(table.title) gives only some of mesh_x_min_mm, mesh_x_max_mm, mesh_y_min_mm and mesh_y_max_mm: give all four corners of the probed area, or none")
        }
        if (zOffsetX == nil) != (zOffsetY == nil) {
            throw table.invalid(zOffsetX == nil ? "zoffset_y_mm" : "zoffset_x_mm", "give both zoffset_x_mm and zoffset_y_mm, or neither for the bed's centre")
        }
        self.init(leveling: leveling, meshProbeCount: probeCount, meshBounds: meshBounds, screws: screws, screwThread: thread ?? .standard,
                  trammingToleranceMM: tolerance, zOffsetXMM: zOffsetX, zOffsetYMM: zOffsetY)
    }
}
