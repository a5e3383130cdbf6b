#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PrintEdgeControl
import PrintEdgeStore

/// Wall-clock time for records: what a person and the fleet read. Never used to measure
/// intervals (a clock step would corrupt them); `MonotonicInstant` does that.
enum WallClock {
    static func nowMS() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    /// The control socket's one time format (`ControlTime`), in messages too.
    static func iso8601(ms: Int64) -> String {
        ControlTime.text(ms: ms)
    }
}

extension JobSummary {
    init(_ record: JobRecord) {
        let fraction = record.state == .completed ? 1
            : record.sizeBytes > 0 ? Double(record.lastAckedByte) / Double(record.sizeBytes) : 0
        self.init(id: record.id ?? 0, printer: record.printerID, name: record.name, state: record.state.rawValue,
                  sha256: record.sha256, sizeBytes: record.sizeBytes, commands: record.commands,
                  layers: record.layerCount, estimatedSeconds: record.estimatedSeconds, filamentMM: record.filamentMM,
                  acknowledgedSourceLine: record.lastAckedSourceLine, acknowledgedBytes: record.lastAckedByte,
                  zMM: record.currentZMM, layer: record.currentLayer, fraction: fraction, etaSeconds: nil,
                  failureReason: record.failureReason, submittedAtMS: record.submittedAtMS,
                  startedAtMS: record.startedAtMS, endedAtMS: record.endedAtMS)
    }
}

/// JSON text columns (a layer's resume state) in and out.
enum JSONText {
    static func encode<T: Encodable>(_ value: T) -> String? {
        (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) }
    }

    static func decode<T: Decodable>(_ type: T.Type, from text: String) -> T? {
        try? JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
