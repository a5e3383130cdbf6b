import PrintEdgeControl
import Testing

/// The one verdict `printedge health`, the watchdog and `/healthz` show: which conditions
/// degrade it, which fail it, and which never may.
@Suite struct HealthVerdictTests {
    private let recording = StorageStatus(condition: "recording")
    private let roomy = HealthVerdict.DiskSpace(availableBytes: 20 << 30, totalBytes: 30 << 30)
    private let now: Int64 = 1_700_000_100_000

    private func printer(_ id: String, _ state: String, job: Int64? = nil, error: String? = nil, poweredOff: Bool = false)
        -> HealthVerdict.PrinterObservation
    {
        let summary = job.map {
            JobSummary(id: $0, printer: id, name: "cube", state: "printing", sha256: "", sizeBytes: 100, commands: 10, layers: 2,
                       estimatedSeconds: nil, filamentMM: nil, acknowledgedSourceLine: 5, acknowledgedBytes: 45, zMM: nil, layer: nil,
                       fraction: 0.45, etaSeconds: nil, failureReason: nil, submittedAtMS: 0, endedAtMS: nil)
        }
        return .answered(PrinterStatus(id: id, name: id, state: state, port: "/dev/ttyACM0", error: error, job: summary),
                         poweredOff: poweredOff)
    }

    private func assess(storage: StorageStatus? = nil, probe: String? = nil, disk: HealthVerdict.DiskSpace? = nil,
                        printers: [HealthVerdict.PrinterObservation], fleet: FleetLinkStatus? = nil) -> HealthVerdict {
        HealthVerdict.assess(
            .init(storage: storage ?? recording, writeProbeFailure: probe, stateDirectory: "/var/lib/printedge", disk: disk ?? roomy,
                  printers: printers, fleet: fleet),
            atMS: now)
    }

    @Test func everyCheckPassingIsReadyAndFeedsTheWatchdog() {
        let verdict = assess(printers: [printer("mk3s", "idle"), printer("ender", "printing", job: 3)],
                             fleet: FleetLinkStatus(state: "connected", server: "broker:1883", agent: "pi", sinceMS: now - 5000))
        #expect(verdict.level == .ready)
        #expect(verdict.summary == "ready")
        #expect(verdict.feedsWatchdog)
        #expect(verdict.checks.map(\.name) == ["database", "disk", "printer mk3s", "printer ender", "fleet"])
        #expect(verdict.checks[1].message == "20 GiB free of 30 GiB (66.7%)")
        #expect(verdict.checks[3].message == "printing job 3 (45.0%)")
        #expect(verdict.level.exitStatus == 0)
    }

    @Test func anOfflinePrinterOrADownLinkDegradesAndSaysWhy() {
        let verdict = assess(
            printers: [printer("mk3s", "offline", error: "cannot open /dev/ttyACM0: No such file or directory"), printer("ender", "error", error: "thermal runaway")],
            fleet: FleetLinkStatus(state: "down", server: "broker:1883", agent: "pi", sinceMS: now - 90_000, lastError: "connection refused"))
        #expect(verdict.level == .degraded)
        #expect(verdict.feedsWatchdog, "a degraded daemon still works: systemd must not restart it")
        #expect(verdict.level.exitStatus == 1)
        #expect(verdict.summary == "degraded: printer mk3s: offline: cannot open /dev/ttyACM0: No such file or directory (`printedge status mk3s`); "
            + "printer ender: error: thermal runaway (`printedge status ender`); "
            + "fleet: down for 90 s, broker:1883: connection refused; messages wait in the outbox")
    }

    @Test func aPrinterSwitchedOffByItsRelayIsExpectedToBeOffline() {
        let verdict = assess(printers: [printer("mk3s", "offline", poweredOff: true)])
        #expect(verdict.level == .ready)
        #expect(verdict.checks.last?.message == "offline: switched off by its power relay")
    }

    @Test func aStuckActorFailsTheVerdictAndStopsTheWatchdog() {
        let verdict = assess(printers: [printer("mk3s", "idle"), .silent(id: "ender", seconds: 10)])
        #expect(verdict.level == .failed)
        #expect(!verdict.feedsWatchdog)
        #expect(verdict.level.exitStatus == 2)
        #expect(verdict.summary.hasPrefix("failed: printer ender: its actor has not answered for 10 s"))
    }

    @Test func aDatabaseRefusingWritesFailsOnlyWhileNothingPrints() {
        let failing = StorageStatus(condition: "failing", message: "the database refuses writes since … (readOnly)")
        let idle = assess(storage: failing, printers: [printer("mk3s", "idle")])
        #expect(idle.level == .failed)
        #expect(idle.checks[0].message.hasSuffix("; no job can start"))
        let printing = assess(storage: failing, printers: [printer("mk3s", "printing", job: 4)])
        #expect(printing.level == .degraded, "a restart would stop the print half-way, heaters on")
        #expect(printing.checks[0].message.hasSuffix("the print under way goes on, its events held in memory"))
    }

    @Test func aStateDirectoryThatTakesNoWriteIsTheSameAsARefusingDatabase() {
        let verdict = assess(probe: "Read-only file system", printers: [printer("mk3s", "idle")])
        #expect(verdict.level == .failed)
        #expect(verdict.checks[0].message.hasPrefix("the state directory /var/lib/printedge takes no writes (Read-only file system); no job can start"))
    }

    @Test func aFullDiskOrALowOneOnlyDegrades() {
        let full = assess(storage: StorageStatus(condition: "disk_full", message: "the disk is full since …"), printers: [printer("mk3s", "idle")])
        #expect(full.level == .degraded, "the store's disk-full mode catches up by itself; a restart frees nothing")
        let low = assess(disk: .init(availableBytes: 200 << 20, totalBytes: 30 << 30), printers: [])
        #expect(low.level == .degraded)
        #expect(low.checks[1].message == "200 MiB free of 30 GiB (0.7%) where /var/lib/printedge is, below 256 MiB or 5.0%: free space, or lower [retention] max_database_mb")
        let smallCard = assess(disk: .init(availableBytes: 300 << 20, totalBytes: 4 << 30), printers: [])
        #expect(smallCard.level == .ready, "300 MiB of 4 GiB is 7.3%: above both")
        let bigDisk = assess(disk: .init(availableBytes: 2 << 30, totalBytes: 100 << 30), printers: [])
        #expect(bigDisk.level == .degraded, "2 GiB of 100 GiB is below 5%")
    }

    @Test func theVerdictRoundTripsThroughTheControlReply() throws {
        let verdict = assess(printers: [printer("mk3s", "offline")])
        let line = try ControlCoding.encode(ControlReply(id: 4, ok: true, health: verdict))
        let reply = try ControlCoding.decode(ControlReply.self, from: line.dropLast())
        #expect(reply.health == verdict)
    }
}
