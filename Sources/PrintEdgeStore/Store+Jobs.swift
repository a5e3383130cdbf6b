import GRDB
import PrintEdgeCore

extension Store {
    /// Queues a job at the end of its printer's queue with its layer index, a `submitted`
    /// event and the matching fleet message, in one transaction.
    ///
    /// The job's id, state, progress and queue position are the store's: whatever `job`
    /// holds there is replaced. Each layer's `jobID` is set to the new id.
    ///
    /// `layers` may be lazy: each record is made just before its row is written, so a print
    /// with tens of thousands of layers never holds all their encoded resume states at once.
    /// `detail` goes with the `submitted` event (a reprint names the job it repeats).
    public func submitJob(_ job: JobRecord, layers: some Sequence<JobLayerRecord>, detail: String? = nil) throws(StoreError) -> JobRecord {
        try write { db in
            try Store.requirePrinter(db, id: job.printerID)
            var queued = JobRecord(
                printerID: job.printerID, name: job.name, spoolPath: job.spoolPath,
                sha256: job.sha256, sizeBytes: job.sizeBytes, commands: job.commands,
                sourceLines: job.sourceLines, layerCount: job.layerCount,
                estimatedSeconds: job.estimatedSeconds, filamentMM: job.filamentMM,
                boundingBoxJSON: job.boundingBoxJSON, analysisJSON: job.analysisJSON,
                forced: job.forced, submittedAtMS: job.submittedAtMS)
            queued.queuePosition = try Store.nextQueuePosition(db, printerID: job.printerID)
            try queued.insert(db)
            let jobID = db.lastInsertedRowID
            for var layer in layers {
                layer.jobID = jobID
                try layer.insert(db)
            }
            try Store.recordEvent(
                db, jobID: jobID, printerID: job.printerID, from: nil, to: .queued,
                kind: .submitted, detail: detail, atMS: job.submittedAtMS, feedsFleet: feedsFleet)
            if feedsFleet {
                try Store.enqueueJobRecord(db, queued, atMS: job.submittedAtMS)
            }
            return queued
        }
    }

    /// Moves a job to `next` if the state table allows it, and records the step as a job
    /// event and a fleet message — all three in one transaction, or nothing at all.
    ///
    /// Sets `started_at_ms` on the first start, `ended_at_ms` when a run ends,
    /// `failure_reason` (from `detail`) on failing or aborting; a requeue clears progress
    /// and goes to the end of the queue.
    /// - Parameter kind: the event's kind; by default the one `JobEventKind.step` names.
    @discardableResult
    public func transition(
        jobID: Int64, to next: JobState, kind: JobEventKind? = nil, detail: String? = nil,
        atMS: Int64
    ) throws(StoreError) -> JobRecord {
        try write { db in
            guard let job = try JobRecord.fetchOne(db, key: jobID) else {
                throw StoreError.jobNotFound(id: jobID)
            }
            let moved = try Store.step(
                db, job: job, jobID: jobID, to: next, kind: kind, detail: detail, atMS: atMS, feedsFleet: feedsFleet)
            if feedsFleet {
                try Store.enqueueJobRecord(db, moved, atMS: atMS)
            }
            return moved
        }
    }

    /// Saves how far the printer has acknowledged a job: a single-row UPDATE through a
    /// cached statement, cheap enough to call every few hundred milliseconds while printing.
    /// `layer` is the highest layer whose first line may have been sent (`currentLayer`),
    /// where a recovery restarts; `zMM` the height reached with the last acknowledged line.
    public func recordProgress(
        jobID: Int64, lastAckedSourceLine: Int, lastAckedByte: Int64, ackedCommands: Int,
        zMM: Double?, layer: Int?
    ) throws(StoreError) {
        try write { db in
            let statement = try db.cachedStatement(sql: """
                UPDATE job SET last_acked_source_line = ?, last_acked_byte = ?,
                    acked_commands = ?, current_z_mm = ?, current_layer = ?
                WHERE id = ?
                """)
            try statement.execute(arguments: [
                lastAckedSourceLine, lastAckedByte, ackedCommands, zMM, layer, jobID,
            ])
            guard db.changesCount > 0 else { throw StoreError.jobNotFound(id: jobID) }
        }
    }

    /// Something that happened to a job without changing its state — G-code a person forced
    /// in under it — kept in its history (and sent to the fleet) like any step.
    public func recordJobNote(jobID: Int64, kind: JobEventKind, detail: String, atMS: Int64) throws(StoreError) {
        try write { db in
            guard let job = try JobRecord.fetchOne(db, key: jobID) else {
                throw StoreError.jobNotFound(id: jobID)
            }
            try Store.recordEvent(db, jobID: jobID, printerID: job.printerID, from: job.state, to: job.state,
                                  kind: kind, detail: detail, atMS: atMS, feedsFleet: feedsFleet)
        }
    }

    /// The printer printed `layer` of the job at its height (`JobRecord.printedLayer`).
    public func recordPrintedLayer(jobID: Int64, layer: Int) throws(StoreError) {
        try write { db in
            try db.execute(sql: "UPDATE job SET printed_layer = ? WHERE id = ?", arguments: [layer, jobID])
            guard db.changesCount > 0 else { throw StoreError.jobNotFound(id: jobID) }
        }
    }

    /// A paused job's head is parked at `zMM` (logical), or no longer parked (`nil`).
    public func recordParkedHeight(jobID: Int64, zMM: Double?) throws(StoreError) {
        try write { db in
            try db.execute(sql: "UPDATE job SET parked_z_mm = ? WHERE id = ?", arguments: [zMM, jobID])
            guard db.changesCount > 0 else { throw StoreError.jobNotFound(id: jobID) }
        }
    }

    /// Run once at daemon start, before any printer connects: every job still `printing`
    /// or `paused` was cut off by a crash or power loss and becomes `interrupted`, with an
    /// event saying where it stopped. Recovering it is an operator's decision.
    public func markUnfinishedJobsInterrupted(atMS: Int64) throws(StoreError) -> [JobRecord] {
        try write { db in
            let unfinished = try Row.fetchAll(db, sql: """
                SELECT * FROM job WHERE state IN ('printing', 'paused') ORDER BY id
                """)
            var interrupted: [JobRecord] = []
            for row in unfinished {
                let job = try JobRecord(row: row)
                let detail = "the daemon stopped while printing (crash or power loss); "
                    + "last acknowledged line \(job.lastAckedSourceLine)"
                let moved = try Store.step(
                    db, job: job, jobID: row[JobRecord.Columns.id], to: .interrupted,
                    kind: .interrupted, detail: detail, atMS: atMS, feedsFleet: feedsFleet)
                if feedsFleet {
                    try Store.enqueueJobRecord(db, moved, atMS: atMS)
                }
                interrupted.append(moved)
            }
            return interrupted
        }
    }

    public func job(id: Int64) throws(StoreError) -> JobRecord? {
        try read { db in try JobRecord.fetchOne(db, key: id) }
    }

    /// Jobs, newest first, optionally of one printer and in some states.
    public func jobs(
        printerID: String? = nil, states: Set<JobState>? = nil, limit: Int = 100
    ) throws(StoreError) -> [JobRecord] {
        try read { db in
            var request = JobRecord.all()
            if let printerID { request = request.filter(JobRecord.Columns.printerID == printerID) }
            if let states { request = request.filter(states.contains(JobRecord.Columns.state)) }
            return try request.order(JobRecord.Columns.id.desc).limit(limit).fetchAll(db)
        }
    }

    /// The queued job at the head of the printer's queue.
    public func nextQueuedJob(printerID: String) throws(StoreError) -> JobRecord? {
        try read { db in
            try JobRecord
                .filter(JobRecord.Columns.printerID == printerID)
                .filter(JobRecord.Columns.state == JobState.queued)
                .order(JobRecord.Columns.queuePosition, JobRecord.Columns.id)
                .fetchOne(db)
        }
    }

    /// The job's history, oldest first.
    public func events(jobID: Int64) throws(StoreError) -> [JobEventRecord] {
        try read { db in
            try JobEventRecord
                .filter(JobEventRecord.Columns.jobID == jobID)
                .order(JobEventRecord.Columns.id)
                .fetchAll(db)
        }
    }

    public func layers(jobID: Int64) throws(StoreError) -> [JobLayerRecord] {
        try read { db in
            try JobLayerRecord
                .filter(JobLayerRecord.Columns.jobID == jobID)
                .order(JobLayerRecord.Columns.layer)
                .fetchAll(db)
        }
    }

    /// Where each layer starts in the file, in layer order: what a printing job needs to
    /// tell its layer from its acknowledged byte. Offsets only, so a 100 MB print's tens of
    /// thousands of layers cost a few hundred kilobytes, not their resume states.
    public func layerStarts(jobID: Int64) throws(StoreError) -> [LayerStart] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT layer, byte_offset, first_print_line FROM job_layer WHERE job_id = ? ORDER BY layer",
                             arguments: [jobID])
                .map { LayerStart(layer: $0[0], byteOffset: $0[1], firstPrintSourceLine: $0[2]) }
        }
    }

    /// One layer of a job, with its resume state: where a recovery restarts.
    public func layer(_ index: Int, jobID: Int64) throws(StoreError) -> JobLayerRecord? {
        try read { db in
            try JobLayerRecord
                .filter(JobLayerRecord.Columns.jobID == jobID)
                .filter(JobLayerRecord.Columns.layer == index)
                .fetchOne(db)
        }
    }

    // MARK: - Inside a write

    private static func nextQueuePosition(_ db: Database, printerID: String) throws -> Int64 {
        let last = try Int64.fetchOne(
            db, sql: "SELECT max(queue_position) FROM job WHERE printer_id = ?",
            arguments: [printerID])
        return (last ?? 0) + 1
    }

    private static func runningJobID(_ db: Database, printerID: String) throws -> Int64? {
        try Int64.fetchOne(
            db, sql: "SELECT id FROM job WHERE printer_id = ? AND state IN ('printing', 'paused')",
            arguments: [printerID])
    }

    /// Checks and applies one step, then appends its job event and (feeding a fleet) its
    /// message; a throw anywhere rolls the caller's transaction back, so nothing is half-written.
    private static func step(
        _ db: Database, job: JobRecord, jobID: Int64, to next: JobState, kind: JobEventKind?,
        detail: String?, atMS: Int64, feedsFleet: Bool
    ) throws -> JobRecord {
        let previous = job.state
        guard previous.canTransition(to: next) else {
            throw StoreError.illegalTransition(job: jobID, from: previous, to: next)
        }
        if next.holdsPrinter, !previous.holdsPrinter,
            let running = try runningJobID(db, printerID: job.printerID)
        {
            throw StoreError.printerBusy(printerID: job.printerID, activeJob: running)
        }
        var moved = job
        moved.enter(next, detail: detail, atMS: atMS)
        if next == .queued {
            moved.queuePosition = try nextQueuePosition(db, printerID: job.printerID)
        }
        try moved.update(db)
        try recordEvent(
            db, jobID: jobID, printerID: job.printerID, from: previous, to: next,
            kind: kind ?? JobEventKind.step(from: previous, to: next), detail: detail, atMS: atMS,
            feedsFleet: feedsFleet)
        return moved
    }

    /// The job's record as a fleet message, after its event's message; inside the transaction
    /// that changed the job.
    private static func enqueueJobRecord(_ db: Database, _ job: JobRecord, atMS: Int64) throws {
        guard let jobID = job.id else { return }
        try enqueue(
            db, printerID: job.printerID, kind: .jobRecord,
            payload: try encodeJSON(JobRecordPayload(job, jobID: jobID)), atMS: atMS)
    }

    /// Appends the job event and (feeding a fleet) its message; called inside the transaction
    /// that changed the job, so the three stay consistent.
    private static func recordEvent(
        _ db: Database, jobID: Int64, printerID: String, from: JobState?, to: JobState,
        kind: JobEventKind, detail: String?, atMS: Int64, feedsFleet: Bool
    ) throws {
        var event = JobEventRecord(
            jobID: jobID, printerID: printerID, kind: kind, fromState: from, toState: to,
            detail: detail, atMS: atMS)
        try event.insert(db)
        guard feedsFleet else { return }
        let payload = JobEventPayload(event, eventID: db.lastInsertedRowID)
        try enqueue(
            db, printerID: printerID, kind: .jobEvent, payload: try encodeJSON(payload),
            atMS: atMS)
    }
}
