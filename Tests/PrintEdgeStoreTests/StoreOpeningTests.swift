import Foundation
@testable import PrintEdgeStore
import PrintEdgeTestSupport
import Testing

@Suite("Opening the store")
struct StoreOpeningTests {
    @Test("an empty directory gets a migrated database in WAL mode with incremental vacuum and foreign keys")
    func migratesAnEmptyDatabase() throws {
        let fixture = try StoreFixture(printers: [])
        let store = fixture.store

        let tables = try store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        #expect(Set(tables).isSuperset(of: [
            "printer", "job", "job_layer", "job_event", "telemetry", "outbox", "calibration",
        ]))
        let pragmas = try store.pool.writeWithoutTransaction { db in
            (
                journal: try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                autoVacuum: try Int.fetchOne(db, sql: "PRAGMA auto_vacuum"),
                synchronous: try Int.fetchOne(db, sql: "PRAGMA synchronous"),
                foreignKeys: try Int.fetchOne(db, sql: "PRAGMA foreign_keys")
            )
        }
        #expect(pragmas.journal == "wal")
        #expect(pragmas.autoVacuum == 2, "2 is INCREMENTAL")
        #expect(pragmas.synchronous == 1, "1 is NORMAL")
        #expect(pragmas.foreignKeys == 1)
        #expect(try store.integrityCheck() == "ok")
    }

    @Test("the store directory is created with its parents, mode 0750")
    func createsTheDirectoryPrivate() throws {
        let scratch = try TemporaryDirectory()
        let directory = scratch.file("var/lib/printedge")

        _ = try Store(directory: directory)

        let attributes = try FileManager.default.attributesOfItem(atPath: directory)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o750)
        #expect(FileManager.default.fileExists(atPath: directory + "/" + Store.fileName))
    }

    @Test("reopening keeps the data and does not run the migration again")
    func reopenKeepsData() throws {
        let fixture = try StoreFixture()
        let submitted = try fixture.submitJob()

        let reopened = try Store(directory: fixture.scratch.file("store"))

        #expect(try reopened.job(id: submitted.id ?? -1) == submitted)
        let migrations = try reopened.pool.read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        }
        #expect(migrations == ["v1", "v2-fleet-link", "v3-outbox-refusals", "v4-recovery-heights", "v5-calibration-runs", "v6-printed-layer"])
    }

    @Test("a checkpoint folds the WAL into the database file and truncates it")
    func checkpointEmptiesTheWAL() throws {
        let fixture = try StoreFixture()
        try fixture.store.appendTelemetry(hotendSamples(count: 1_000))
        let walPath = fixture.databasePath + "-wal"
        #expect(try fileSize(walPath) > 0)

        try fixture.store.checkpoint()

        #expect(try fileSize(walPath) == 0)
        #expect(try fileSize(fixture.databasePath) == fixture.store.databaseBytes())
    }

    @Test("a database migrated by a newer printedge is refused, not modified")
    func refusesNewerSchema() throws {
        let fixture = try StoreFixture()
        try fixture.store.pool.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')")
        }

        let error = #expect(throws: StoreError.self) {
            _ = try Store(path: fixture.databasePath)
        }
        #expect(error == .newerSchema(path: fixture.databasePath))
        #expect(error.map(String.init(describing:))?.contains("upgrade printedged") == true)
    }

    @Test("a file that is not a database is reported as damaged, with what to do")
    func reportsDamagedFile() throws {
        let scratch = try TemporaryDirectory()
        let path = scratch.file("printedge.sqlite")
        try Data(repeating: 0x5A, count: 8_192).write(to: URL(fileURLWithPath: path))

        let error = #expect(throws: StoreError.self) {
            _ = try Store(path: path)
        }
        guard case .corrupt(let reportedPath, _) = error else {
            Issue.record("expected .corrupt, got \(String(describing: error))")
            return
        }
        #expect(reportedPath == path)
        #expect(error.map(String.init(describing:))?.contains("move the file") == true)
    }

    @Test("a file where the store directory should be is refused with the path")
    func refusesFileInPlaceOfDirectory() throws {
        let scratch = try TemporaryDirectory()
        let path = scratch.file("store")
        try Data("x".utf8).write(to: URL(fileURLWithPath: path))

        let error = #expect(throws: StoreError.self) {
            _ = try Store(directory: path)
        }
        #expect(error == .cannotCreateDirectory(path: path, reason: "a file is in the way"))
    }

    @Test("a missing directory for an explicit path is reported as cannot open")
    func reportsMissingDirectory() throws {
        let scratch = try TemporaryDirectory()
        let path = scratch.file("missing/printedge.sqlite")

        let error = #expect(throws: StoreError.self) {
            _ = try Store(path: path)
        }
        guard case .cannotOpen(let reportedPath, _) = error else {
            Issue.record("expected .cannotOpen, got \(String(describing: error))")
            return
        }
        #expect(reportedPath == path)
    }
}
