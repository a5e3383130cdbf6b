#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import PrintEdgeStore

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put a backup in place of the daemon's database, with the daemon stopped.",
        discussion: """
            Refuses while printedged runs on the state directory (it holds its lock; the restore \
            holds it too, so none starts meanwhile), and refuses a file that is not a printedge \
            database, fails `PRAGMA integrity_check`, or comes from a newer printedge. A file from \
            an older one is fine: the daemon's next start runs the migrations it lacks. The \
            database it replaces is kept beside it as printedge.sqlite.before-restore-<UTC time> \
            (with its -wal). Jobs that were printing when the backup was taken come back \
            interrupted; `printedge jobs recover` restarts them. Run it as root or as the daemon's \
            user: as root, the restored file gets the replaced one's owner and mode. Exit 0; 64 \
            usage; 65 the file is not a usable backup (damaged, not printedge's, newer schema); 66 \
            no such file; 74 the state directory cannot be written; 75 printedged is running; 78 \
            configuration.
            """)

    @OptionGroup var configuration: ConfigurationOptions
    @Argument(help: "The backup file (from `printedge backup`).") var file: String
    @Flag(help: "What was restored, as one JSON object: {database, restored_from, replaced, schema, pending_migrations, jobs, job_events}.")
    var json = false

    func run() throws {
        let path = file.hasPrefix("/") ? file : FileSystemPath.currentDirectory() + "/" + file
        guard access(path, R_OK) == 0 else {
            standardError("printedge: cannot read \(file): \(String(cString: strerror(errno)))")
            throw ExitCode(66)
        }
        let (configuration, _) = try configuration.load()
        let outcome: StoreRestore.Outcome
        do {
            outcome = try StoreRestore.restore(path, stateDirectory: configuration.stateDirectory, stamp: Self.stamp(time(nil)))
        } catch {
            standardError("printedge: \(error)")
            switch error {
            case .daemonRunning: throw ExitCode(75)
            case .unusableFile, .newerSchema: throw ExitCode(65)
            case .sameFile: throw ExitCode(64)
            case .stateDirectory: throw ExitCode(74)
            }
        }
        let restored = outcome.restored
        if json {
            return try SnakeCaseJSON.print(Report(
                database: outcome.databasePath, restoredFrom: path, replaced: outcome.replacedPath, schema: restored.schema,
                pendingMigrations: restored.pendingMigrations, jobs: restored.jobs, jobEvents: restored.jobEvents))
        }
        print("restored \(path) (\(restored.jobs) jobs, \(restored.jobEvents) job events, schema \(restored.schema)) into \(outcome.databasePath)")
        print(outcome.replacedPath.map { "the database it replaced is kept as \($0)" } ?? "there was no database to replace")
        if !restored.pendingMigrations.isEmpty {
            print("the next start of printedged brings its schema up to date: \(restored.pendingMigrations.joined(separator: ", "))")
        }
        print("start printedged again (`sudo systemctl start printedged`); jobs printing when the backup was taken come back interrupted")
    }

    struct Report: Encodable {
        var database: String
        var restoredFrom: String
        var replaced: String?
        var schema: String
        var pendingMigrations: [String]
        var jobs: Int
        var jobEvents: Int
    }

    /// `20250301T140512Z`: sorts by time, and is a file name everywhere.
    static func stamp(_ seconds: time_t) -> String {
        var now = seconds
        var parts = tm()
        gmtime_r(&now, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
    }
}
