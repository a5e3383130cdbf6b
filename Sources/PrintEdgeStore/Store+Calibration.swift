import GRDB

extension Store {
    @discardableResult
    public func recordCalibration(_ calibration: CalibrationRecord) throws(StoreError) -> CalibrationRecord {
        try write { db in
            try Store.requirePrinter(db, id: calibration.printerID)
            var saved = calibration
            try saved.insert(db)
            return saved
        }
    }

    /// The most recent result of one kind for a printer, the one to re-apply.
    public func latestCalibration(printerID: String, kind: String) throws(StoreError) -> CalibrationRecord? {
        try read { db in
            try CalibrationRecord
                .filter(CalibrationRecord.Columns.printerID == printerID)
                .filter(CalibrationRecord.Columns.kind == kind)
                .order(CalibrationRecord.Columns.atMS.desc, CalibrationRecord.Columns.id.desc)
                .fetchOne(db)
        }
    }
}
