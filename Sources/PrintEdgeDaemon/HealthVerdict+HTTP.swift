import PrintEdgeControl

/// `GET /healthz`'s answer: the verdict `printedge health` and the watchdog use
/// (`DaemonHealth`), with a status code a load balancer or `curl -f` understands.
extension HealthVerdict {
    /// 200 while the daemon does its work — ready, or degraded with the reasons in the body
    /// (a degraded agent still prints: a probe must not take it out of service) — and 503
    /// once it cannot (failed: what a restart cures, the watchdog is no longer fed).
    var httpStatus: Int { feedsWatchdog ? 200 : 503 }

    /// The verdict as `printedge health --json` prints it (docs/control.md, "JSON"): the
    /// control socket's dialect, `schema` included, on one line.
    func httpBody() throws -> [UInt8] {
        Array(try ControlCoding.document(self, pretty: false).utf8) + [UInt8(ascii: "\n")]
    }
}
