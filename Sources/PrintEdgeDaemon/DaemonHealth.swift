#if canImport(Glibc)
import Glibc
#endif
import PrintEdgeControl
import PrintEdgeStore

/// Gathers what the daemon knows about its own health and has `HealthVerdict.assess` decide:
/// the one place the `health` request and the systemd watchdog get their verdict from.
///
/// Every question has a hang guard: a printer's actor or the GPIO thread that does not
/// answer within `answerLimit` is reported as such instead of holding the verdict, so a stuck
/// daemon is told apart from a slow one and the watchdog stops being fed.
struct DaemonHealth: Sendable {
    let printers: [Printer]
    let store: Store
    let stateDirectory: String
    let telemetry: TelemetryRecorder
    var fleetLink: FleetLinkMonitor?
    var gpio: GPIOService?
    var thresholds = HealthVerdict.Thresholds()
    /// Far beyond any answer a working actor gives (microseconds), well within the
    /// watchdog's 30 s.
    var answerLimit = Duration.seconds(10)

    func verdict() async -> HealthVerdict {
        let deadline = ContinuousClock.now + answerLimit
        let statuses = printers.map { printer in Task { await printer.status() } }
        let gpio = self.gpio
        let relays = Task { () -> [PowerRelayStatus] in (try? await gpio?.power(.status, printerID: nil)) ?? [] }
        var observations: [HealthVerdict.PrinterObservation] = []
        let switchedOff = Set((await Self.answer(relays, before: deadline) ?? []).filter { !$0.on }.flatMap(\.printers))
        for (printer, status) in zip(printers, statuses) {
            if let status = await Self.answer(status, before: deadline) {
                observations.append(.answered(status, poweredOff: switchedOff.contains(status.id)))
            } else {
                observations.append(.silent(id: printer.setup.id, seconds: Int(answerLimit.components.seconds)))
            }
        }
        var disk: HealthVerdict.DiskSpace?
        var diskFailure: String?
        switch Self.diskSpace(of: stateDirectory) {
        case .success(let space): disk = space
        case .failure(let failure): diskFailure = failure.message
        }
        let observation = HealthVerdict.Observation(
            storage: await storageStatus(), writeProbeFailure: Self.probeWrite(in: stateDirectory), stateDirectory: stateDirectory,
            disk: disk, diskFailure: diskFailure, printers: observations, fleet: fleetLink?.status)
        return HealthVerdict.assess(observation, thresholds: thresholds, atMS: WallClock.nowMS())
    }

    /// What `status` says about the database: the telemetry recorder's condition and the job
    /// events the printers hold.
    func storageStatus() async -> StorageStatus {
        var heldJobEvents = 0
        var refusal: StoreError?
        for printer in printers {
            let backlog = await printer.backlogStatus()
            heldJobEvents += backlog.count
            refusal = refusal ?? backlog.refusal
        }
        return StorageStatus(recorder: await telemetry.condition, heldJobEvents: heldJobEvents, jobEventRefusal: refusal,
                             databasePath: store.path)
    }

    /// `task`'s value, or `nil` once `deadline` passed without one. The task is left to finish
    /// (or not) on its own: a stuck actor cannot be interrupted, only reported.
    static func answer<T: Sendable>(_ task: Task<T, Never>, before deadline: ContinuousClock.Instant) async -> T? {
        let (answers, continuation) = AsyncStream<T?>.makeStream(bufferingPolicy: .bufferingOldest(1))
        let waiter = Task { continuation.yield(await task.value) }
        let guardian = Task {
            try? await Task.sleep(until: deadline)
            continuation.yield(nil)
        }
        var iterator = answers.makeAsyncIterator()
        let first = await iterator.next() ?? nil
        guardian.cancel()
        waiter.cancel()
        continuation.finish()
        return first
    }

    struct Failure: Error {
        var message: String
    }

    /// The state directory's filesystem, as an unprivileged writer sees it.
    static func diskSpace(of directory: String) -> Result<HealthVerdict.DiskSpace, Failure> {
        var info = statvfs()
        guard statvfs(directory, &info) == 0 else { return .failure(Failure(message: String(cString: strerror(errno)))) }
        let block = Int64(info.f_frsize)
        return .success(HealthVerdict.DiskSpace(availableBytes: Int64(info.f_bavail) * block, totalBytes: Int64(info.f_blocks) * block))
    }

    /// Writes one byte to a new file in `directory`, which is never named (`O_TMPFILE`) so
    /// there is nothing to clean up, even after a crash; `nil` when it worked, else the
    /// error. Catches what the store meets only at its next write: a read-only remount
    /// (EROFS), a full disk (ENOSPC: ext4 reserves blocks at `write`, before writeback), a
    /// directory the daemon's user no longer owns (EACCES).
    static func probeWrite(in directory: String) -> String? {
        // O_TMPFILE is a macro Swift does not import: `__O_TMPFILE | O_DIRECTORY`, where
        // __O_TMPFILE is 020000000 on every architecture Linux runs printedge on
        // (asm-generic/fcntl.h; only O_DIRECTORY's value differs, and it is imported).
        let unnamedFile = 0o20000000 | O_DIRECTORY
        var descriptor = open(directory, unnamedFile | O_WRONLY | O_CLOEXEC, 0o600)
        var named: String?
        if descriptor < 0, errno == EOPNOTSUPP || errno == EISDIR {
            // A filesystem without unnamed files: a named one, removed at once.
            let path = directory + "/.printedged-probe-\(getpid())"
            descriptor = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0o600)
            named = path
        }
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        defer {
            close(descriptor)
            if let named { unlink(named) }
        }
        var byte: UInt8 = 0x0A
        guard write(descriptor, &byte, 1) == 1 else { return String(cString: strerror(errno)) }
        return nil
    }
}
