import PrintEdgeCalibration
import PrintEdgeControl
import PrintEdgeStore

extension ControlHandler {
    /// `calibrate.start`: the run's events as intermediate replies, its end as the final one
    /// (`ok` with the `finished` event, or `calibration_failed` with the `failed` one). When
    /// the client goes away the run is cancelled: nobody could answer its questions, and
    /// what it heated or moved must be stopped.
    func startCalibration(_ request: ControlRequest, reply: @escaping @Sendable (ControlReply) -> Void) async throws(ControlError) -> ControlReply {
        let target = try printer(try required(request.printer, "printer", for: request))
        let calibration = try required(request.calibration, "calibration", for: request)
        if calibration.kind == .flow { return try recordFlow(calibration, request: request, printer: target.setup.id) }
        let events = try await target.startCalibration(calibration, force: request.force ?? false)
        var end: CalibrationEvent?
        for await event in events {
            if event.type == .finished || event.type == .failed {
                end = event
                break
            }
            reply(ControlReply(id: request.id, calibration: event))
        }
        guard let end else {
            // The stream ended without an end: this task was cancelled (the client left).
            try? await target.cancelCalibration()
            return ControlReply(id: request.id, ok: false, error: ControlError(code: .calibrationFailed, message: "the client left: the calibration was stopped"))
        }
        guard end.type == .finished else {
            return ControlReply(id: request.id, ok: false, error: ControlError(code: .calibrationFailed, message: end.failure?.reason ?? "the calibration failed"),
                                calibration: end)
        }
        return ControlReply(id: request.id, ok: true, calibration: end)
    }

    /// A flow calibration only computes: nothing goes to the printer, but the run is kept and
    /// reported like any other.
    private func recordFlow(_ calibration: CalibrationRequest, request: ControlRequest, printer: String) throws(ControlError) -> ControlReply {
        let flow: FlowCalibration
        do {
            flow = try FlowCalibration(expectedWallMM: try required(calibration.expectedWallMM, "calibration.expected_wall_mm", for: request),
                                       measuredWallMM: try required(calibration.measuredWallMM, "calibration.measured_wall_mm", for: request),
                                       currentPercent: calibration.currentPercent ?? 100)
        } catch let error as CalibrationRequestError {
            throw ControlError(code: .badRequest, message: "--\(error.description)")
        } catch let error as ControlError {
            throw error
        } catch {
            throw ControlError(code: .internal, message: "\(error)")
        }
        guard let result = CalibrationJSON.value(of: flow) else { throw ControlError(code: .internal, message: "the flow result could not be written as JSON") }
        let recorder = CalibrationRecorder(store: store, printerID: printer)
        let record = try storage { () throws(StoreError) in try recorder.record(kind: .flow, outcome: .completed, data: result, invalidates: flow.invalidates) }
        return ControlReply(id: request.id, ok: true, calibration: CalibrationEvent(type: .finished, printer: printer, kind: .flow, result: result,
                                                                                     record: record, invalidates: flow.invalidates))
    }
}

extension CalibrationEntry {
    init(_ record: CalibrationRecord, withData: Bool) {
        let data = withData ? try? JSONValue.parse(Array(record.dataJSON.utf8)) : nil
        self.init(id: record.id ?? 0, printer: record.printerID, kind: record.kind, outcome: record.outcome.rawValue, atMS: record.atMS,
                  invalidates: record.invalidates, data: data)
    }
}
