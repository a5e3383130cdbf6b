import Foundation
import PrintEdgeStore
import PrintEdgeTestSupport

/// A store in its own scratch directory with the given printers configured.
struct StoreFixture {
    let scratch: TemporaryDirectory
    let store: Store

    init(printers: [String] = ["mk4"], feedsFleet: Bool = true) throws {
        scratch = try TemporaryDirectory()
        store = try Store(directory: scratch.file("store"), feedsFleet: feedsFleet)
        for id in printers {
            try store.upsertPrinter(printer(id))
        }
    }

    var databasePath: String { scratch.file("store/\(Store.fileName)") }

    /// A job submitted to `printerID`, with one layer every 100 lines from line 10.
    @discardableResult
    func submitJob(printerID: String = "mk4", name: String = "cube.gcode", atMS: Int64 = 1_000) throws -> JobRecord {
        let layers = (0..<5).map { index in
            JobLayerRecord(
                layer: index, zMM: 0.2 + Double(index) * 0.2, sourceLine: 10 + index * 100,
                byteOffset: Int64(200 + index * 3_000), resumeJSON: #"{"e":\#(index)}"#)
        }
        return try store.submitJob(sampleJob(printerID: printerID, name: name, atMS: atMS), layers: layers)
    }
}

func printer(_ id: String) -> PrinterRecord {
    PrinterRecord(
        id: id, name: "Printer \(id)", port: "/dev/serial/by-id/usb-\(id)", profile: "prusa-mk4",
        state: "idle", updatedAtMS: 0)
}

func sampleJob(printerID: String = "mk4", name: String = "cube.gcode", atMS: Int64 = 1_000) -> JobRecord {
    JobRecord(
        printerID: printerID, name: name, spoolPath: "/var/lib/printedge/spool/\(name)",
        sha256: String(repeating: "0f", count: 32), sizeBytes: 15_000, commands: 480,
        sourceLines: 520, layerCount: 5, estimatedSeconds: 610.5, filamentMM: 1_234.5,
        boundingBoxJSON: #"{"min":[10,10,0.2],"max":[30,30,1]}"#, submittedAtMS: atMS)
}

/// `count` hotend samples one second apart from `startMS`, value = index.
func hotendSamples(printerID: String = "mk4", count: Int, startMS: Int64 = 0) -> [TelemetrySample] {
    (0..<count).map { index in
        TelemetrySample(
            printerID: printerID, atMS: startMS + Int64(index) * 1_000, channel: .hotend(0),
            value: Double(index), target: 215)
    }
}

/// The size of a file in bytes, -1 if its attributes carry none.
func fileSize(_ path: String) throws -> Int64 {
    let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber
    return size?.int64Value ?? -1
}
