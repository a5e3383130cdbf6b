import GRDB

extension Store {
    /// Inserts the printer or replaces every column of the existing row, so the stored
    /// port, profile and name follow the configuration at each daemon start.
    public func upsertPrinter(_ printer: PrinterRecord) throws(StoreError) {
        try write { db in try printer.upsert(db) }
    }

    public func printer(id: String) throws(StoreError) -> PrinterRecord? {
        try read { db in try PrinterRecord.fetchOne(db, key: id) }
    }

    public func printers() throws(StoreError) -> [PrinterRecord] {
        try read { db in try PrinterRecord.order(PrinterRecord.Columns.id).fetchAll(db) }
    }

    /// Records the printer's state; with `fleetStatus` (a JSON snapshot), also enqueues it as
    /// a `status` message in the same transaction, so the fleet hears of every state the
    /// store holds and of none it does not.
    public func setPrinterState(id: String, state: String, atMS: Int64, fleetStatus: String? = nil) throws(StoreError) {
        try write { db in
            try PrinterRecord
                .filter(key: id)
                .updateAll(db, PrinterRecord.Columns.state.set(to: state),
                           PrinterRecord.Columns.updatedAtMS.set(to: atMS))
            guard db.changesCount > 0 else { throw StoreError.printerNotFound(id: id) }
            if let fleetStatus {
                try Store.enqueue(db, printerID: id, kind: .status, payload: fleetStatus, atMS: atMS)
            }
        }
    }

    /// Turns the foreign key failure a write would hit into an error naming the printer.
    static func requirePrinter(_ db: Database, id: String) throws {
        guard try PrinterRecord.exists(db, key: id) else { throw StoreError.printerNotFound(id: id) }
    }
}
