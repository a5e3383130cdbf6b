/// Nobody else has the printer's port open. Serial opens are not exclusive: two readers
/// each get part of every reply (pyserial#326), and a second writer's bytes land in the
/// middle of a job. `/proc/<pid>/fd` shows every holder, whatever locks it took.
struct PortHolderCheck: DoctorCheck {
    func findings(_ context: DoctorContext) async -> [DoctorFinding] {
        let daemon = DaemonIdentity.runningDaemon(tree: context.tree, stateDirectory: context.stateDirectory)
        let unseen = context.processes.unreadable > 0 && !context.environment.invoker.groups.isEmpty && context.environment.invoker.uid != 0
            ? " (\(context.processes.unreadable) processes of other users could not be looked into: run as root to see them all)" : ""
        var findings: [DoctorFinding] = []
        for device in context.devices {
            guard let node = device.node else { continue }
            let holders = context.processes.holding(node)
            let others = holders.filter { $0.pid != daemon && $0.name != "printedged" }
            guard !others.isEmpty else {
                let ours = holders.isEmpty ? "nobody has \(node) open" : "only printedged has \(node) open"
                findings.append(DoctorFinding("device.holders", subject: device.subject, .ok, ours + unseen))
                continue
            }
            findings.append(DoctorFinding("device.holders", subject: device.subject, .problem,
                                          "\(node) is open in \(others.map(\.description).joined(separator: ", ")): it reads the printer's replies and can write into a job",
                                          fix: others.map(Self.fix).joined(separator: "; ")))
        }
        if findings.isEmpty {
            findings.append(DoctorFinding("device.holders", .notApplicable, "no printer's serial device is plugged in"))
        }
        return findings
    }

    private static func fix(_ holder: HostProcesses.Process) -> String {
        switch holder.name {
        case "brltty": "sudo apt remove brltty"
        case "ModemManager": "sudo systemctl disable --now ModemManager"
        default: holder.unit.map { "sudo systemctl disable --now \($0)" } ?? "kill \(holder.pid)   # \(holder.commandLine)"
        }
    }
}
