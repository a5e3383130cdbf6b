import GRDB
import PrintEdgeCore

extension Store {
    /// Whether a job other than `jobID` may still print from the spooled file at `path`: one
    /// queued, printing, paused or interrupted. Spooled files are named after their SHA-256,
    /// so two submissions of the same content share one file, which goes only with the last.
    public func spoolFileInUse(_ path: String, besides jobID: Int64) throws(StoreError) -> Bool {
        try read { db in
            try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM job WHERE spool_path = ? AND id <> ?
                    AND state IN ('queued', 'printing', 'paused', 'interrupted'))
                """, arguments: [path, jobID]) ?? false
        }
    }

    /// A new queued job printing the same spooled file as `jobID`: its analysis and layer
    /// index are copied (the file is the same, so they still hold), and its `submitted` event
    /// names the job it repeats. The caller checks that the file is still there.
    public func reprintJob(_ jobID: Int64, atMS: Int64) throws(StoreError) -> JobRecord {
        guard let original = try job(id: jobID) else { throw StoreError.jobNotFound(id: jobID) }
        let copy = JobRecord(
            printerID: original.printerID, name: original.name, spoolPath: original.spoolPath,
            sha256: original.sha256, sizeBytes: original.sizeBytes, commands: original.commands,
            sourceLines: original.sourceLines, layerCount: original.layerCount,
            estimatedSeconds: original.estimatedSeconds, filamentMM: original.filamentMM,
            boundingBoxJSON: original.boundingBoxJSON, analysisJSON: original.analysisJSON,
            forced: original.forced, submittedAtMS: atMS)
        return try submitJob(copy, layers: try layers(jobID: jobID), detail: "a reprint of job \(jobID)")
    }
}
