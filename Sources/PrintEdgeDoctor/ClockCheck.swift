import Foundation

/// The clock is set and kept: a Pi before the Pi 5 has no battery-backed clock, and boots
/// with the time it last saved until a time daemon corrects it. Job times, the fleet's
/// timestamps and TLS certificate checks (the broker's) depend on it.
struct ClockCheck: DoctorCheck {
    /// 2025-01-01: a clock before this was never set on this printedge's host.
    static let earliestPlausibleMS: Int64 = 1_735_689_600_000

    func findings(_ context: DoctorContext) async -> [DoctorFinding] {
        let nowMS = context.environment.nowMS()
        let fix = "sudo timedatectl set-ntp true   # then `timedatectl timesync-status` shows the server it uses; the network must reach it (UDP 123)"
        guard nowMS >= Self.earliestPlausibleMS else {
            return [DoctorFinding("clock.sync", .problem, "the clock says \(Date(timeIntervalSince1970: Double(nowMS) / 1000).formatted(.iso8601)): it was never set, so TLS certificates look invalid and job times are wrong",
                                  fix: fix)]
        }
        switch context.environment.clock() {
        case .synchronised:
            return [DoctorFinding("clock.sync", .ok, "the kernel's clock is synchronised by a time daemon")]
        case .unsynchronised:
            return [DoctorFinding("clock.sync", .warning, "the kernel's clock is not synchronised (adjtimex: STA_UNSYNC): no time daemon keeps it", fix: fix)]
        case .unknown(let reason):
            return [DoctorFinding("clock.sync", .notApplicable, "the kernel's clock state cannot be read (\(reason))")]
        }
    }
}
