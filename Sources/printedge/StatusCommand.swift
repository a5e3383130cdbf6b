import ArgumentParser
import PrintEdgeControl

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show each printer: state, temperatures, job and progress.")

    @OptionGroup var control: ControlOptions
    @Option(help: ArgumentHelp("Only this printer.", valueName: "id"), completion: .custom(DaemonCompletion.printers))
    var printer: String?
    @Flag(help: "One JSON document for scripts: {schema, daemon_version, printers, storage, fleet} (docs/control.md).") var json = false

    func run() throws {
        let reply = try control.call(ControlRequest(id: 0, command: "status", printer: printer))
        let printers = reply.printers ?? []
        // Not in `status` itself: they are the store's, and a status answers even when it cannot be read.
        let interrupted = (try? control.call(ControlRequest(id: 0, command: "jobs.list", printer: printer, states: ["interrupted"], limit: 20)))?.jobs ?? []
        if json {
            return try printJSON(StatusJSON(daemonVersion: reply.daemonVersion, printers: printers, storage: reply.storage, fleet: reply.fleet,
                                            interruptedJobs: interrupted))
        }
        if let storage = reply.storage, !storage.isRecording {
            say("storage: \(storage.message ?? storage.condition)")
        }
        if let fleet = reply.fleet { say(FleetLinkLine.link(fleet)) }
        let now = FleetLinkLine.nowMS()
        for status in printers {
            var line = "\(status.id)  \(status.state)"
            if let firmware = status.firmware { line += "  \(firmware)" }
            let view = PrinterView(status: status, nowMS: now)
            if let temperatures = view.temperatures { line += "  " + temperatures }
            say(line)
            if let device = status.device { say("  usb: \(device.summary)") }
            if let halt = view.halt {
                say("  " + halt)
            } else if let error = status.error {
                say("  last error: \(error)")
            }
            if let commands = status.fleetCommands, commands.received > 0 || commands.chunksReceived > 0 {
                let refused = commands.refused.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                say("  fleet commands: \(commands.received) received, \(commands.accepted) accepted, \(commands.refusedTotal) refused"
                    + (refused.isEmpty ? "" : " (\(refused))"))
            }
            // Messages in flight on a healthy link are not worth a line; a backlog is.
            if let outbox = status.fleetOutbox,
               outbox.refused > 0 || (outbox.oldestWaitingAtMS.map { now - $0 >= 10_000 } ?? false) {
                say("  fleet outbox: " + FleetLinkLine.outbox(outbox, at: now))
            }
            if let job = status.job { say("  job " + JobView(job: job, nowMS: now).line) }
            if let calibrating = status.calibrating {
                say("  calibrating: \(calibrating.kind.title)" + (calibrating.waitingForAnswer ? ", waiting for an answer" : calibrating.step.map { ", \($0)" } ?? ""))
            }
            if let standings = status.calibrations, !standings.isEmpty {
                // Klipper's rule: tramming makes the Z offset stale, a Z offset the mesh.
                say("  calibrations: " + standings.map { standing in
                    "\(standing.kind) #\(standing.record)" + (standing.stale ? " STALE (since \(standing.staleSinceKind ?? "?") #\(standing.staleSinceRecord ?? 0))" : "")
                }.joined(separator: ", "))
            }
            for job in interrupted where job.printer == status.id {
                say("  interrupted: job \(job.id) \(job.name)" + (JobView(job: job, nowMS: now).layer.map { " at \($0)" } ?? "")
                    + ": `printedge jobs recover \(job.id)` restarts it from that layer, `printedge jobs cancel \(job.id)` dismisses it")
            }
        }
    }

    private struct StatusJSON: Encodable {
        var daemonVersion: String?
        var printers: [PrinterStatus]
        var storage: StorageStatus?
        var fleet: FleetLinkStatus?
        /// Jobs a crash or stop left `interrupted`, waiting for `jobs recover` or `jobs cancel`.
        var interruptedJobs: [JobSummary]

        enum CodingKeys: String, CodingKey {
            case daemonVersion = "daemon_version"
            case printers, storage, fleet
            case interruptedJobs = "interrupted_jobs"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(daemonVersion, forKey: .daemonVersion)
            try container.encode(printers, forKey: .printers)
            try container.encode(storage, forKey: .storage)
            try container.encode(fleet, forKey: .fleet)
            try container.encode(interruptedJobs, forKey: .interruptedJobs)
        }
    }
}
