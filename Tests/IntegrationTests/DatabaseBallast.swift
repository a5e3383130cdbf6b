import Foundation
import PrintEdgeStore

/// Fills a running daemon's size-limited database from outside, as other files fill a disk,
/// and frees the space again: the test's own connection to the same file, capped at the same
/// size (`Store.setSizeLimit`, SQLite's per-connection `max_page_count`).
///
/// A size cap only refuses writes that need a new page, so "full" must leave no room where the
/// daemon writes next: the telemetry table's last page (every new row goes there), and the page
/// its next job event's fleet message goes to (with a fleet link configured, that message is
/// written in the same transaction as the event, so the event cannot slip into a half-empty
/// page of its own table).
final class DatabaseBallast {
    let store: Store
    let printerID: String

    init(path: String, printerID: String, limitBytes: Int64) throws {
        store = try Store(path: path)
        try store.setSizeLimit(maxBytes: limitBytes)
        self.printerID = printerID
    }

    /// Writes until the cap refuses even one more row: day-old telemetry of a printer that does
    /// not exist, in batches halving down to one row, then empty fleet messages of the daemon's
    /// printer (the smallest its next message could share a page with).
    func fill() throws {
        let dayAgoMS = Self.nowMS() - 86_400_000
        var batch = 4_096
        var index = 0
        while batch > 0 {
            let rows = (0..<batch).map { offset in
                TelemetrySample(printerID: "ballast", atMS: dayAgoMS + Int64(index + offset), channel: .hotend(0), value: 20, target: 0)
            }
            if try Self.isFull({ () throws(StoreError) in try store.appendTelemetry(rows) }) {
                batch /= 2
            } else {
                index += batch
            }
        }
        while try !Self.isFull({ () throws(StoreError) in
            try store.appendOutbox(printerID: printerID, kind: .init(rawValue: "ballast"), payload: "{}", atMS: dayAgoMS)
        }) {}
    }

    /// Whether the cap refused `write`; any other failure is the test's.
    private static func isFull(_ write: () throws(StoreError) -> some Any) throws -> Bool {
        do {
            _ = try write()
            return false
        } catch {
            guard case .diskFull = error else { throw error }
            return true
        }
    }

    /// Deletes the ballast telemetry (every row over an hour old) and hands its pages back;
    /// returns the wall-clock instant, in ms, at which there was room again.
    func free() throws -> Int64 {
        let nowMS = Self.nowMS()
        let report = try store.enforceRetention(RetentionLimits(maxAge: .seconds(3_600)), nowMS: nowMS)
        guard report.telemetryRowsDeleted > 0 else { throw SimulatorError(description: "the ballast was not there to free") }
        return nowMS
    }

    static func nowMS() -> Int64 {
        Int64(Date().timeIntervalSince1970 * 1_000)
    }
}
