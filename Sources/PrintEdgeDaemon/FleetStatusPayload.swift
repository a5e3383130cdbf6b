import Foundation
import PrintEdgeControl

/// The JSON body of a `status` message: what a fleet dashboard shows for a printer, retained
/// by the broker so a dashboard that connects later sees it at once.
///
/// Built from the same `PrinterStatus` as `printedge status`, without what only means
/// something on this host (the port, the USB device).
struct FleetStatusPayload: Encodable {
    var state: String
    var name: String
    var firmware: String?
    var error: String?
    /// Heater (`T0`, `B`) → its reading.
    var heaters: [String: Heater]
    var job: Job?

    struct Heater: Encodable {
        var actualCelsius: Double
        var targetCelsius: Double?

        enum CodingKeys: String, CodingKey {
            case actualCelsius = "actual_c"
            case targetCelsius = "target_c"
        }
    }

    struct Job: Encodable {
        var jobID: Int64
        var name: String
        var state: String
        /// 0...1 of the file's bytes acknowledged.
        var fraction: Double
        var layer: Int?
        var zMM: Double?
        var etaSeconds: Double?

        enum CodingKeys: String, CodingKey {
            case jobID = "job_id"
            case name, state, fraction, layer
            case zMM = "z_mm"
            case etaSeconds = "eta_s"
        }
    }

    init(_ status: PrinterStatus) {
        state = status.state
        name = status.name
        firmware = status.firmware
        error = status.error
        var heaters: [String: Heater] = [:]
        for reading in status.temperatures where reading.actualCelsius.isFinite {
            heaters[reading.heater] = Heater(
                actualCelsius: reading.actualCelsius, targetCelsius: reading.targetCelsius.flatMap { $0.isFinite ? $0 : nil })
        }
        self.heaters = heaters
        job = status.job.map {
            Job(jobID: $0.id, name: $0.name, state: $0.state, fraction: $0.fraction.isFinite ? $0.fraction : 0,
                layer: $0.layer, zMM: $0.zMM.flatMap { $0.isFinite ? $0 : nil },
                etaSeconds: $0.etaSeconds.flatMap { $0.isFinite ? ($0 * 10).rounded() / 10 : nil })
        }
    }

    /// The JSON text stored in the outbox, keys sorted so equal snapshots are equal bytes.
    var json: String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) }
    }
}
