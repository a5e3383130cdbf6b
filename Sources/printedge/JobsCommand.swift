import ArgumentParser
import Glibc
import PrintEdgeControl

struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "The job queue: list, submit, start, pause, resume, cancel, recover.",
        subcommands: [List.self, Submit.self, Action.Start.self, Action.Pause.self, Action.Resume.self, Action.Cancel.self, Action.Recover.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs, newest first.")
        @OptionGroup var control: ControlOptions
        @Option(help: "Only this printer's jobs.") var printer: String?
        @Option(parsing: .upToNextOption, help: "Only jobs in these states (queued, printing, paused, completed, failed, cancelled, interrupted, aborted).")
        var state: [String] = []
        @Option(help: "At most this many.") var limit = 50
        @Flag(help: "JSON for scripts.") var json = false

        func run() throws {
            try reportingDaemonErrors {
                let reply = try control.call(ControlRequest(id: 0, command: "jobs.list", printer: printer, states: state, limit: limit))
                let jobs = reply.jobs ?? []
                if json { return try printJSON(jobs) }
                if jobs.isEmpty { print("no jobs") }
                for job in jobs { print(job.line) }
            }
        }
    }

    struct Submit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a G-code file into the spool, analyse it and queue it.",
            discussion: "The file is checked against the printer's build volume and limits; --force queues it anyway.")
        @OptionGroup var control: ControlOptions
        @Argument(help: "The G-code file.") var file: String
        @Option(help: "The printer (default: the daemon's only printer).") var printer: String?
        @Option(help: "A name for the job (default: the file's name).") var name: String?
        @Flag(help: "Queue even if the file leaves the build volume or breaks the printer's limits.") var force = false
        @Flag(help: "Start it at once.") var start = false
        @Flag(help: "JSON for scripts.") var json = false

        func run() throws {
            try reportingDaemonErrors {
                let path = file.hasPrefix("/") ? file : FileSystemPath.currentDirectory() + "/" + file
                // Opened here, with this user's rights, and handed to the daemon with the request.
                let descriptor = open(path, O_RDONLY | O_CLOEXEC)
                guard descriptor >= 0 else {
                    standardError("printedge: cannot read \(file): \(String(cString: strerror(errno)))")
                    throw ExitCode(1)
                }
                defer { close(descriptor) }
                let target = try printer ?? onlyPrinter(control)
                var reply = try control.call(
                    ControlRequest(id: 0, command: "jobs.submit", printer: target, path: path, name: name, force: force),
                    attaching: descriptor)
                if start, let job = reply.job {
                    reply = try control.call(ControlRequest(id: 0, command: "jobs.start", job: job.id))
                }
                guard let job = reply.job else { return }
                if json { return try printJSON(job) }
                print(job.line)
            }
        }
    }

    /// The job commands that take a job id and answer with the job.
    enum Action {
        struct Start: JobAction {
            static let configuration = CommandConfiguration(abstract: "Start a queued job on its printer (which must be idle).")
            static let request = "jobs.start"
            @OptionGroup var arguments: JobArguments
        }

        struct Pause: JobAction {
            static let configuration = CommandConfiguration(abstract: "Stop feeding at once, then park (the profile's pause G-code).")
            static let request = "jobs.pause"
            @OptionGroup var arguments: JobArguments
        }

        struct Resume: JobAction {
            static let configuration = CommandConfiguration(abstract: "Restore temperatures and position, then continue from the exact next line.")
            static let request = "jobs.resume"
            @OptionGroup var arguments: JobArguments
        }

        struct Cancel: JobAction {
            static let configuration = CommandConfiguration(abstract: "Stop feeding, quick-stop the motion, then the profile's cancel G-code (heaters off, park).")
            static let request = "jobs.cancel"
            @OptionGroup var arguments: JobArguments
        }

        struct Recover: JobAction {
            static let configuration = CommandConfiguration(
                abstract: "Restart an interrupted job from the start of the layer it was in.",
                discussion: "Heats, homes X and Y only, restores Z and E, then prints from that layer's first line. Check that the part is still on the bed and nothing moved the head or the bed.")
            static let request = "jobs.recover"
            @OptionGroup var arguments: JobArguments
        }
    }
}

struct JobArguments: ParsableArguments {
    @OptionGroup var control: ControlOptions
    @Argument(help: "The job's id.") var job: Int64
    @Flag(help: "JSON for scripts.") var json = false
}

/// A subcommand that sends one job request and prints the job it answers with.
protocol JobAction: ParsableCommand {
    static var request: String { get }
    var arguments: JobArguments { get }
}

extension JobAction {
    func run() throws {
        try reportingDaemonErrors {
            let reply = try arguments.control.call(ControlRequest(id: 0, command: Self.request, job: arguments.job))
            guard let summary = reply.job else { return }
            if arguments.json { return try printJSON(summary) }
            print(summary.line)
        }
    }
}

/// The daemon's printer when it has exactly one, for commands where naming it is a chore.
func onlyPrinter(_ control: ControlOptions) throws -> String {
    let printers = try control.call(ControlRequest(id: 0, command: "status")).printers ?? []
    guard printers.count == 1, let only = printers.first else {
        throw DaemonRefused(message: "the daemon has \(printers.count) printers (\(printers.map(\.id).joined(separator: ", "))): name one with --printer", code: "bad_request")
    }
    return only.id
}
