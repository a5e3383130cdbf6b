/// Bed leveling: G29 in the three systems, M420, and their mesh reports
/// (gcode/bedlevel/abl/G29.cpp, feature/bedlevel/ubl/ubl_G29.cpp and ubl.cpp,
/// gcode/bedlevel/mbl/G29.cpp, gcode/bedlevel/M420.cpp, feature/bedlevel/bedlevel.cpp,
/// Marlin 2.1).
///
/// - **Bilinear**: `G29` homes-checked, probes the grid over the probe's reach
///   (PROBING_MARGIN 10 mm in), prints `Bilinear Leveling Grid:` with row 0 — the front —
///   first, turns leveling on and reports the position; `G29 D` only prints; `G29 W I J Z`
///   sets a point (what M503 S0 replays).
/// - **UBL**: `G29 P1` invalidates and probes every point the probe reaches ("Probing mesh
///   point k/n." each), `G29 P3` fills the rest from the nearest probed point (a plain
///   stand-in for the smart fill), `G29 A`/`D` turn leveling on/off, `G29 T[0|1|4]` and
///   `M420 V` print the topography map with the back row first and the point nearest the
///   probe in brackets. A mesh with unprobed points is invalid: M420 S1 refuses it.
/// - **MBL** (no probe): `G29 S0` reports, `S1` starts the manual walk, each `S2` stores the
///   nozzle's Z at the point and moves to the next (rows zig-zag), `S3 I J Z` sets a point,
///   `S4 Z` the offset, `S5` resets.
///
/// The mesh spans MESH_INSET (10 mm here for UBL and MBL alike) to the far edges less the
/// same.
extension VirtualMarlin {
    mutating func bedLeveling(_ command: GCodeCommand) {
        switch configuration.leveling {
        case .bilinear: bilinearLeveling(command)
        case .ubl: unifiedBedLeveling(command)
        case .mbl: meshBedLeveling(command)
        }
    }

    /// A mesh with no values over MESH_INSET.
    private var insetMesh: BedMesh {
        let inset = VirtualMarlin.probingMarginMillimetres
        let points = configuration.probeGridPoints
        return BedMesh(
            pointsX: points, pointsY: points, minX: inset, maxX: configuration.bedWidthMillimetres - inset,
            minY: inset, maxY: configuration.bedDepthMillimetres - inset)
    }

    // MARK: - Bilinear

    private mutating func bilinearLeveling(_ command: GCodeCommand) {
        if command.seen("W") { return setBilinearPoint(command) }
        guard !refusesUnhomed() else { return finishCommand(loggedAs: command) }
        holdOutput()
        setLeveling(false)
        let bounds = probeBounds
        let points = configuration.probeGridPoints
        var mesh = BedMesh(pointsX: points, pointsY: points, minX: bounds.minX, maxX: bounds.maxX, minY: bounds.minY, maxY: bounds.maxY)
        for y in 0..<points {
            // Serpentine, as Marlin's ABL walks the grid.
            for step in 0..<points {
                let x = y % 2 == 0 ? step : points - 1 - step
                mesh[x, y] = probeTouch(atX: mesh.x(ofColumn: x), y: mesh.y(ofRow: y))
            }
        }
        printLine("Bilinear Leveling Grid:")
        print2DArray(mesh, precision: 3)
        if !command.seen("D") {
            settings.mesh = mesh
            setLeveling(true)
        }
        printPosition()
        finishProbing(touches: points * points)
    }

    /// G29 W I<x> J<y> Z<z>.
    private mutating func setBilinearPoint(_ command: GCodeCommand) {
        defer { finishCommand(loggedAs: command) }
        guard var mesh = settings.mesh else { return printLine("Error:No bilinear grid") }
        let z = command.value("Z") ?? position.z
        guard abs(z) <= 10 else { return printLine("Error:Bad Z value") }
        let i = command.value("I").map(VirtualMarlin.clampedInt64) ?? -1
        let j = command.value("J").map(VirtualMarlin.clampedInt64) ?? -1
        guard (0..<Int64(mesh.pointsX)).contains(i), (0..<Int64(mesh.pointsY)).contains(j) else {
            return printLine("Error:Bad I or J")
        }
        mesh[Int(i), Int(j)] = z
        settings.mesh = mesh
    }

    /// `print_2d_array()`: column numbers, then row 0 (the front) first, each value with a
    /// sign and `precision` decimals, `=` for a point not probed, then a blank line.
    mutating func print2DArray(_ mesh: BedMesh, precision: Int) {
        beginLine()
        for x in 0..<mesh.pointsX {
            for _ in 0..<(precision + (x < 10 ? 3 : 2)) { append(" ") }
            append(x)
        }
        endLine()
        for y in 0..<mesh.pointsY {
            beginLine()
            if y < 10 { append(" ") }
            append(y)
            for x in 0..<mesh.pointsX {
                append(" ")
                if let value = mesh[x, y] {
                    if value >= 0 { append("+") }
                    appendFloat(value, decimals: precision)
                } else {
                    append(" ")
                    for _ in 0..<(precision + 2) { append("=") }
                }
            }
            endLine()
        }
        printLine("")
    }

    // MARK: - UBL

    private mutating func unifiedBedLeveling(_ command: GCodeCommand) {
        var touches = 0
        holdOutput()
        if let phase = command.value("P").map(VirtualMarlin.clampedInt64) {
            switch phase {
            case 1:
                if meshStorageSlot == -1 {
                    meshStorageSlot = 0
                    printLine("Default storage slot 0 selected.")
                }
                guard !refusesUnhomed() else { break }
                touches = probeUBLMesh()
            case 3:
                fillUBLMesh()
            default:
                break
            }
        }
        if command.seen("A") {
            setLeveling(settings.mesh?.isComplete == true)
            printUBLState()
        }
        if command.seen("D") {
            setLeveling(false)
            printUBLState()
        }
        if command.seen("T") { printTopography(mapType: command.value("T").map(VirtualMarlin.clampedInt64) ?? 0) }
        finishProbing(touches: touches)
    }

    /// G29 P1: every point the probe reaches, one message per attempt; the last attempt
    /// finds nothing left when some points are out of reach.
    private mutating func probeUBLMesh() -> Int {
        printLine("Mesh invalidated. Probing mesh.")
        let wasLeveling = settings.levelingActive
        setLeveling(false)
        var mesh = insetMesh
        let total = mesh.pointsX * mesh.pointsY
        var touches = 0
        var attempt = 0
        for y in 0..<mesh.pointsY {
            for x in 0..<mesh.pointsX where probeCanReach(x: mesh.x(ofColumn: x), y: mesh.y(ofRow: y)) {
                attempt += 1
                printProbingMeshPoint(attempt, of: total)
                mesh[x, y] = probeTouch(atX: mesh.x(ofColumn: x), y: mesh.y(ofRow: y))
                touches += 1
            }
        }
        if attempt < total { printProbingMeshPoint(attempt + 1, of: total) }
        settings.mesh = mesh
        setLeveling(wasLeveling && mesh.isComplete)
        return touches
    }

    private mutating func printProbingMeshPoint(_ number: Int, of total: Int) {
        let text = "Probing mesh point \(number)/\(total)."
        if configuration.marlinVersion == .bugfix {
            printLine(string: text)
        } else {
            printLine("")
            printLine(string: text)
            printLine("")
        }
    }

    /// G29 P3: each point without a value takes the nearest probed one's.
    private mutating func fillUBLMesh() {
        guard var mesh = settings.mesh else { return }
        let probed = (0..<mesh.pointsX).flatMap { x in (0..<mesh.pointsY).compactMap { y in mesh[x, y].map { (x, y, $0) } } }
        guard !probed.isEmpty else { return }
        for x in 0..<mesh.pointsX {
            for y in 0..<mesh.pointsY where mesh[x, y] == nil {
                let nearest = probed.min { ($0.0 - x) * ($0.0 - x) + ($0.1 - y) * ($0.1 - y) < ($1.0 - x) * ($1.0 - x) + ($1.1 - y) * ($1.1 - y) }
                mesh[x, y] = nearest?.2
            }
        }
        settings.mesh = mesh
    }

    /// `Unified Bed Leveling System v1.01 active.` / `inactive.` (`report_state()`).
    mutating func printUBLState() {
        printLine(string: "Unified Bed Leveling System v1.01 " + (settings.levelingActive ? "active." : "inactive."))
    }

    /// `display_map()`: 0 human (back row first, the point nearest the probe bracketed,
    /// `.` unprobed, 2 decimals in 2.1.x and 3 in bugfix), 1 CSV (tab-separated, `NAN`),
    /// 4 compact (no spacer rows).
    mutating func printTopography(mapType: Int64) {
        let mesh = settings.mesh ?? insetMesh
        let human = mapType & 0x3 == 0
        let compact = mapType & 0x4 != 0
        let decimals = configuration.marlinVersion == .bugfix ? 3 : 2
        let columnWidth = 8
        let between = columnWidth * mesh.pointsX - 18
        printLine("")
        if human {
            printLine("Bed Topography Report:")
            printLine("")
            beginLine()
            appendCorner(leading: 4, x: mesh.minX, y: mesh.maxY)
            appendCorner(leading: between, x: mesh.maxX, y: mesh.maxY)
            endLine()
            beginLine()
            appendColumnLabels(mesh.pointsX)
        } else {
            printLine(mapType == 1 ? "Bed Topography Report for CSV:" : "Bed Topography Report for LCD:")
            beginLine()
        }
        endLine()
        let current = mesh.nearestPoint(
            toX: position.x - coordinates.shift.x + settings.probeOffset.x, y: position.y - coordinates.shift.y + settings.probeOffset.y)
        for j in stride(from: mesh.pointsY - 1, through: 0, by: -1) {
            beginLine()
            if human {
                if j < 10 { append(" ") }
                append(j)
                append(" |")
            }
            for i in 0..<mesh.pointsX {
                let isCurrent = i == current.x && j == current.y
                if human { append(isCurrent ? "[" : " ") }
                if let value = mesh[i, j] {
                    if human && value >= 0 { append(value > 0 ? "+" : " ") }
                    appendFloat(value, decimals: decimals)
                } else {
                    append(human ? "  .   " : "NAN")
                }
                if mapType == 1 && i < mesh.pointsX - 1 { append("\t") }
                if human { append(isCurrent ? "]" : " ") }
            }
            endLine()
            if j > 0 && human && !compact { printLine("   |") }
        }
        guard human else { return }
        beginLine()
        appendColumnLabels(mesh.pointsX)
        endLine()
        beginLine()
        appendCorner(leading: 4, x: mesh.minX, y: mesh.minY)
        appendCorner(leading: between, x: mesh.maxX, y: mesh.minY)
        endLine()
        printLine("")
    }

    /// `serial_echo_xy()`: spaces, then `(  x,  y)` each padded to three characters.
    private mutating func appendCorner(leading: Int, x: Double, y: Double) {
        for _ in 0..<max(0, leading) { append(" ") }
        append("(")
        appendPadded(Int(x))
        append(",")
        appendPadded(Int(y))
        append(")")
    }

    private mutating func appendPadded(_ value: Int) {
        if value < 100 { append(" ") }
        if value < 10 { append(" ") }
        append(value)
    }

    /// `serial_echo_column_labels()`.
    private mutating func appendColumnLabels(_ count: Int) {
        for _ in 0..<7 { append(" ") }
        for i in 0..<count {
            if i < 10 { append(" ") }
            append(i)
            for _ in 0..<6 { append(" ") }
        }
    }

    // MARK: - MBL

    private mutating func meshBedLeveling(_ command: GCodeCommand) {
        defer { finishCommand(loggedAs: command) }
        let state = command.value("S").map(VirtualMarlin.clampedInt64) ?? 0
        let points = configuration.probeGridPoints
        switch state {
        case 0:
            guard let mesh = settings.mesh, mesh.isComplete else { return printLine("Mesh Bed Leveling has no data.") }
            printLine(string: "Mesh Bed Leveling " + (settings.levelingActive ? "ON" : "OFF"))
            printMeshReport(mesh)
        case 1:
            settings.mesh = nil
            setLeveling(false)
            manualProbeIndex = 0
            nextManualProbePoint()
        case 2:
            guard let index = manualProbeIndex else { return printLine("Start mesh probing with \"G29 S1\" first.") }
            if index > 0 {
                var mesh = settings.mesh ?? insetMesh
                let point = VirtualMarlin.zigzag(index - 1, points: points)
                mesh[point.x, point.y] = position.z
                settings.mesh = mesh
            }
            nextManualProbePoint()
        case 3:
            guard let i = command.value("I").map(VirtualMarlin.clampedInt64) else { return printLine("I not entered.") }
            guard (0..<Int64(points)).contains(i) else { return printLine(string: "I out of range (0-\(points - 1))") }
            guard let j = command.value("J").map(VirtualMarlin.clampedInt64) else { return printLine("J not entered.") }
            guard (0..<Int64(points)).contains(j) else { return printLine(string: "J out of range (0-\(points - 1))") }
            guard let z = command.value("Z") else { return printLine("Z not entered.") }
            var mesh = settings.mesh ?? insetMesh
            mesh[Int(i), Int(j)] = z
            settings.mesh = mesh
        case 4:
            guard let z = command.value("Z") else { return printLine("Z not entered.") }
            settings.meshZOffsetMillimetres = z
        case 5:
            setLeveling(false)
            settings.mesh = nil
            manualProbeIndex = nil
        default:
            printLine("S out of range (0-5).")
        }
    }

    /// Moves the nozzle over the next point of the manual walk, or ends it: `Mesh probing
    /// done.`, home, leveling on.
    private mutating func nextManualProbePoint() {
        guard let index = manualProbeIndex else { return }
        let points = configuration.probeGridPoints
        guard index < points * points else {
            manualProbeIndex = nil
            printLine("Mesh probing done.")
            finishHoming(HomingAxes(x: true, y: true, z: true))
            setLeveling(settings.mesh?.isComplete == true)
            return
        }
        let mesh = insetMesh
        let point = VirtualMarlin.zigzag(index, points: points)
        printLine(string: "MBL G29 point \(index + 1) of \(points * points)")
        var target = position
        target.x = mesh.x(ofColumn: point.x) + coordinates.shift.x
        target.y = mesh.y(ofRow: point.y) + coordinates.shift.y
        nozzle = physical(ofLogical: target)
        plannedNozzle = nozzle
        position = target
        manualProbeIndex = index + 1
    }

    /// MBL's point order: rows from the front, every other one right to left.
    static func zigzag(_ index: Int, points: Int) -> (x: Int, y: Int) {
        let y = index / points
        let x = index % points
        return (y % 2 == 1 ? points - 1 - x : x, y)
    }

    /// `report_mesh()`: `3x3 mesh. Z offset: 0.00000`, `Measured points:`, the grid at 5
    /// decimals.
    private mutating func printMeshReport(_ mesh: BedMesh) {
        beginLine()
        append(mesh.pointsX)
        append("x")
        append(mesh.pointsY)
        append(" mesh. Z offset: ")
        appendFloat(settings.meshZOffsetMillimetres, decimals: 5)
        endLine()
        printLine("Measured points:")
        print2DArray(mesh, precision: 5)
    }

    // MARK: - M420

    /// M420 [S] [Z] [V] [T] [L]: leveling on or off (refused for a missing or incomplete
    /// mesh with `echo:Invalid mesh.` and `Error:Failed to enable Bed Leveling`), the fade
    /// height, the mesh printed; then the state, and the position if it moved.
    mutating func levelingState(_ command: GCodeCommand) {
        let seenS = command.seen("S")
        let enable = seenS ? (command.value("S").map { $0 != 0 } ?? true) : settings.levelingActive
        let verbose = command.seen("V")
        let before = position
        if seenS && !enable { setLeveling(false) }
        if configuration.leveling == .ubl {
            if command.seen("L") {
                setLeveling(false)
                settings.mesh = eeprom?.mesh
                meshStorageSlot = 0
            }
            if command.seen("L") || verbose {
                printTopography(mapType: command.value("T").map(VirtualMarlin.clampedInt64) ?? 0)
                printLine(string: "Mesh is " + (settings.mesh?.isComplete == true ? "" : "in") + "valid")
                printLine(string: "Storage slot: \(meshStorageSlot)")
            }
        }
        let valid = configuration.leveling == .bilinear ? settings.mesh != nil : settings.mesh?.isComplete == true
        if valid || !(enable || verbose) {
            if verbose, let mesh = settings.mesh {
                switch configuration.leveling {
                case .bilinear:
                    printLine("Bilinear Leveling Grid:")
                    print2DArray(mesh, precision: 3)
                case .mbl:
                    printLine("Mesh Bed Level data:")
                    printMeshReport(mesh)
                case .ubl:
                    break
                }
            }
            if let fade = command.value("Z") { settings.fadeHeightMillimetres = max(0, fade) }
            setLeveling(valid && enable)
        } else {
            printLine("echo:Invalid mesh.")
        }
        if enable && !settings.levelingActive { printLine("Error:Failed to enable Bed Leveling") }
        printLine(string: "echo:Bed Leveling " + (settings.levelingActive ? "ON" : "OFF"))
        beginLine()
        append("echo:Fade Height ")
        if settings.fadeHeightMillimetres > 0 {
            appendFloat(settings.fadeHeightMillimetres, decimals: 2)
        } else {
            append("OFF")
        }
        endLine()
        if before != position { printPosition() }
        finishCommand(loggedAs: command)
    }
}
