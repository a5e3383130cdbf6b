#if canImport(Glibc)
import Glibc
#endif
import PrintEdgeStore

/// A job's spooled copy of its G-code file (`<spool>/<sha256>.gcode`, JobIntake).
enum SpoolFile {
    /// Deletes the spooled file of `record`, a job that will not print again from it, unless
    /// another job still may (the same content is one file: `Store.spoolFileInUse`). Returns
    /// whether the file is gone now.
    @discardableResult
    static func release(_ record: JobRecord, store: Store) -> Bool {
        guard let id = record.id, (try? store.spoolFileInUse(record.spoolPath, besides: id)) == false else { return false }
        return unlink(record.spoolPath) == 0 || errno == ENOENT
    }

    /// Whether the spooled file is still there, whole: its size is the one submitted (a
    /// reprint needs it; `jobs show` says whether it was kept).
    static func isKept(_ record: JobRecord) -> Bool {
        var info = stat()
        return stat(record.spoolPath, &info) == 0 && Int64(info.st_size) == record.sizeBytes
    }
}
