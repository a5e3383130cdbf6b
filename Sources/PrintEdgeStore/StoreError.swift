import GRDB
import PrintEdgeCore

/// Everything that can go wrong keeping jobs, events and telemetry on the local disk.
///
/// The SQLite result codes that mean something to someone standing next to the printer
/// (a full SD card, a failing one, a read-only remount, a damaged file) get a case of their
/// own, with a message that says what to do; the rest keep SQLite's code and text.
public enum StoreError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The store directory could not be created (a file in the way, no permission).
    case cannotCreateDirectory(path: String, reason: String)
    /// SQLITE_CANTOPEN: the directory is missing or the file cannot be created there.
    case cannotOpen(path: String, reason: String)
    /// SQLITE_READONLY: the filesystem was remounted read-only (SD cards do this after I/O
    /// errors) or the file belongs to another user.
    case readOnly(path: String)
    /// SQLITE_FULL: the disk is full, or the store's own size limit was reached.
    case diskFull(path: String)
    /// SQLITE_IOERR: the kernel reported a read or write error for the storage device.
    case ioError(path: String, reason: String)
    /// SQLITE_CORRUPT or SQLITE_NOTADB: the file is damaged or is not a database.
    case corrupt(path: String, reason: String)
    /// SQLITE_BUSY after the busy timeout: another process holds the write lock.
    case busy(path: String)
    /// The file was migrated by a newer printedge, whose schema this build does not know.
    case newerSchema(path: String)
    /// SQLITE_CONSTRAINT: a write broke a rule of the schema; a caller bug, never user input.
    case constraintViolated(path: String, reason: String)
    /// A job or an event named a printer the store does not know.
    case printerNotFound(id: String)
    /// No job has this id.
    case jobNotFound(id: Int64)
    /// The job's state table does not allow this step; nothing was written.
    case illegalTransition(job: Int64, from: JobState, to: JobState)
    /// The printer is already running another job (one printing or paused job per printer).
    case printerBusy(printerID: String, activeJob: Int64)
    /// Any other SQLite failure, with its primary result code.
    case sqlite(path: String, code: Int32, reason: String)
    /// A failure that is not SQLite's (a row that does not decode, JSON that does not encode).
    case unexpected(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotCreateDirectory(let path, let reason):
            return "cannot create the store directory \(path) (\(reason)) — create it by hand "
                + "(mode 0750, owned by printedged's user) or point the store elsewhere"
        case .cannotOpen(let path, let reason):
            return "cannot open the store \(path) (\(reason)) — check that its directory exists "
                + "and that printedged's user may write there"
        case .readOnly(let path):
            return "\(path) cannot be written — the filesystem may have been remounted read-only "
                + "after errors (check `mount` and `dmesg`) or the file belongs to another user; "
                + "printedged's user must own the store directory"
        case .diskFull(let path):
            return "\(path): the disk is full or the store reached its size limit — free space "
                + "on the device or lower the retention limits; meanwhile telemetry and the "
                + "printers' job events wait in memory, and no job starts or resumes"
        case .ioError(let path, let reason):
            return "\(path): the storage device reported an I/O error (\(reason)) — the SD card "
                + "may be failing or was removed; check `dmesg`, copy the store off and replace it"
        case .corrupt(let path, let reason):
            return "\(path) is damaged (\(reason)) — stop printedged, move the file and its "
                + "-wal and -shm files aside and restart with an empty store; "
                + "`sqlite3 FILE .recover` may salvage the job history"
        case .busy(let path):
            return "\(path) stayed locked by another process — a second printedged or an open "
                + "`sqlite3` shell holding a write transaction? close it"
        case .newerSchema(let path):
            return "\(path) was written by a newer printedge — upgrade printedged, or restore "
                + "the store from before the downgrade"
        case .constraintViolated(let path, let reason):
            return "\(path): the store refused a write that breaks its schema (\(reason)) — "
                + "this is a printedge bug; please report it with this message"
        case .printerNotFound(let id):
            return "no printer `\(id)` in the store — it must be configured (and the daemon "
                + "started once with it) before jobs or events can name it"
        case .jobNotFound(let id):
            return "no job \(id) in the store — list jobs to find the right id"
        case .illegalTransition(let job, let from, let to):
            let allowed = from.allowedNextStates.map(\.rawValue).sorted()
            let options = allowed.isEmpty ? "none, \(from) is final" : allowed.joined(separator: ", ")
            return "job \(job) cannot go from \(from) to \(to) (from \(from): \(options)); "
                + "nothing was changed"
        case .printerBusy(let printerID, let activeJob):
            return "printer `\(printerID)` is already running job \(activeJob) — cancel or "
                + "finish it first"
        case .sqlite(let path, let code, let reason):
            return "\(path): SQLite error \(code) (\(reason))"
        case .unexpected(let path, let reason):
            return "\(path): \(reason)"
        }
    }

    /// Classifies whatever a GRDB call threw; a `StoreError` thrown inside a transaction
    /// (an illegal transition, say) passes through unchanged.
    init(_ error: any Error, path: String) {
        if let storeError = error as? StoreError {
            self = storeError
            return
        }
        guard let databaseError = error as? DatabaseError else {
            self = .unexpected(path: path, reason: String(describing: error))
            return
        }
        let reason = databaseError.message ?? "no detail"
        switch databaseError.resultCode {
        case .SQLITE_FULL: self = .diskFull(path: path)
        case .SQLITE_IOERR: self = .ioError(path: path, reason: reason)
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: self = .corrupt(path: path, reason: reason)
        case .SQLITE_READONLY: self = .readOnly(path: path)
        case .SQLITE_CANTOPEN: self = .cannotOpen(path: path, reason: reason)
        case .SQLITE_BUSY, .SQLITE_LOCKED: self = .busy(path: path)
        case .SQLITE_CONSTRAINT: self = .constraintViolated(path: path, reason: reason)
        default:
            self = .sqlite(path: path, code: databaseError.resultCode.rawValue, reason: reason)
        }
    }
}
