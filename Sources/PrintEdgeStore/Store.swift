import FoundationEssentials
import GRDB

/// The daemon's local database: jobs, their events, telemetry and the fleet outbox, in one
/// SQLite file that is written before anything is reported elsewhere (offline first).
///
/// One `DatabasePool`: writes are serialised on one connection, reads run on others in
/// parallel and never wait for a write (WAL). Every method is synchronous and short; the
/// only hot path, telemetry, is batched by `TelemetryRecorder` off the printers' actors.
///
/// Durability: `synchronous = NORMAL` in WAL mode never corrupts the file; a power cut
/// loses at most the transactions committed since the last checkpoint (see docs/store.md).
public final class Store: Sendable {
    /// The database file.
    public let path: String
    let pool: DatabasePool
    /// SQLite's page limit before any size limit was set, to lift one again.
    private let unlimitedPageCount: Int
    /// Job steps enqueue their event (kind `event`) and the job's record (kind `job`, for the
    /// fleet's retained per-job topic) in the outbox. Off without a fleet link: nothing would
    /// deliver those rows, and undelivered rows are never deleted. The job's own events are
    /// recorded either way.
    public let feedsFleet: Bool

    /// The file's name inside the store directory.
    public static let fileName = "printedge.sqlite"

    /// Opens (or creates) `<directory>/printedge.sqlite`, creating the directory with mode
    /// 0750 if needed: the store holds file paths and fleet messages, not for other users.
    public convenience init(directory: String, feedsFleet: Bool = false) throws(StoreError) {
        try Store.createDirectory(directory)
        let separator = directory.hasSuffix("/") ? "" : "/"
        try self.init(path: directory + separator + Store.fileName, feedsFleet: feedsFleet)
    }

    /// Opens (or creates) the database at `path` and brings its schema up to date; the
    /// directory must exist.
    public init(path: String, feedsFleet: Bool = false) throws(StoreError) {
        self.path = path
        self.feedsFleet = feedsFleet
        var configuration = Configuration()
        configuration.label = "printedge-store"
        configuration.foreignKeysEnabled = true
        // Only another process (a `sqlite3` shell, a backup) can hold the write lock: the
        // pool serialises our own writers. Wait a little for it rather than fail at once.
        configuration.busyMode = .timeout(5)
        // The daemon reads little at a time (status, a job list): two readers beside the
        // writer, and 1 MiB of page cache each instead of SQLite's 2 MiB, keep its
        // resident size down on a small board (see bench/README.md, "Daemon").
        configuration.maximumReaderCount = 2
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA cache_size = -1024")
            guard !db.configuration.readonly else { return }
            // Takes effect only on a new file, before its first table; lets retention hand
            // freed pages back to the filesystem with `PRAGMA incremental_vacuum`.
            try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
            // WAL + NORMAL: commits do not fsync, checkpoints do. See docs/store.md.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Truncate the WAL file back to 4 MiB after a checkpoint so a burst of writes
            // does not keep its space on a small SD card.
            try db.execute(sql: "PRAGMA journal_size_limit = 4194304")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            let migrator = Migrations.migrator
            if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
                throw StoreError.newerSchema(path: path)
            }
            try migrator.migrate(pool)
            unlimitedPageCount = try pool.writeWithoutTransaction { db in
                try Int.fetchOne(db, sql: "PRAGMA max_page_count") ?? Int(Int32.max)
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// SQLite's own consistency check: `"ok"`, or one line per problem found.
    public func integrityCheck() throws(StoreError) -> String {
        try read { db in
            try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "\n")
        }
    }

    /// Caps the database file at about `maxBytes` (SQLite's `max_page_count`), or lifts the
    /// cap with `nil`. Past it, writes fail with `.diskFull` while the device still has room
    /// for the system and its logs. Lasts while this `Store` is open.
    public func setSizeLimit(maxBytes: Int64?) throws(StoreError) {
        let unlimited = unlimitedPageCount
        try writeWithoutTransaction { db in
            var pages = unlimited
            if let maxBytes {
                let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
                pages = Int(max(1, maxBytes / pageSize))
            }
            _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages)")
        }
    }

    /// Makes every committed transaction durable: the WAL is fsynced, copied into the
    /// database file and truncated. With `synchronous = NORMAL` a power cut may undo the
    /// last commits; whoever tells the outside world about a commit (the fleet link
    /// publishing outbox messages) calls this first, once per batch, so a sequence number
    /// the fleet has seen is never handed out again.
    public func checkpoint() throws(StoreError) {
        try writeWithoutTransaction { db in
            let busy = try Int.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") ?? 0
            guard busy == 0 else { throw StoreError.busy(path: path) }
        }
    }

    /// The size of the database file as SQLite counts it (`page_count × page_size`); the WAL
    /// file comes on top until the next checkpoint.
    public func databaseBytes() throws(StoreError) -> Int64 {
        try read { db in try Store.databaseBytes(db) }
    }

    static func databaseBytes(_ db: Database) throws -> Int64 {
        let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
        let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 0
        return pages * pageSize
    }

    // MARK: - Access with the store's errors

    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.read(body)
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// One transaction: everything `body` writes commits together or not at all, including
    /// when it throws a `StoreError` itself.
    func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.write(body)
        } catch {
            throw StoreError(error, path: path)
        }
    }

    func writeWithoutTransaction<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.writeWithoutTransaction(body)
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// Creates the store's directory (mode 0750) with its missing parents, unless it exists.
    public static func createDirectory(_ directory: String) throws(StoreError) {
        var isDirectory: Bool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory else {
                throw .cannotCreateDirectory(path: directory, reason: "a file is in the way")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o750])
        } catch {
            throw .cannotCreateDirectory(path: directory, reason: String(describing: error))
        }
    }
}
