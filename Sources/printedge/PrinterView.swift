import PrintEdgeControl

/// How a printer's own facts read for people — its temperatures (marked stale once the link
/// is down, never passed off as live) and a halt with the way back — in `status`, `watch`
/// and `reset`. Pure text: `nowMS` comes in.
struct PrinterView {
    var status: PrinterStatus
    var nowMS: Int64

    /// "T0 21.3/0°C  B 20.9/0°C", and "(stale, 3 min ago)" when the link is down; `nil`
    /// before the first reading.
    var temperatures: String? {
        guard !status.temperatures.isEmpty else { return nil }
        let readings = status.temperatures.map(JobView.reading).joined(separator: "  ")
        guard status.temperaturesStale else { return readings }
        let age = status.temperaturesAt.flatMap(ControlTime.ms).map { JobView.age(seconds: Double(nowMS - $0) / 1000) + " ago" }
        return readings + " (stale" + (age.map { ", " + $0 } ?? "") + ")"
    }

    /// "halted 2 min ago (14:02): emergency stop (M112) …; `printedge reset --printer sim` …".
    var halt: String? {
        guard let halt = status.halt else { return nil }
        return "halted \(JobView.age(seconds: Double(nowMS - halt.atMS) / 1000)) ago (\(JobView.clockTime(ms: halt.atMS))): \(halt.reason); "
            + "`printedge reset --printer \(status.id)` restarts its firmware once the cause is dealt with"
    }
}
