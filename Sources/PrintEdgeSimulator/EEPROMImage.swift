/// The `--eeprom FILE` format: what M500 stored, as text a person can read and diff.
///
/// Marlin's EEPROM is a versioned binary blob with a CRC; the simulator keeps the same
/// contents as one setting per line, numbers in full precision (Swift's shortest exact
/// form), `#` comments and blank lines ignored:
///
/// ```
/// version 1
/// steps_per_mm 80.0 80.0 400.0 93.0
/// hotend_pid 22.2 1.08 114.0
/// bed_pid 10.0 0.023 305.4
/// probe_offset 10.0 10.0 0.0
/// leveling 1 10.0
/// mesh_z_offset 0.0
/// mesh 3 3 10.0 210.0 10.0 210.0
/// mesh_row 0 0.012 -0.02 nan
/// mesh_row 1 …
/// ```
///
/// `leveling` is M420's S and Z; `mesh` gives the points in X and Y and the native X and Y
/// of the first and last columns and rows, then one `mesh_row` per row from the front
/// (`nan`: a point not probed); `mesh none` when there is no mesh. Every key appears once.
public enum EEPROMImage {
    public static func encode(_ settings: CalibrationSettings) -> String {
        var lines = [
            "# printedge-sim EEPROM image: the settings M500 stored. Delete the file to boot with defaults.",
            "version 1",
            "steps_per_mm \(settings.stepsPerMM.x) \(settings.stepsPerMM.y) \(settings.stepsPerMM.z) \(settings.stepsPerMM.e)",
            "hotend_pid \(settings.hotendPID.p) \(settings.hotendPID.i) \(settings.hotendPID.d)",
            "bed_pid \(settings.bedPID.p) \(settings.bedPID.i) \(settings.bedPID.d)",
            "probe_offset \(settings.probeOffset.x) \(settings.probeOffset.y) \(settings.probeOffset.z)",
            "leveling \(settings.levelingActive ? 1 : 0) \(settings.fadeHeightMillimetres)",
            "mesh_z_offset \(settings.meshZOffsetMillimetres)",
        ]
        if let mesh = settings.mesh {
            lines.append("mesh \(mesh.pointsX) \(mesh.pointsY) \(mesh.minX) \(mesh.maxX) \(mesh.minY) \(mesh.maxY)")
            for row in 0..<mesh.pointsY {
                let values = (0..<mesh.pointsX).map { mesh[$0, row].map { "\($0)" } ?? "nan" }
                lines.append("mesh_row \(row) " + values.joined(separator: " "))
            }
        } else {
            lines.append("mesh none")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Why an image cannot be loaded: the line and what is wrong with it.
    public struct Failure: Error, CustomStringConvertible, Equatable {
        /// 1-based; 0 for the file as a whole.
        public var line: Int
        public var message: String

        public init(line: Int, message: String) {
            self.line = line
            self.message = message
        }

        public var description: String {
            line > 0 ? "line \(line): \(message)" : message
        }
    }

    public static func decode(_ text: String) throws(Failure) -> CalibrationSettings {
        var fields: [String: (line: Int, values: [Substring])] = [:]
        var rows: [Int: (line: Int, values: [Substring])] = [:]
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = offset + 1
            let content = rawLine.prefix { $0 != "#" }
            let words = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let key = words.first else { continue }
            let values = Array(words.dropFirst())
            if key == "mesh_row" {
                guard let index = values.first.flatMap({ Int($0) }) else {
                    throw Failure(line: line, message: "mesh_row needs its row number first")
                }
                guard rows[index] == nil else { throw Failure(line: line, message: "mesh_row \(index) appears twice") }
                rows[index] = (line, Array(values.dropFirst()))
                continue
            }
            guard fields[String(key)] == nil else { throw Failure(line: line, message: "\(key) appears twice") }
            fields[String(key)] = (line, values)
        }

        func numbers(_ key: String, count: Int) throws(Failure) -> [Double] {
            guard let field = fields[key] else { throw Failure(line: 0, message: "`\(key)` is missing") }
            let parsed = field.values.compactMap { Double($0) }.filter(\.isFinite)
            guard field.values.count == count, parsed.count == count else {
                throw Failure(line: field.line, message: "\(key) needs \(count) finite numbers")
            }
            return parsed
        }

        let version = try numbers("version", count: 1)
        guard version[0] == 1 else {
            throw Failure(line: fields["version"]?.line ?? 0, message: "version \(version[0]) is not 1")
        }
        let steps = try numbers("steps_per_mm", count: 4)
        guard steps.allSatisfy({ $0 > 0 }) else {
            throw Failure(line: fields["steps_per_mm"]?.line ?? 0, message: "steps per mm must be positive")
        }
        let hotend = try numbers("hotend_pid", count: 3)
        let bed = try numbers("bed_pid", count: 3)
        let probe = try numbers("probe_offset", count: 3)
        let leveling = try numbers("leveling", count: 2)
        guard leveling[0] == 0 || leveling[0] == 1, leveling[1] >= 0 else {
            throw Failure(line: fields["leveling"]?.line ?? 0, message: "leveling is 0 or 1, then a fade height of 0 or more")
        }
        let meshZOffset = try numbers("mesh_z_offset", count: 1)
        let mesh = try decodeMesh(fields["mesh"], rows: rows)
        return CalibrationSettings(
            stepsPerMM: AxisSteps(x: steps[0], y: steps[1], z: steps[2], e: steps[3]),
            hotendPID: PIDConstants(p: hotend[0], i: hotend[1], d: hotend[2]),
            bedPID: PIDConstants(p: bed[0], i: bed[1], d: bed[2]),
            probeOffset: ProbeOffset(x: probe[0], y: probe[1], z: probe[2]),
            levelingActive: leveling[0] == 1, fadeHeightMillimetres: leveling[1],
            mesh: mesh, meshZOffsetMillimetres: meshZOffset[0])
    }

    private static func decodeMesh(
        _ field: (line: Int, values: [Substring])?, rows: [Int: (line: Int, values: [Substring])]
    ) throws(Failure) -> BedMesh? {
        guard let field else { throw Failure(line: 0, message: "`mesh` is missing (write `mesh none` for no mesh)") }
        if field.values == ["none"] {
            if let extra = rows.values.first { throw Failure(line: extra.line, message: "mesh_row without a mesh") }
            return nil
        }
        guard field.values.count == 6, let pointsX = Int(field.values[0]), let pointsY = Int(field.values[1]),
              (2...15).contains(pointsX), (2...15).contains(pointsY)
        else {
            throw Failure(line: field.line, message: "mesh needs points in X and Y (2 to 15), then min X, max X, min Y, max Y")
        }
        let bounds = field.values[2...].compactMap { Double($0) }.filter(\.isFinite)
        guard bounds.count == 4, bounds[1] > bounds[0], bounds[3] > bounds[2] else {
            throw Failure(line: field.line, message: "mesh bounds must be finite with max above min")
        }
        var mesh = BedMesh(pointsX: pointsX, pointsY: pointsY, minX: bounds[0], maxX: bounds[1], minY: bounds[2], maxY: bounds[3])
        for (index, row) in rows {
            guard (0..<pointsY).contains(index) else {
                throw Failure(line: row.line, message: "mesh_row \(index) is outside rows 0 to \(pointsY - 1)")
            }
            guard row.values.count == pointsX else {
                throw Failure(line: row.line, message: "mesh_row \(index) needs \(pointsX) values")
            }
            for (column, word) in row.values.enumerated() {
                if word == "nan" { continue }
                guard let value = Double(word), value.isFinite else {
                    throw Failure(line: row.line, message: "`\(word)` is not a number (or nan)")
                }
                mesh[column, index] = value
            }
        }
        guard rows.count == pointsY else {
            throw Failure(line: field.line, message: "mesh needs \(pointsY) mesh_row lines, found \(rows.count)")
        }
        return mesh
    }
}
