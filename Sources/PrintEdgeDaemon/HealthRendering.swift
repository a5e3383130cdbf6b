/// What `GET /healthz` renders: the daemon's health verdict (ready / degraded / failed, with
/// its reasons), as JSON with a status code a load balancer or `curl -f` understands.
///
/// The verdict itself is computed in one place for `printedge health`, the watchdog and this
/// route; the listener only renders it, so a type conforming here is all `/healthz` needs
/// (`HTTPListener`'s `health`).
protocol HealthRendering: Sendable {
    /// 200 while the daemon does its work (ready, or degraded with reasons in the body), 503
    /// once it cannot (failed).
    var httpStatus: Int { get }
    /// The verdict, as the control socket's `health` reply carries it.
    var json: [UInt8] { get }
}
