import GRDB

/// What a database file holds, as a backup reports it and a restore checks it before it
/// replaces anything: SQLite's own consistency check, the migrations applied, and how much
/// history it carries.
public struct StoreFileSummary: Sendable, Equatable {
    public var path: String
    public var sizeBytes: Int64
    /// `PRAGMA integrity_check`: `ok`, or one line per problem.
    public var integrity: String
    /// The migrations applied, in this build's order; the last one names the schema.
    public var appliedMigrations: [String]
    /// Applied migrations this build does not know: the file comes from a newer printedge.
    public var unknownMigrations: [String]
    /// This build's migrations the file lacks: they run at the daemon's next start.
    public var pendingMigrations: [String]
    public var jobs: Int
    public var jobEvents: Int

    public var isIntact: Bool { integrity == "ok" }
    /// The schema's name: its last migration, or `none`.
    public var schema: String { appliedMigrations.last ?? "none" }

    /// Reads `db`, which must be a printedge store: its `grdb_migrations` and `job` tables.
    static func read(_ db: Database, path: String) throws -> StoreFileSummary {
        let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "\n")
        let migrator = Migrations.migrator
        let applied = try migrator.appliedIdentifiers(db)
        let known = migrator.migrations
        return StoreFileSummary(
            path: path, sizeBytes: try Store.databaseBytes(db), integrity: integrity,
            appliedMigrations: known.filter(applied.contains), unknownMigrations: applied.subtracting(known).sorted(),
            pendingMigrations: known.filter { !applied.contains($0) },
            jobs: try Int.fetchOne(db, sql: "SELECT count(*) FROM job") ?? 0,
            jobEvents: try Int.fetchOne(db, sql: "SELECT count(*) FROM job_event") ?? 0)
    }
}
