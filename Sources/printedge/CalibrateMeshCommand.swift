#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import PrintEdgeCalibration
import PrintEdgeControl

struct CalibrateMeshCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mesh",
        abstract: "Probe a bed mesh (or read the stored one) and show it as a heatmap in the mesh's own coordinates.",
        discussion: """
            Homes and probes with the leveling system the profile names (G29; UBL: G29 P1 then G29 T), turns leveling on (M420 S1), and shows the mesh as seen from above standing in front of the printer: the back row at the top, with the grid's X and Y in mm, the range, the lowest and highest points and the tilt in words. Temperature reports are paused while probing and restored afterwards.

            --out FILE writes the heatmap as PNG or SVG (by the file's extension) on a fixed colour scale of ±0.2 mm (--scale MM sets it, --scale auto stretches it over this mesh and says so), so the same colour means the same height on every bed and every day. Every mesh is kept; --compare shows what changed since the printer's previous mesh (--compare ID: since that one). --probe-count is the grid size the firmware was built with (GRID_MAX_POINTS): a mesh of another size is refused.

            \(CalibrationExit.help)
            """)

    @OptionGroup var options: CalibrationOptions
    @Option(name: .customLong("probe-count"), help: "Points per side of the grid (default: the profile's mesh_probe_count).") var probeCount: Int?
    @Flag(name: .customLong("from-stored"), help: "Show the mesh the firmware holds (M420 V) instead of probing.") var fromStored = false
    @Option(help: ArgumentHelp("Write the heatmap to FILE (.png or .svg).", valueName: "file")) var out: String?
    @Option(help: ArgumentHelp("The colour scale: ±MM (default 0.2) or auto.", valueName: "auto|mm")) var scale = "0.2"
    @Flag(help: "Show what changed since the previous mesh (or since the mesh ID given after it).") var compare = false
    @Argument(help: ArgumentHelp("With --compare: the calibration record of the mesh to compare with.", valueName: "id")) var compareID: Int64?

    func validate() throws {
        guard MeshColourScale.Choice(text: scale) != nil else { throw ValidationError("--scale must be auto or a height in mm above 0 and up to 10, not \(scale)") }
        if let out, !(out.lowercased().hasSuffix(".png") || out.lowercased().hasSuffix(".svg")) {
            throw ValidationError("--out \(out): the file must end in .png or .svg")
        }
        if compareID != nil, !compare { throw ValidationError("a mesh ID is given only after --compare") }
    }

    func run() throws {
        var request = CalibrationRequest(kind: .mesh)
        request.probeCount = probeCount
        request.fromStored = fromStored
        request.compare = compare && compareID == nil ? true : nil
        request.compareRecord = compareID
        let presenter = MeshPresenter(choice: MeshColourScale.Choice(text: scale) ?? .fixed(limitMM: MeshColourScale.defaultLimitMM))
        let event = try options.run(request, presenter: presenter)
        guard let out, let result = event.result, let outcome = presenter.decode(result, as: BedMeshSession.Outcome.self) else { return }
        let colours = MeshColourScale(choice: presenter.choice, mesh: outcome.mesh)
        let bytes: [UInt8] = out.lowercased().hasSuffix(".png")
            ? MeshPNGImage.render(outcome.mesh, scale: colours)
            : Array(MeshSVGImage.render(outcome.mesh, scale: colours, title: "Bed mesh of \(event.printer)" + (event.record.map { ", record #\($0)" } ?? "")).utf8)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: out))
        } catch {
            standardError("printedge: cannot write \(out): \(error.localizedDescription)")
            throw ExitCode(ExitStatus.ioError.rawValue)
        }
        if !options.json {
            writeStandardOutput("heatmap written to \(out): \(colours.isAutomatic ? "colours scaled to this mesh, ±" : "fixed colour scale ±")\(String(format: "%.2f", colours.limitMM)) mm\n")
        }
    }
}

struct MeshPresenter: CalibrationPresenter {
    let choice: MeshColourScale.Choice

    func progress(_ progress: JSONValue, kind: CalibrationKind) {}

    func finished(_ result: JSONValue, event: CalibrationEvent) {
        guard let outcome = decode(result, as: BedMeshSession.Outcome.self) else { return }
        let colour = isatty(1) == 1 && getenv("NO_COLOR") == nil
        let mesh = outcome.mesh
        writeStandardOutput("\(outcome.fromStored ? "stored" : "probed") mesh, \(mesh.columnCount)×\(mesh.rowCount) points:\n")
        for line in MeshTerminalHeatmap.render(mesh, scale: MeshColourScale(choice: choice, mesh: mesh), colour: colour) { writeStandardOutput(line + "\n") }
        if outcome.levelingEnabled == false { writeStandardOutput("! the firmware did not turn leveling on (M420 S1 refused the mesh)\n") }
        if let comparison = outcome.comparison {
            writeStandardOutput("\nchange since the previous mesh (after − before):\n")
            let difference = comparison.differenceMesh(placedLike: mesh)
            for line in MeshTerminalHeatmap.render(difference, scale: MeshColourScale(choice: .fixed(limitMM: 0.1), mesh: difference), colour: colour, summary: false) {
                writeStandardOutput(line + "\n")
            }
            if let largest = comparison.largestChange {
                writeStandardOutput("largest change \(String(format: "%+.3f", largest.zMM)) mm at column \(largest.column), row \(largest.row)"
                         + (comparison.meanChangeMM.map { String(format: "; mean change %+.3f mm", $0) } ?? "") + "\n")
            }
            if let before = comparison.rangeBeforeMM, let after = comparison.rangeAfterMM {
                writeStandardOutput("range \(String(format: "%.3f", before)) → \(String(format: "%.3f", after)) mm\n")
            }
        } else if let problem = outcome.comparisonProblem {
            writeStandardOutput("! no comparison: \(problem)\n")
        }
        footer(event, before: nil, after: nil)
    }
}
