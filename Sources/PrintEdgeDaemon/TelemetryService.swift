import Logging
import PrintEdgeStore
import ServiceLifecycle

/// Writes buffered telemetry in batches and keeps the database within its retention
/// limits; the last flush happens after the printers have stopped.
struct TelemetryService: Service {
    let recorder: TelemetryRecorder
    let store: Store
    let limits: RetentionLimits
    let logger: Logger
    var flushInterval: Duration = .milliseconds(500)
    var retentionInterval: Duration = .seconds(600)

    func run() async throws {
        var sinceRetention = retentionInterval  // once at start: limits may have shrunk
        var reportedCondition = TelemetryRecorder.Condition.recording
        while !Task.isShuttingDownGracefully {
            _ = try? await recorder.flushIfDue(nowMS: WallClock.nowMS())
            let condition = await recorder.condition
            if !Self.isSameKind(condition, reportedCondition) {
                switch condition {
                case .recording:
                    logger.notice("telemetry recording again")
                case .diskFull(_, let buffered, let dropped):
                    logger.error("disk full: telemetry is held in memory (\(buffered) samples, \(dropped) dropped); printing goes on. Free space on \(store.path)'s file system")
                    // The hard limit may be what was reached: retention makes room now
                    // rather than at its next turn.
                    sinceRetention = retentionInterval
                case .failing(let error, _, let buffered, _):
                    logger.error("telemetry cannot be written (\(error)); \(buffered) samples held in memory")
                }
                reportedCondition = condition
            }
            if sinceRetention >= retentionInterval {
                sinceRetention = .zero
                do {
                    let report = try store.enforceRetention(limits, nowMS: WallClock.nowMS())
                    if report.telemetryRowsDeleted > 0 {
                        logger.info("retention: \(report.telemetryRowsDeleted) old telemetry rows removed")
                    }
                } catch {
                    logger.warning("retention could not run: \(error)")
                }
            }
            try? await Task.sleep(for: flushInterval)
            sinceRetention += flushInterval
        }
        do {
            _ = try await recorder.flush(nowMS: WallClock.nowMS())
        } catch {
            logger.error("the last telemetry could not be written at shutdown: \(error)")
        }
    }

    /// Logged once per change of kind, not again for each sample held meanwhile.
    private static func isSameKind(_ a: TelemetryRecorder.Condition, _ b: TelemetryRecorder.Condition) -> Bool {
        switch (a, b) {
        case (.recording, .recording), (.diskFull, .diskFull): true
        case (.failing(let first, _, _, _), .failing(let second, _, _, _)): first == second
        default: false
        }
    }
}
