import PrintEdgeControl
import PrintEdgeStore

extension StorageStatus {
    /// What `printedge status` says about the database: the telemetry recorder's condition
    /// and the job events the printers hold, with what to do about it.
    init(recorder condition: TelemetryRecorder.Condition, heldJobEvents: Int, jobEventRefusal: StoreError?, databasePath: String) {
        let directory = databasePath.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let remedy = "printing goes on, and recording resumes by itself once there is room (free space in "
            + "\(directory.isEmpty ? "." : directory), or lower the retention limits)"
        let events = heldJobEvents == 1 ? "1 job event" : "\(heldJobEvents) job events"
        switch condition {
        case .diskFull(let sinceMS, let buffered, let dropped):
            self.init(condition: "disk_full",
                      message: "the disk is full, or the database reached its hard limit, since \(WallClock.iso8601(ms: sinceMS)): "
                          + "\(buffered) telemetry samples and \(events) held in memory, \(dropped) samples dropped; \(remedy)",
                      sinceMS: sinceMS, heldSamples: buffered, droppedSamples: dropped, heldJobEvents: heldJobEvents)
        case .failing(let error, let sinceMS, let buffered, let dropped):
            self.init(condition: "failing",
                      message: "the database refuses writes since \(WallClock.iso8601(ms: sinceMS)) (\(error)): "
                          + "\(buffered) telemetry samples and \(events) held in memory, \(dropped) samples dropped",
                      sinceMS: sinceMS, heldSamples: buffered, droppedSamples: dropped, heldJobEvents: heldJobEvents)
        case .recording:
            guard heldJobEvents > 0 else {
                self.init(condition: "recording")
                return
            }
            let isFull = if case .diskFull = jobEventRefusal { true } else { false }
            self.init(condition: isFull ? "disk_full" : "failing",
                      message: "\(events) held in memory: " + (jobEventRefusal.map { "\($0)" } ?? "the database refused them")
                          + (isFull ? "; \(remedy)" : ""),
                      heldJobEvents: heldJobEvents)
        }
    }
}
