#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import PrintEdgeControl
import PrintEdgeStore

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the daemon's database, consistently, while it prints.",
        discussion: """
            Through the running daemon: SQLite's online backup of one snapshot, so printing and \
            recording go on and the copy holds every transaction committed before it began. The \
            file is created here with your rights and handed to the daemon (its sandbox cannot \
            see your directories). When the daemon is not running, the database named by the \
            configuration is copied directly, its state directory locked meanwhile. Either way the \
            copy is one self-contained SQLite file that passed `PRAGMA integrity_check`; \
            `printedge restore` puts it back. The copy is made beside the database first: it needs \
            that much free space there. `-` writes it to standard output. Exit 0; 64 usage; 65 the \
            database is damaged (direct copy); 66 no database; 69 the daemon's socket does not \
            answer while it holds the state \
            directory; 73 the file exists (--force replaces it); 74 I/O, or the daemon's backup failed \
            (its message says why); 78 configuration.
            """)

    @OptionGroup var control: ControlOptions
    @OptionGroup var configuration: ConfigurationOptions
    @Argument(help: "The backup file to create, or - for standard output.") var file: String
    @Flag(help: "Replace the file if it exists.") var force = false
    @Flag(help: "What was copied, as one JSON object: {database, path, size_bytes, schema, jobs, job_events, integrity, through_daemon}.")
    var json = false

    func run() throws {
        let toStandardOutput = file == "-"
        if toStandardOutput, isatty(STDOUT_FILENO) == 1 {
            standardError("printedge: refusing to write a database to a terminal; redirect standard output, or name a file")
            throw ExitCode(64)
        }
        let path = toStandardOutput ? "-" : (file.hasPrefix("/") ? file : FileSystemPath.currentDirectory() + "/" + file)
        let descriptor = toStandardOutput ? STDOUT_FILENO : open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), 0o600)
        guard descriptor >= 0 else {
            let code = errno
            standardError("printedge: cannot create \(file): \(String(cString: strerror(code)))" + (code == EEXIST ? " (--force replaces it)" : ""))
            throw ExitCode(code == EEXIST ? 73 : 74)
        }
        var finished = false
        defer {
            if !toStandardOutput {
                close(descriptor)
                if !finished { unlink(path) }
            }
        }
        let report = try backUp(into: descriptor, naming: path)
        finished = true
        let line = "backed up \(report.database) (\(report.jobs) jobs, \(report.jobEvents) job events, schema \(report.schema), "
            + "\(ByteCount(report.sizeBytes))) to \(toStandardOutput ? "standard output" : path) "
            + (report.throughDaemon ? "through printedged, while it ran" : "directly: printedged is not running")
        if json, !toStandardOutput {
            try SnakeCaseJSON.print(report)
        } else if toStandardOutput {
            standardError(line)
        } else {
            print(line)
        }
    }

    struct Report: Encodable {
        var database: String
        var path: String
        var sizeBytes: Int64
        var schema: String
        var jobs: Int
        var jobEvents: Int
        var integrity: String
        var throughDaemon: Bool
    }

    /// Through the daemon when it answers; directly when nobody holds the state directory.
    private func backUp(into descriptor: Int32, naming path: String) throws -> Report {
        do throws(CLIFailure) {
            let reply = try control.call(ControlRequest(id: 0, command: "backup", path: path, fileAttached: true), attaching: descriptor)
            guard let backup = reply.backup else { throw CLIFailure(.protocolError, "the daemon sent no backup report") }
            return Report(database: backup.database, path: path, sizeBytes: backup.sizeBytes, schema: backup.schema, jobs: backup.jobs,
                          jobEvents: backup.jobEvents, integrity: backup.integrity, throughDaemon: true)
        } catch where error.status == .unavailable {
            return try backUpDirectly(into: descriptor, naming: path)
        } catch {
            throw CLIFailure(error.status == .protocolError ? .protocolError : .ioError, error.message)
        }
    }

    private func backUpDirectly(into descriptor: Int32, naming path: String) throws -> Report {
        let (configuration, _) = try configuration.load()
        let stateDirectory = configuration.stateDirectory
        let database = stateDirectory + "/" + Store.fileName
        guard FileManager.default.fileExists(atPath: database) else {
            standardError("printedge: printedged is not running and there is no database at \(database) (is --config the daemon's configuration?)")
            throw ExitCode(66)
        }
        let lock: StateDirectoryLock
        do {
            lock = try StateDirectoryLock(stateDirectory: stateDirectory)
        } catch {
            if case .held(let pid) = error {
                standardError("printedge: printedged (pid \(pid.map(String.init) ?? "unknown")) holds \(stateDirectory), but its socket \(control.socketPath) does not answer: pass the socket it listens on with --socket")
                throw ExitCode(69)
            }
            standardError("printedge: cannot lock \(stateDirectory): \(error)")
            throw ExitCode(74)
        }
        defer { withExtendedLifetime(lock) {} }
        do {
            let summary = try Store.backup(databaseAt: database, to: .descriptor(descriptor))
            return Report(database: database, path: path, sizeBytes: summary.sizeBytes, schema: summary.schema, jobs: summary.jobs,
                          jobEvents: summary.jobEvents, integrity: summary.integrity, throughDaemon: false)
        } catch {
            standardError("printedge: the backup failed: \(error)")
            if case .corrupt = error { throw ExitCode(65) }
            throw ExitCode(74)
        }
    }
}
