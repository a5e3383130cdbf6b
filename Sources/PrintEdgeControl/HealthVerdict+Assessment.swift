extension HealthVerdict {
    /// What the daemon knows at one moment, gathered by its `DaemonHealth`; `assess` decides.
    public struct Observation: Sendable, Equatable {
        /// Whether the database takes what happens (`status`'s storage).
        public var storage: StorageStatus
        /// `nil` when a file could just be created in the state directory; else why not
        /// (a read-only remount, a full disk, an owner that is not the daemon's user).
        public var writeProbeFailure: String?
        public var stateDirectory: String
        /// The state directory's filesystem; `nil` when it cannot be told (`diskFailure` says why).
        public var disk: DiskSpace?
        public var diskFailure: String?
        /// Every configured printer, in the configuration's order.
        public var printers: [PrinterObservation]
        /// With `[mqtt]`.
        public var fleet: FleetLinkStatus?

        public init(storage: StorageStatus, writeProbeFailure: String? = nil, stateDirectory: String, disk: DiskSpace?,
                    diskFailure: String? = nil, printers: [PrinterObservation], fleet: FleetLinkStatus? = nil) {
            self.storage = storage
            self.writeProbeFailure = writeProbeFailure
            self.stateDirectory = stateDirectory
            self.disk = disk
            self.diskFailure = diskFailure
            self.printers = printers
            self.fleet = fleet
        }
    }

    /// The filesystem's size and what an unprivileged user may still write (`statvfs`'s
    /// `f_bavail`: the root-reserved blocks are not the daemon's).
    public struct DiskSpace: Sendable, Equatable {
        public var availableBytes: Int64
        public var totalBytes: Int64

        public init(availableBytes: Int64, totalBytes: Int64) {
            self.availableBytes = availableBytes
            self.totalBytes = totalBytes
        }
    }

    public enum PrinterObservation: Sendable, Equatable {
        /// The printer's actor answered; `poweredOff`: a `[gpio]` relay it hangs on is off,
        /// so being offline is what it should be.
        case answered(PrinterStatus, poweredOff: Bool)
        /// The actor did not answer within the daemon's hang guard.
        case silent(id: String, seconds: Int)
    }

    /// Below either, the disk is low: the database will soon refuse writes, and the system
    /// and its journal share the card.
    public struct Thresholds: Sendable, Equatable {
        public var minimumFreeBytes: Int64
        public var minimumFreeFraction: Double

        public init(minimumFreeBytes: Int64 = 256 << 20, minimumFreeFraction: Double = 0.05) {
            self.minimumFreeBytes = minimumFreeBytes
            self.minimumFreeFraction = minimumFreeFraction
        }
    }

    /// The verdict on `observation`, made at `atMS`.
    public static func assess(_ observation: Observation, thresholds: Thresholds = Thresholds(), atMS: Int64) -> HealthVerdict {
        let printing = observation.printers.contains {
            if case .answered(let status, _) = $0 { return status.job != nil } else { return false }
        }
        var checks = [database(observation, printing: printing), disk(observation, thresholds)]
        checks += observation.printers.map(printer)
        if let fleet = observation.fleet { checks.append(fleetLink(fleet, atMS: atMS)) }
        return HealthVerdict(checks: checks, atMS: atMS)
    }

    private static func database(_ observation: Observation, printing: Bool) -> HealthCheck {
        let storage = observation.storage
        // Refusing writes stops the daemon's work only when no print is under way.
        let refusing: HealthVerdict.Level = printing ? .degraded : .failed
        let whilePrinting = printing ? "; the print under way goes on, its events held in memory" : "; no job can start"
        if storage.condition == "disk_full" {
            return HealthCheck(component: "database", level: .degraded, message: storage.message ?? "the disk is full")
        }
        if !storage.isRecording {
            return HealthCheck(component: "database", level: refusing, message: (storage.message ?? "the database refuses writes") + whilePrinting)
        }
        if let failure = observation.writeProbeFailure {
            return HealthCheck(component: "database", level: refusing,
                               message: "the state directory \(observation.stateDirectory) takes no writes (\(failure))\(whilePrinting); "
                                   + "check `mount` for a read-only remount and `dmesg` for I/O errors, and that printedged's user owns the directory")
        }
        return HealthCheck(component: "database", level: .ready, message: "recording")
    }

    private static func disk(_ observation: Observation, _ thresholds: Thresholds) -> HealthCheck {
        guard let disk = observation.disk else {
            return HealthCheck(component: "disk", level: .degraded,
                               message: "the free space of \(observation.stateDirectory) cannot be read (\(observation.diskFailure ?? "unknown"))")
        }
        let fraction = disk.totalBytes > 0 ? Double(disk.availableBytes) / Double(disk.totalBytes) : 0
        let found = "\(ByteCount(disk.availableBytes)) free of \(ByteCount(disk.totalBytes)) (\(percent(fraction)))"
        guard disk.availableBytes >= thresholds.minimumFreeBytes, fraction >= thresholds.minimumFreeFraction else {
            return HealthCheck(component: "disk", level: .degraded,
                               message: "\(found) where \(observation.stateDirectory) is, below \(ByteCount(thresholds.minimumFreeBytes)) "
                                   + "or \(percent(thresholds.minimumFreeFraction)): free space, or lower [retention] max_database_mb")
        }
        return HealthCheck(component: "disk", level: .ready, message: found)
    }

    private static func printer(_ observation: PrinterObservation) -> HealthCheck {
        switch observation {
        case .silent(let id, let seconds):
            return HealthCheck(component: "printer", subject: id, level: .failed,
                               message: "its actor has not answered for \(seconds) s; the daemon is stuck and needs a restart")
        case .answered(let status, let poweredOff):
            let job = status.job.map { " job \($0.id) (\(percent($0.fraction)))" } ?? ""
            switch status.state {
            case "printing", "paused", "finishing":
                return HealthCheck(component: "printer", subject: status.id, level: .ready, message: status.state + job)
            // A first attempt to connect is no trouble; another after one that failed is the
            // same trouble as the offline spell between them, or the verdict would flap with it.
            case let state where state == "idle" || (state == "connecting" && status.error == nil):
                return HealthCheck(component: "printer", subject: status.id, level: .ready, message: state)
            case "offline" where poweredOff:
                return HealthCheck(component: "printer", subject: status.id, level: .ready, message: "offline: switched off by its power relay")
            default:
                let detail = status.device.flatMap { $0.state == "connected" ? nil : $0.message } ?? status.error
                return HealthCheck(component: "printer", subject: status.id, level: .degraded,
                                   message: status.state + job + (detail.map { ": \($0)" } ?? "") + " (`printedge status \(status.id)`)")
            }
        }
    }

    private static func fleetLink(_ fleet: FleetLinkStatus, atMS: Int64) -> HealthCheck {
        let since = max(0, atMS - fleet.sinceMS) / 1000
        switch fleet.state {
        case "connected":
            return HealthCheck(component: "fleet", level: .ready, message: "connected to \(fleet.server)")
        case "down":
            return HealthCheck(component: "fleet", level: .degraded,
                               message: "down for \(since) s, \(fleet.server): \(fleet.lastError ?? "no reason given"); messages wait in the outbox")
        default:
            return HealthCheck(component: "fleet", level: .degraded, message: "\(fleet.state) for \(since) s, \(fleet.server)")
        }
    }

    private static func percent(_ fraction: Double) -> String {
        let tenths = Int((fraction * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }
}
