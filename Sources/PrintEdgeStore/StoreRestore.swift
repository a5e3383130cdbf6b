#if canImport(Glibc)
import Glibc
#endif
import GRDB

/// Puts a backup in place of a state directory's database, with no daemon running on it.
///
/// The file is checked before anything is touched: it must be a printedge database that
/// passes `PRAGMA integrity_check` and was written by this printedge or an older one (a
/// newer one's schema holds migrations this build cannot undo or read). Then, holding the
/// state directory's lock so no daemon starts meanwhile, the file is copied beside the
/// database with SQLite's backup API, the current database (with its `-wal`, which may
/// hold its last transactions) is renamed to `printedge.sqlite.before-restore-<UTC time>`,
/// and the copy renamed into place. Run as root, the restored file gets the owner and mode
/// of the one it replaces (else of the state directory), so the daemon's user can open it.
public enum StoreRestore {
    public struct Outcome: Sendable, Equatable {
        /// What was restored, as it was checked.
        public var restored: StoreFileSummary
        /// The live database, now the backup's.
        public var databasePath: String
        /// The database it replaced, kept aside; `nil` when there was none.
        public var replacedPath: String?
    }

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// A daemon (its pid, when written) holds the state directory.
        case daemonRunning(pid: Int32?, stateDirectory: String)
        /// The file cannot be read, is not a printedge database, or fails its check.
        case unusableFile(path: String, reason: String)
        /// The file comes from a newer printedge.
        case newerSchema(path: String, unknownMigrations: [String])
        /// The file named is the live database itself.
        case sameFile(path: String)
        /// The state directory cannot be locked or written.
        case stateDirectory(path: String, reason: String)

        public var description: String {
            switch self {
            case .daemonRunning(let pid, let directory):
                "printedged (pid \(pid.map(String.init) ?? "unknown")) is running on \(directory): stop it first (`sudo systemctl stop printedged`), restore, then start it"
            case .unusableFile(let path, let reason):
                "\(path) cannot be restored: \(reason); nothing was changed"
            case .newerSchema(let path, let unknown):
                "\(path) comes from a newer printedge (migrations \(unknown.joined(separator: ", ")) are unknown to this one): "
                    + "upgrade printedge first, or restore a backup taken before the upgrade; nothing was changed"
            case .sameFile(let path):
                "\(path) is the live database itself; name a backup file"
            case .stateDirectory(let path, let reason):
                "the state directory \(path) cannot be used: \(reason); nothing was changed"
            }
        }
    }

    /// Restores `file` into `stateDirectory`; `stamp` names the replaced database
    /// (`20250301T140512Z`, from the caller's clock).
    public static func restore(_ file: String, stateDirectory: String, stamp: String) throws(Failure) -> Outcome {
        let summary: StoreFileSummary
        do {
            summary = try Store.inspect(file)
        } catch {
            throw .unusableFile(path: file, reason: error.description)
        }
        guard summary.isIntact else {
            throw .unusableFile(path: file, reason: "it fails SQLite's integrity check: \(summary.integrity.split(separator: "\n").prefix(3).joined(separator: "; "))")
        }
        guard summary.unknownMigrations.isEmpty else { throw .newerSchema(path: file, unknownMigrations: summary.unknownMigrations) }
        do {
            try Store.createDirectory(stateDirectory)
        } catch {
            throw .stateDirectory(path: stateDirectory, reason: error.description)
        }
        let lock: StateDirectoryLock
        do {
            lock = try StateDirectoryLock(stateDirectory: stateDirectory)
        } catch {
            switch error {
            case .held(let pid): throw .daemonRunning(pid: pid, stateDirectory: stateDirectory)
            case .cannotOpen(_, let reason), .cannotLock(_, let reason): throw .stateDirectory(path: stateDirectory, reason: reason)
            }
        }
        defer { withExtendedLifetime(lock) {} }
        let database = stateDirectory + "/" + Store.fileName
        if let live = canonical(database), canonical(file) == live { throw .sameFile(path: file) }

        let incoming = database + ".restoring"
        Store.removeDatabaseFiles(incoming)
        do {
            var configuration = Configuration()
            configuration.readonly = true
            _ = try Store.copy(from: try DatabaseQueue(path: file, configuration: configuration), to: incoming, sourcePath: file)
        } catch {
            Store.removeDatabaseFiles(incoming)
            throw .stateDirectory(path: stateDirectory, reason: "the copy of \(file) could not be written (\(error))")
        }
        let owner = ownership(of: database) ?? ownership(of: stateDirectory).map { ($0.uid, $0.gid, mode_t(0o640)) }
        var replaced: String?
        if access(database, F_OK) == 0 {
            let aside = database + ".before-restore-" + stamp
            // The -wal may hold the last committed transactions: it goes along, under the
            // name SQLite looks for beside the renamed file.
            guard rename(database, aside) == 0 else {
                let reason = String(cString: strerror(errno))
                Store.removeDatabaseFiles(incoming)
                throw .stateDirectory(path: stateDirectory, reason: "the current database cannot be moved aside (\(reason))")
            }
            _ = rename(database + "-wal", aside + "-wal")
            unlink(database + "-shm")
            replaced = aside
        }
        unlink(database + "-wal")
        unlink(database + "-shm")
        if let owner, geteuid() == 0 {
            _ = chown(incoming, owner.uid, owner.gid)
            _ = chmod(incoming, owner.mode & 0o777)
        }
        guard rename(incoming, database) == 0 else {
            let reason = String(cString: strerror(errno))
            throw .stateDirectory(path: stateDirectory, reason: "the restored copy \(incoming) cannot be renamed into place (\(reason)); "
                                  + "the replaced database is \(replaced ?? "absent")")
        }
        Store.syncDirectory(of: database)
        return Outcome(restored: summary, databasePath: database, replacedPath: replaced)
    }

    private static func canonical(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func ownership(of path: String) -> (uid: uid_t, gid: gid_t, mode: mode_t)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (info.st_uid, info.st_gid, info.st_mode)
    }
}
