import PrintEdgeControl

/// What a printer does, as far as its GPIO lines care: the status LED shows it, the power
/// relay counts its idle time from it and keeps a hot hotend powered.
struct PrinterActivity: Sendable, Equatable {
    var state: PrinterState
    var hasJob: Bool
    /// Every hotend's measured temperature; `nil` while the printer does not answer (nobody
    /// knows then that its hotend is cool).
    var hotendCelsius: [Double]?
}

/// A printer's side of `GPIOService`: its actor reports what it does and asks whether a job
/// may start or resume, and for power before one starts.
///
/// Reports and power requests are commands the service's thread takes in order; the
/// interlock answers come from the snapshot that thread keeps, so the actor never waits for
/// a line to be read.
final class GPIOPrinterLink: Sendable {
    let printerID: String
    private let service: GPIOService

    init(printerID: String, service: GPIOService) {
        self.printerID = printerID
        self.service = service
    }

    func report(_ activity: PrinterActivity) {
        service.post(.activity(printerID: printerID, activity))
    }

    /// Why a job may not start now (an emergency stop pressed, the door open, no filament);
    /// `nil` when nothing wired to this printer objects.
    func startRefusal() -> String? {
        service.interlocks(of: printerID).startRefusal
    }

    /// Why a paused job may not resume now; `nil` when it may.
    func resumeRefusal() -> String? {
        service.interlocks(of: printerID).resumeRefusal
    }

    /// Returns once the printer's power relay is on and the printer is connected: at once
    /// when it already is (or has no relay), else after switching the relay on and waiting
    /// for the printer to appear. Throws when it does not appear in time.
    func powerForJob() async throws(ControlError) {
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Void, ControlError>, Never>) in
            service.post(.jobWillStart(printerID: printerID, reply: { continuation.resume(returning: $0) }))
        }
        try outcome.get()
    }

    /// The job `powerForJob` was for did not start after all: the relay stops counting it.
    func jobAbandoned() {
        service.post(.jobEnded(printerID: printerID))
    }
}
