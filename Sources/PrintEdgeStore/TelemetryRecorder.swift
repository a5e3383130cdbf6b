import PrintEdgeCore

/// Collects telemetry in memory and writes it in batches, so a printer's actor hands a
/// sample over and goes back to its link without ever waiting on the disk.
///
/// The caller drives time: `record(_:atMS:)` only buffers; `flushIfDue(nowMS:)` writes once
/// a batch is `batchMaxRows` long or its oldest sample has waited `batchMaxAge`. Writes
/// suspend on the store's writer rather than block, and the actor stays reentrant during
/// them, so samples keep arriving while a batch is written.
///
/// When the disk is full the samples stay here (at most `bufferLimit`; past that the
/// oldest are dropped and counted), `condition` says so, and a later flush that succeeds
/// writes them all and returns to `.recording`. Job events never pass through here: they
/// go straight to `Store.transition`, whose disk-full error reaches its caller.
public actor TelemetryRecorder {
    public struct Policy: Sendable, Equatable {
        public var batchMaxRows: Int
        public var batchMaxAge: Duration
        /// Samples kept while writes fail; about 50 bytes each plus the strings' storage.
        public var bufferLimit: Int
        /// With a fleet link: each batch write also gathers the samples into `telemetry`
        /// outbox messages within these limits, in the same transaction.
        public var fleetMessages: FleetTelemetryLimits?

        public init(
            batchMaxRows: Int = 500, batchMaxAge: Duration = .seconds(2), bufferLimit: Int = 50_000,
            fleetMessages: FleetTelemetryLimits? = nil
        ) {
            self.batchMaxRows = batchMaxRows
            self.batchMaxAge = batchMaxAge
            self.bufferLimit = bufferLimit
            self.fleetMessages = fleetMessages
        }
    }

    public enum Condition: Sendable, Equatable {
        case recording
        /// Writes fail with SQLITE_FULL since `sinceMS`; `buffered` samples wait, `dropped`
        /// were discarded (oldest first) to stay within the buffer limit.
        case diskFull(sinceMS: Int64, buffered: Int, dropped: Int)
        /// Writes fail for another reason (I/O error, read-only remount); samples wait too.
        case failing(StoreError, sinceMS: Int64, buffered: Int, dropped: Int)
    }

    /// A buffered sample and when the caller handed it over, which is what batch age counts.
    private struct Pending: Sendable {
        var sample: TelemetrySample
        var recordedAtMS: Int64
    }

    /// Rows per transaction when a long backlog drains, so job transitions queued on the
    /// same writer wait for one chunk, not for the whole backlog.
    private static let maxRowsPerTransaction = 10_000

    private let store: Store
    public nonisolated let policy: Policy
    private var buffer = RingBuffer<Pending>(capacity: 1_024)
    private var writing = false
    private var failure: (error: StoreError, sinceMS: Int64, dropped: Int)?
    private var lastAttemptMS: Int64?
    /// Per printer, the oldest sample written but not yet in a fleet message.
    private var fleetBacklog: FleetTelemetryBacklog = [:]
    /// Samples discarded to respect `bufferLimit` since the recorder was created.
    public private(set) var droppedTotal = 0
    /// Rows written since the recorder was created.
    public private(set) var writtenTotal = 0
    /// Told how long each batch's transaction took, failed ones included (`/metrics`).
    private let writeObserver: (@Sendable (Duration) -> Void)?

    public init(store: Store, policy: Policy = Policy(), writeObserver: (@Sendable (Duration) -> Void)? = nil) {
        self.store = store
        self.policy = policy
        self.writeObserver = writeObserver
    }

    public var bufferedCount: Int { buffer.count }

    public var condition: Condition {
        guard let failure else { return .recording }
        if case .diskFull = failure.error {
            return .diskFull(sinceMS: failure.sinceMS, buffered: buffer.count, dropped: failure.dropped)
        }
        return .failing(failure.error, sinceMS: failure.sinceMS, buffered: buffer.count, dropped: failure.dropped)
    }

    /// Buffers samples; never touches the disk.
    public func record(_ samples: [TelemetrySample], atMS nowMS: Int64) {
        for sample in samples {
            buffer.append(Pending(sample: sample, recordedAtMS: nowMS))
        }
        dropOverflow()
    }

    public func record(_ sample: TelemetrySample, atMS nowMS: Int64) {
        record([sample], atMS: nowMS)
    }

    /// A batch is full or old enough, or a fleet message's oldest sample reached its age limit
    /// (new samples or not); while writes fail, retries come at most once per `batchMaxAge`
    /// so a full disk is not hammered.
    public func isFlushDue(nowMS: Int64) -> Bool {
        if failure == nil, let limits = policy.fleetMessages, let waiting = fleetBacklog.values.min(),
            nowMS - waiting >= limits.maxAgeMS
        {
            return true
        }
        guard let oldest = buffer.first else { return false }
        if failure != nil, let lastAttemptMS {
            return Duration.milliseconds(nowMS - lastAttemptMS) >= policy.batchMaxAge
        }
        return buffer.count >= policy.batchMaxRows
            || Duration.milliseconds(nowMS - oldest.recordedAtMS) >= policy.batchMaxAge
    }

    /// Writes the buffer if a batch is due; see `flush(nowMS:)`.
    @discardableResult
    public func flushIfDue(nowMS: Int64) async throws(StoreError) -> Int {
        guard isFlushDue(nowMS: nowMS) else { return 0 }
        return try await flush(nowMS: nowMS)
    }

    /// Writes every sample buffered when called (at shutdown, say), oldest first, and
    /// returns how many rows were written. Returns 0 at once if a flush is already running.
    ///
    /// On `.diskFull` the unwritten samples go back to the front of the buffer and the
    /// condition changes; nothing is thrown, since that is the situation the buffer is for.
    /// Any other store error also keeps the samples, and is thrown.
    @discardableResult
    public func flush(nowMS: Int64) async throws(StoreError) -> Int {
        guard !writing else { return 0 }
        writing = true
        defer { writing = false }
        lastAttemptMS = nowMS
        var remaining = buffer.count
        var written = 0
        if remaining == 0, policy.fleetMessages != nil, !fleetBacklog.isEmpty {
            // No new samples, but a fleet message waited long enough: it goes out alone.
            do {
                _ = try await write([], nowMS: nowMS)
                failure = nil
            } catch {
                if failure?.error != error { failure = (error, nowMS, 0) }
                if case .diskFull = error { return 0 }
                throw error
            }
            return 0
        }
        while remaining > 0, !buffer.isEmpty {
            var batch: [Pending] = []
            batch.reserveCapacity(min(remaining, Self.maxRowsPerTransaction))
            while batch.count < Self.maxRowsPerTransaction, batch.count < remaining,
                let pending = buffer.popFirst()
            {
                batch.append(pending)
            }
            remaining -= batch.count
            do {
                written += try await write(batch.map(\.sample), nowMS: nowMS)
            } catch {
                putBack(batch)
                if failure?.error != error {
                    failure = (error, nowMS, 0)
                }
                writtenTotal += written
                if case .diskFull = error { return written }
                throw error
            }
        }
        writtenTotal += written
        failure = nil
        return written
    }

    /// One transaction: the samples, and with a fleet link the messages they complete.
    private func write(_ samples: [TelemetrySample], nowMS: Int64) async throws(StoreError) -> Int {
        let started = ContinuousClock.now
        defer { writeObserver?(ContinuousClock.now - started) }
        guard let limits = policy.fleetMessages else { return try await store.writeTelemetry(samples) }
        let (written, backlog) = try await store.writeTelemetry(samples, fleet: limits, nowMS: nowMS)
        fleetBacklog = backlog
        return written
    }

    /// Returns an unwritten batch to the front, ahead of samples recorded meanwhile.
    private func putBack(_ batch: [Pending]) {
        var restored = RingBuffer<Pending>(capacity: batch.count + buffer.count)
        for pending in batch { restored.append(pending) }
        while let pending = buffer.popFirst() { restored.append(pending) }
        buffer = restored
        dropOverflow()
    }

    private func dropOverflow() {
        while buffer.count > policy.bufferLimit {
            buffer.popFirst()
            droppedTotal += 1
            failure?.dropped += 1
        }
    }
}
