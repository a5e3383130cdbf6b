import PrintEdgeControl
import PrintEdgeCore
import PrintEdgeStore

/// What a fleet command may do to a printer: the same calls the control socket makes, so a
/// command from the fleet and one from `printedge` cannot behave differently. A protocol so
/// the command handling can be driven, and fuzzed, against a printer that records calls.
protocol FleetCommandTarget: Sendable {
    var setup: PrinterSetup { get }
    func status() async -> PrinterStatus
    func startJob(id: Int64) async throws(ControlError) -> JobRecord
    func pause(detail: String) async throws(ControlError) -> JobRecord
    func resume(detail: String) async throws(ControlError) -> JobRecord
    func cancel(detail: String) async throws(ControlError) -> JobRecord
    func emergencyStop(detail: String) async
    /// Returns once the firmware has handled every line.
    func send(_ lines: [String]) async throws(ControlError)
}

extension Printer: FleetCommandTarget {
    func pause(detail: String) throws(ControlError) -> JobRecord { try pauseJob(detail: detail) }
    func resume(detail: String) throws(ControlError) -> JobRecord { try resumeJob(detail: detail) }
    func cancel(detail: String) throws(ControlError) -> JobRecord { try cancelJob(detail: detail) }
    func send(_ lines: [String]) async throws(ControlError) { _ = try await send(lines, underJob: .checkedByFleet) }
}
