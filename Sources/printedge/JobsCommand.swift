#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import PrintEdgeControl
import PrintEdgeCore

struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "The job queue: list, submit, follow, show, start, pause, resume, cancel, recover, remove, reprint.",
        subcommands: [List.self, Submit.self, JobsFollowCommand.self, JobsShowCommand.self, Action.Start.self, Action.Pause.self,
                      Action.Resume.self, Action.Cancel.self, Action.Recover.self, Action.Remove.self, Action.Reprint.self,
                      JobsNextCommand.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs, newest first.")
        @OptionGroup var control: ControlOptions
        @Option(help: ArgumentHelp("Only this printer's jobs.", valueName: "id"), completion: .custom(DaemonCompletion.printers))
        var printer: String?
        @Option(parsing: .upToNextOption, help: "Only jobs in these states (\(DaemonCompletion.jobStates.joined(separator: ", "))).",
                completion: .list(DaemonCompletion.jobStates))
        var state: [String] = []
        @Option(help: "At most this many.") var limit = 50
        @Flag(help: "JSON for scripts: {schema, jobs: [...]} (docs/control.md).") var json = false

        func validate() throws {
            if let wrong = state.first(where: { JobState(rawValue: $0) == nil }) {
                throw ValidationError("unknown job state '\(wrong)'; one of \(DaemonCompletion.jobStates.joined(separator: ", "))")
            }
            guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
        }

        func run() throws {
            let reply = try control.call(ControlRequest(id: 0, command: "jobs.list", printer: printer, states: state, limit: limit))
            let jobs = reply.jobs ?? []
            if json { return try printJSON(["jobs": jobs]) }
            if jobs.isEmpty { say("no jobs") }
            let now = FleetLinkLine.nowMS()
            for job in jobs { say(JobView(job: job, nowMS: now).line) }
        }
    }

    struct Submit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a G-code file into the spool, analyse it and queue it.",
            discussion: "The file is checked against the printer's build volume and limits; --force queues it anyway. On a terminal a bar shows the copy and the analysis.")
        @OptionGroup var control: ControlOptions
        @Argument(help: "The G-code file.", completion: .file(extensions: ["gcode", "gco", "g"])) var file: String
        @Option(help: ArgumentHelp("The printer (default: the daemon's only printer).", valueName: "id"), completion: .custom(DaemonCompletion.printers))
        var printer: String?
        @Option(help: "A name for the job (default: the file's name).") var name: String?
        @Flag(help: "Queue even if the file leaves the build volume or breaks the printer's limits.") var force = false
        @Flag(help: "Start it at once.") var start = false
        @Flag(help: "JSON for scripts: {schema, job} (docs/control.md).") var json = false

        func run() throws {
            let path = file.hasPrefix("/") ? file : FileSystemPath.currentDirectory() + "/" + file
            // Opened here, with this user's rights, and handed to the daemon with the request.
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw CLIFailure(.noInput, "cannot read \(file): \(String(cString: strerror(errno)))")
            }
            defer { close(descriptor) }
            let target = try control.printer(printer)
            var display = SubmissionDisplay(file: file, enabled: !control.quiet)
            let submitted: ControlReply
            do {
                submitted = try control.call(
                    ControlRequest(id: 0, command: "jobs.submit", printer: target, path: path, name: name, force: force),
                    attaching: descriptor) { reply in
                        if let progress = reply.submission { display.show(progress) }
                    }
            } catch {
                display.finish()
                throw error
            }
            display.finish()
            guard var job = submitted.job else { return }
            if start {
                do {
                    job = try control.call(ControlRequest(id: 0, command: "jobs.start", job: job.id)).job ?? job
                } catch {
                    try show(job)
                    throw CLIFailure(error.status, "job \(job.id) is queued but did not start: \(error.message); start it with `printedge jobs start \(job.id)`")
                }
            }
            try show(job)
        }

        private func show(_ job: JobSummary) throws {
            if json { return try printJSON(["job": job]) }
            if !control.quiet { say(JobView(job: job, nowMS: FleetLinkLine.nowMS()).line) }
        }
    }

    /// The job commands that take a job and answer with it.
    enum Action {
        struct Start: JobAction {
            static let configuration = CommandConfiguration(
                abstract: "Start a queued job on its printer (which must be idle).",
                discussion: "Without an id: the printer's one queued job.")
            static let request = "jobs.start"
            static let choice = JobChoice.onlyQueued
            @OptionGroup var arguments: JobArguments
        }

        struct Pause: JobAction {
            static let configuration = CommandConfiguration(
                abstract: "Stop feeding at once, then park (the profile's pause G-code).",
                discussion: "Without an id: the printer's current job.")
            static let request = "jobs.pause"
            static let choice = JobChoice.current
            @OptionGroup var arguments: JobArguments
        }

        struct Resume: JobAction {
            static let configuration = CommandConfiguration(
                abstract: "Restore temperatures and position, then continue from the exact next line.",
                discussion: "Without an id: the printer's current job.")
            static let request = "jobs.resume"
            static let choice = JobChoice.current
            @OptionGroup var arguments: JobArguments
        }

        struct Cancel: JobAction {
            static let configuration = CommandConfiguration(
                abstract: "Stop feeding, quick-stop the motion, then the profile's cancel G-code (heaters off, park).",
                discussion: "Without an id: the printer's current job. A queued job is taken off the queue and its spooled file deleted; an interrupted one is dismissed (its file kept for `jobs reprint`).")
            static let request = "jobs.cancel"
            static let choice = JobChoice.current
            @OptionGroup var arguments: JobArguments
        }

        struct Recover: JobAction {
            static let configuration = CommandConfiguration(
                abstract: "Restart an interrupted job from the start of the layer it was in.",
                discussion: "Heats, homes X and Y only, restores Z and E, then prints from that layer's first line. Check that the part is still on the bed and nothing moved the head or the bed. On a terminal it asks first; from a script (standard input not a terminal) it needs --yes. Without an id: the printer's one interrupted job.")
            static let request = "jobs.recover"
            static let choice = JobChoice.onlyInterrupted
            @OptionGroup var arguments: JobArguments
            @Flag(name: [.short, .long], help: "Do not ask: the part is on the bed and it is safe to heat and move.") var yes = false

            func run() throws {
                let id = try arguments.resolve(Self.choice)
                if !yes { try RecoveryConfirmation.ask(job: id, control: arguments.control) }
                try perform(id)
            }
        }

        struct Remove: JobAction {
            static let configuration = CommandConfiguration(
                abstract: "Take a job off the queue and delete its spooled file.",
                discussion: "A queued or interrupted job becomes cancelled (its history stays: `jobs show`); a finished one keeps its record. The spooled file is deleted unless another queued, running or interrupted job prints the same file. A printing or paused job is refused: cancel it first.")
            static let request = "jobs.remove"
            static let choice = JobChoice.named("remove")
            @OptionGroup var arguments: JobArguments
        }

        struct Reprint: JobAction {
            static let configuration = CommandConfiguration(
                abstract: "Queue a job again, from its spooled file.",
                discussion: "A new queued job with the same file, analysis and printer; start it with `jobs start`. Refused (exit 66) when the spooled file was deleted (`jobs remove`, a queued job cancelled): submit the file again.")
            static let request = "jobs.reprint"
            static let choice = JobChoice.named("reprint")
            @OptionGroup var arguments: JobArguments
        }
    }
}

/// Which job a job command means when no id is given.
enum JobChoice: Equatable {
    /// The job printing or paused on the printer.
    case current
    case onlyQueued
    case onlyInterrupted
    /// No default: the command (`remove`, `reprint`, `show`) needs the id.
    case named(String)
}

struct JobArguments: ParsableArguments {
    @OptionGroup var control: ControlOptions
    @Argument(help: "The job's id (see the command's description for the default).", completion: .custom(DaemonCompletion.jobs))
    var job: Int64?
    @Option(help: ArgumentHelp("The printer whose job is meant (default: the daemon's only printer).", valueName: "id"),
            completion: .custom(DaemonCompletion.printers))
    var printer: String?
    @Flag(help: "JSON for scripts: {schema, job} (docs/control.md).") var json = false

    /// The job `choice` means: the id given (on `--printer`, when named), else found on the printer.
    func resolve(_ choice: JobChoice) throws(CLIFailure) -> Int64 {
        if let job {
            if let printer {
                let found = try control.call(ControlRequest(id: 0, command: "jobs.list", job: job)).jobs?.first
                if let found, found.printer != printer {
                    throw CLIFailure(.usage, "job \(job) is printer \(found.printer)'s, not \(printer)'s")
                }
            }
            return job
        }
        switch choice {
        case .named(let command):
            throw CLIFailure(.usage, "name the job: `printedge jobs \(command) ID` (`printedge jobs list` shows the ids)")
        case .current:
            let target = try control.printer(printer)
            let status = try control.call(ControlRequest(id: 0, command: "status", printer: target)).printers?.first
            guard let current = status?.job else {
                throw CLIFailure(.noInput, "printer \(target) has no job printing or paused; name one: `printedge jobs list --printer \(target)`")
            }
            return current.id
        case .onlyQueued, .onlyInterrupted:
            let target = try control.printer(printer)
            let state = choice == .onlyQueued ? "queued" : "interrupted"
            let jobs = try control.call(ControlRequest(id: 0, command: "jobs.list", printer: target, states: [state], limit: 2)).jobs ?? []
            guard jobs.count == 1, let only = jobs.first else {
                throw CLIFailure(jobs.isEmpty ? .noInput : .usage,
                                 "printer \(target) has \(jobs.isEmpty ? "no" : "several") \(state) jobs; name one: `printedge jobs list --printer \(target) --state \(state)`")
            }
            return only.id
        }
    }
}

/// A subcommand that sends one job request and prints the job it answers with.
protocol JobAction: ParsableCommand {
    static var request: String { get }
    static var choice: JobChoice { get }
    var arguments: JobArguments { get }
}

extension JobAction {
    func run() throws {
        try perform(try arguments.resolve(Self.choice))
    }

    func perform(_ id: Int64) throws {
        let reply = try arguments.control.call(ControlRequest(id: 0, command: Self.request, job: id))
        guard let summary = reply.job else { return }
        if arguments.json { return try printJSON(["job": summary]) }
        if !arguments.control.quiet { say(JobView(job: summary, nowMS: FleetLinkLine.nowMS()).line) }
    }
}
