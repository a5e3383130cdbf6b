#if canImport(Glibc)
import Glibc
#endif
import GRDB
import Synchronization

extension Store {
    /// Where a backup goes.
    public enum BackupDestination: Sendable {
        /// An open, writable descriptor (the CLI's file, passed over the control socket, or
        /// standard output), written from its current offset; the caller closes it.
        case descriptor(Int32)
        /// A new file at this path, created whole (written beside it, then renamed).
        case file(String)
    }

    /// A consistent copy of the live database, taken while the printers work: SQLite's online
    /// backup reads one snapshot (a read transaction on the WAL), so writers go on and the
    /// copy holds every transaction committed before it started and none after. The copy is
    /// first made beside the database (it needs as much free space there), switched to a
    /// plain rollback journal so it is one self-contained file, checked with `PRAGMA
    /// integrity_check`, and then moved or streamed to `destination`.
    public func backup(to destination: BackupDestination) throws(StoreError) -> StoreFileSummary {
        let directory = Self.parent(of: path)
        let copy = directory + "/.\(Self.fileName).backup-\(getpid())-\(Self.nextCopyNumber())"
        defer { Self.removeDatabaseFiles(copy) }
        var summary = try Self.copy(from: pool, to: copy, sourcePath: path)
        switch destination {
        case .file(let target):
            try Self.moveIntoPlace(copy, target)
            summary.path = target
        case .descriptor(let descriptor):
            try Self.stream(copy, into: descriptor, reportingAs: path)
        }
        return summary
    }

    /// The same copy of a database no daemon has open (`printedge backup` with the daemon
    /// stopped): opened as it is, without running migrations.
    public static func backup(databaseAt source: String, to destination: BackupDestination) throws(StoreError) -> StoreFileSummary {
        let reader: DatabaseQueue
        do {
            var configuration = Configuration()
            configuration.readonly = true
            reader = try DatabaseQueue(path: source, configuration: configuration)
        } catch {
            throw StoreError(error, path: source)
        }
        let copy = parent(of: targetPath(destination, fallback: source)) + "/.\(fileName).backup-\(getpid())-\(nextCopyNumber())"
        defer { removeDatabaseFiles(copy) }
        var summary = try Self.copy(from: reader, to: copy, sourcePath: source)
        switch destination {
        case .file(let target):
            try moveIntoPlace(copy, target)
            summary.path = target
        case .descriptor(let descriptor):
            try stream(copy, into: descriptor, reportingAs: source)
        }
        return summary
    }

    /// Reads a database file without changing it: what a restore checks first.
    public static func inspect(_ path: String) throws(StoreError) -> StoreFileSummary {
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            return try queue.read { db in
                guard try db.tableExists("grdb_migrations"), try db.tableExists("job") else {
                    throw StoreError.unexpected(path: path, reason: "it is an SQLite database, but not printedge's (no job or migration table)")
                }
                return try StoreFileSummary.read(db, path: path)
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    // MARK: - Steps

    /// SQLite's backup API from `source` into a new file at `copy`, made self-contained.
    static func copy(from source: some DatabaseReader, to copy: String, sourcePath: String) throws(StoreError) -> StoreFileSummary {
        do {
            let destination = try DatabaseQueue(path: copy)
            try source.backup(to: destination)
            // The source is in WAL mode and the copy would be too: a second file to carry.
            try destination.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = DELETE") }
            let summary = try destination.read { try StoreFileSummary.read($0, path: sourcePath) }
            try destination.close()
            guard summary.isIntact else {
                throw StoreError.corrupt(path: sourcePath, reason: "its backup fails the integrity check: \(summary.integrity)")
            }
            return summary
        } catch {
            throw StoreError(error, path: sourcePath)
        }
    }

    static func moveIntoPlace(_ copy: String, _ target: String) throws(StoreError) {
        guard rename(copy, target) == 0 else {
            throw .cannotOpen(path: target, reason: "cannot move the copy there: \(String(cString: strerror(errno)))")
        }
        syncDirectory(of: target)
    }

    /// Writes the file at `copy` to `descriptor` in 64 KiB pieces (never whole in memory),
    /// then `fsync`s it when it is a file.
    static func stream(_ copy: String, into descriptor: Int32, reportingAs source: String) throws(StoreError) {
        let input = open(copy, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw .ioError(path: copy, reason: String(cString: strerror(errno))) }
        defer { close(input) }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(input, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw .ioError(path: copy, reason: String(cString: strerror(errno))) }
            if count == 0 { break }
            var written = 0
            while written < count {
                let step = buffer.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, count - written) }
                if step < 0, errno == EINTR { continue }
                guard step > 0 else {
                    let code = errno
                    if code == ENOSPC { throw .diskFull(path: "the backup's destination") }
                    throw .ioError(path: "the backup's destination", reason: String(cString: strerror(code)))
                }
                written += step
            }
        }
        var info = stat()
        if fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG, fsync(descriptor) != 0 {
            throw .ioError(path: "the backup's destination", reason: String(cString: strerror(errno)))
        }
    }

    /// Makes a rename durable: the directory entry is on disk once this returns.
    static func syncDirectory(of path: String) {
        let directory = open(parent(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { return }
        fsync(directory)
        close(directory)
    }

    static func removeDatabaseFiles(_ path: String) {
        for suffix in ["", "-journal", "-wal", "-shm"] { unlink(path + suffix) }
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func targetPath(_ destination: BackupDestination, fallback: String) -> String {
        if case .file(let target) = destination { return target }
        return fallback
    }

    private static let copyNumbers = Mutex(0)

    private static func nextCopyNumber() -> Int {
        copyNumbers.withLock { number in
            number += 1
            return number
        }
    }
}
