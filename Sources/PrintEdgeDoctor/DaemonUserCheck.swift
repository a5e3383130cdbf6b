/// Who printedged runs as — every access check below is made with these credentials — and
/// whether it is in the groups Debian and Raspberry Pi OS give serial ports (`dialout`) and
/// GPIO chips (`gpio`), so a port plugged in later opens too.
struct DaemonUserCheck: DoctorCheck {
    func findings(_ context: DoctorContext) async -> [DoctorFinding] {
        let identity = context.identity
        let described = identity.description(context.accounts)
        var findings: [DoctorFinding]
        switch identity.source {
        case .invoker:
            findings = [DoctorFinding("daemon.user", .notApplicable, described + "; the checks below are made with your rights")]
        case .running, .unit:
            findings = [identity.isRoot
                ? DoctorFinding("daemon.user", .warning, described + ": it needs no root rights, and a fault in it could then do anything",
                                fix: "run it as its own user: User=printedge in printedged.service (systemd/README.md)")
                : DoctorFinding("daemon.user", .ok, described)]
        }
        guard !identity.isRoot else { return findings }
        var needed: [String] = []
        if !context.devices.isEmpty { needed.append("dialout") }
        if context.configuration.gpio != nil { needed.append("gpio") }
        for name in needed {
            guard let group = context.accounts.group(named: name), !identity.groups.contains(group.gid) else { continue }
            let what = name == "dialout" ? "serial ports" : "GPIO chips"
            findings.append(DoctorFinding("daemon.user", subject: name, .warning,
                                          "\(identity.user) is not in \(name), the group this system gives \(what): a port plugged in later will not open",
                                          fix: context.joinGroupCommand(name)))
        }
        return findings
    }
}
