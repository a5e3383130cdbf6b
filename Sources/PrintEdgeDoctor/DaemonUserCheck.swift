/// Who printedged runs as: every access check below is made with these credentials.
struct DaemonUserCheck: DoctorCheck {
    func findings(_ context: DoctorContext) async -> [DoctorFinding] {
        let identity = context.identity
        let described = identity.description(context.accounts)
        switch identity.source {
        case .invoker:
            return [DoctorFinding("daemon.user", .notApplicable, described + "; the checks below are made with your rights")]
        case .running, .unit:
            guard identity.isRoot else { return [DoctorFinding("daemon.user", .ok, described)] }
            return [DoctorFinding("daemon.user", .warning, described + ": it needs no root rights, and a fault in it could then do anything",
                                  fix: "run it as its own user: User=printedge in printedged.service (systemd/README.md)")]
        }
    }
}
