import Foundation
import GRDB
@testable import PrintEdgeStore
import PrintEdgeTestSupport
import Testing

/// SQLite's online backup of a store that is being written, and a restore that checks the
/// file before it replaces anything and keeps what it replaced.
@Suite struct BackupRestoreTests {
    /// Job ids, states and every event, as the history a restore must bring back.
    private func history(_ path: String) throws -> [String] {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            try String.fetchAll(db, sql: "SELECT id || ' ' || state FROM job ORDER BY id")
                + String.fetchAll(db, sql: "SELECT job_id || ' ' || kind || ' ' || at_ms FROM job_event ORDER BY id")
        }
    }

    @Test func aBackupTakenWhileWritesGoOnIsConsistentAndSelfContained() async throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let job = try fixture.submitJob()
        let jobID = try #require(job.id)
        _ = try store.transition(jobID: jobID, to: .printing, atMS: 2_000)
        // A printer's telemetry and progress, written on another thread all along.
        let writing = Task.detached {
            var index: Int64 = 0
            while !Task.isCancelled {
                _ = try store.appendTelemetry(hotendSamples(count: 50, startMS: 10_000 + index * 50_000))
                try store.recordProgress(jobID: jobID, lastAckedSourceLine: Int(index), lastAckedByte: index, ackedCommands: Int(index),
                                         zMM: nil, layer: nil)
                index += 1
                await Task.yield()
            }
        }
        let target = fixture.scratch.file("backup.sqlite")
        var summaries: [StoreFileSummary] = []
        for round in 0..<3 {
            summaries.append(try store.backup(to: .file(target + "\(round)")))
        }
        writing.cancel()
        _ = await writing.result
        for (round, summary) in summaries.enumerated() {
            let path = target + "\(round)"
            #expect(summary.path == path)
            #expect(summary.isIntact)
            #expect(summary.jobs == 1)
            #expect(summary.schema == Migrations.migrator.migrations.last)
            #expect(summary.pendingMigrations.isEmpty && summary.unknownMigrations.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: path + "-wal"), "one file, no WAL beside it")
            let mode = try await DatabaseQueue(path: path).read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
            #expect(mode == "delete")
            #expect(try Store.inspect(path) == summary)
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.scratch.file("store")).filter { $0.contains("backup") }
        #expect(leftovers.isEmpty, "the copies made beside the database are gone: \(leftovers)")
    }

    @Test func aBackupStreamsIntoADescriptor() throws {
        let fixture = try StoreFixture()
        try fixture.submitJob()
        let path = fixture.scratch.file("streamed.sqlite")
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        try #require(descriptor >= 0)
        let summary = try fixture.store.backup(to: .descriptor(descriptor))
        close(descriptor)
        #expect(summary.path == fixture.databasePath, "a descriptor has no name: the summary names the database copied")
        #expect(try Store.inspect(path).jobs == 1)
        #expect(try history(path) == history(fixture.databasePath))
    }

    @Test func aRestoreReplacesTheDatabaseAndKeepsTheOldOneAside() throws {
        let source = try StoreFixture()
        try source.submitJob(name: "first.gcode")
        try source.submitJob(name: "second.gcode", atMS: 5_000)
        let backup = source.scratch.file("backup.sqlite")
        _ = try source.store.backup(to: .file(backup))

        let target = try StoreFixture()
        try target.submitJob(name: "other.gcode")
        let before = try history(target.databasePath)
        let stateDirectory = target.scratch.file("store")
        let outcome = try StoreRestore.restore(backup, stateDirectory: stateDirectory, stamp: "20250301T140512Z")
        #expect(outcome.databasePath == target.databasePath)
        #expect(outcome.replacedPath == target.databasePath + ".before-restore-20250301T140512Z")
        #expect(outcome.restored.jobs == 2)
        #expect(try history(target.databasePath) == history(backup))
        #expect(try history(try #require(outcome.replacedPath)) == before, "the replaced database, with its last transactions, is kept")
        let reopened = try Store(path: target.databasePath)
        #expect(try reopened.integrityCheck() == "ok")
        #expect(try reopened.jobs(printerID: nil, states: nil, limit: 10).map(\.name).sorted() == ["first.gcode", "second.gcode"])
    }

    @Test func aBackupFromAnOlderPrintedgeIsRestoredAndBroughtUpToDateAtTheNextStart() throws {
        let scratch = try TemporaryDirectory()
        let old = scratch.file("old.sqlite")
        let queue = try DatabaseQueue(path: old)
        let migrations = Migrations.migrator.migrations
        try Migrations.migrator.migrate(queue, upTo: migrations[migrations.count - 2])
        try queue.close()
        let summary = try Store.inspect(old)
        #expect(summary.pendingMigrations == [migrations.last!])
        let state = scratch.file("state")
        let outcome = try StoreRestore.restore(old, stateDirectory: state, stamp: "20250301T140512Z")
        #expect(outcome.replacedPath == nil, "nothing was there to replace")
        let store = try Store(directory: state)
        #expect(try store.integrityCheck() == "ok")
        #expect(try Store.inspect(store.path).pendingMigrations.isEmpty)
    }

    @Test func aNewerDamagedOrForeignFileIsRefusedAndNothingChanges() throws {
        let fixture = try StoreFixture()
        try fixture.submitJob()
        let stateDirectory = fixture.scratch.file("store")
        let before = try history(fixture.databasePath)

        let newer = fixture.scratch.file("newer.sqlite")
        _ = try fixture.store.backup(to: .file(newer))
        try DatabaseQueue(path: newer).write { try $0.execute(sql: "INSERT INTO grdb_migrations VALUES ('v9-from-the-future')") }
        #expect(throws: StoreRestore.Failure.newerSchema(path: newer, unknownMigrations: ["v9-from-the-future"])) {
            try StoreRestore.restore(newer, stateDirectory: stateDirectory, stamp: "x")
        }

        let text = fixture.scratch.file("notes.txt")
        try "not a database\n".write(toFile: text, atomically: true, encoding: .utf8)
        let foreign = fixture.scratch.file("foreign.sqlite")
        try DatabaseQueue(path: foreign).write { try $0.execute(sql: "CREATE TABLE t (x)") }
        let damaged = fixture.scratch.file("damaged.sqlite")
        _ = try fixture.store.backup(to: .file(damaged))
        try overwritePage(2, of: damaged)
        for path in [text, foreign, damaged] {
            #expect {
                try StoreRestore.restore(path, stateDirectory: stateDirectory, stamp: "x")
            } throws: { error in
                guard case .unusableFile(let named, let reason) = error as? StoreRestore.Failure else { return false }
                return named == path && !reason.isEmpty
            }
        }
        #expect(throws: StoreRestore.Failure.sameFile(path: fixture.databasePath)) {
            try StoreRestore.restore(fixture.databasePath, stateDirectory: stateDirectory, stamp: "x")
        }
        #expect(try history(fixture.databasePath) == before)
        let entries = try FileManager.default.contentsOfDirectory(atPath: stateDirectory)
        #expect(!entries.contains { $0.contains("before-restore") || $0.contains("restoring") }, "\(entries)")
    }

    @Test func aRestoreIsRefusedWhileTheStateDirectoryIsLocked() throws {
        let fixture = try StoreFixture()
        let backup = fixture.scratch.file("backup.sqlite")
        _ = try fixture.store.backup(to: .file(backup))
        let stateDirectory = fixture.scratch.file("store")
        let daemon = try StateDirectoryLock(stateDirectory: stateDirectory)
        #expect(throws: StoreRestore.Failure.daemonRunning(pid: getpid(), stateDirectory: stateDirectory)) {
            try StoreRestore.restore(backup, stateDirectory: stateDirectory, stamp: "x")
        }
        withExtendedLifetime(daemon) {}
    }

    /// Scribbles over one page of a database file, as a failing card might.
    private func overwritePage(_ page: Int, of path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seek(toOffset: UInt64(page - 1) * 4096)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 4096))
        try handle.close()
    }
}
