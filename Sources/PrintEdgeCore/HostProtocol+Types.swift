extension HostProtocol {
    public struct Configuration: Sendable {
        public var flow: FlowSelection = .auto
        public var rxBufferBytes = 128
        public var commandSlots = 4
        /// Framed lines kept for resends.
        public var historyLines = 1024
        /// The wire's speed (baud / 10 for 8N1): how long bytes already written may still be
        /// travelling to the firmware.
        public var wireBytesPerSecond = 11_520
        /// Silence (no `ok`, `busy`, error or resend) after which the host resends the oldest
        /// unacknowledged line. Marlin sends `busy: processing` every 2 s while a command runs,
        /// so a longer silence means the firmware is idle: an `ok` or a line was lost.
        public var communicationTimeout: Duration = .seconds(4)
        /// Timeouts in a row without any answer before the printer is declared gone.
        public var maxConsecutiveTimeouts = 5
        /// After a resend request, how long to wait without another one before resending;
        /// stale requests arrive one reply-time apart.
        public var resendQuietPeriod: Duration = .milliseconds(10)
        /// Longest wait for the firmware's queue to empty before resending anyway (its `ok`s
        /// may have been lost).
        public var resendPatience: Duration = .milliseconds(250)
        public var handshakeTimeout: Duration = .seconds(2)
        public var handshakeAttempts = 5
        /// With plain `ok`s, a numbered `M105` every this many lines re-synchronises the count
        /// of lines in flight, so a lost `ok` costs a fraction of the window for a moment instead
        /// of a stall. 0 turns it off. ADVANCED_OK needs none: every `ok` names its line.
        public var syncEveryLines = 64
        /// Silence with lines in flight after which a sync goes out at once: two lost `ok`s
        /// fill a window of long lines, and waiting for the next periodic sync (or the
        /// communication timeout) would stall the stream. Harmless when the firmware was just
        /// busy with a long move: the sync waits in its queue.
        public var stallSyncDelay: Duration = .milliseconds(100)
        public var maxRequestsForSameLine = 10
        /// File lines the caller should keep queued ahead of the wire.
        public var lookaheadLines = 32
        /// `//action:cancel` from the printer's screen ends a single stream. A connection that
        /// outlives jobs reports it and cancels the job itself.
        public var printerCancelEndsStream = true
        /// `//action:pause` (someone paused on the printer's screen and expects the host to do
        /// it) holds a single stream until `//action:resume`. A connection that outlives jobs
        /// reports it and pauses the job itself, as for the user's own pause: it stops feeding,
        /// sends its park G-code and resumes from the exact next line, none of which could be
        /// written while the stream is held. `//action:paused` (the firmware paused itself, a
        /// filament change say) holds the stream either way, and any resume releases it.
        public var printerPauseHoldsStream = true

        public init() {}
    }

    public enum Status: Sendable, Equatable {
        case idle
        case handshaking
        case streaming
        /// The printer asked to pause (`//action:pause`); nothing new is sent until it resumes.
        case pausedByPrinter
        case finished
        case failed(HostProtocolError)
        /// `M112` went out: the firmware is halted and nothing more is sent.
        case emergencyStopped
        /// The user stopped the stream: nothing more is sent.
        case stopped
    }

    public enum EmergencyCommand: Sendable, Equatable {
        /// `M112`: kill the firmware at once (heaters and motors off).
        case emergencyStop
        /// `M108`: break out of a heating or user wait.
        case cancelWait
        /// `M410`: stop all motion, discarding the planner.
        case quickStop
        /// `M876 S<n>`: answer a host prompt.
        case promptResponse(Int)

        var text: String {
            switch self {
            case .emergencyStop: "M112"
            case .cancelWait: "M108"
            case .quickStop: "M410"
            case .promptResponse(let choice): "M876 S\(choice)"
            }
        }
    }

    public struct Transmission: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            case hello
            case identify
            /// The renumber and numbered `M105` that prove earlier replies are over.
            case confirm
            /// `N1 M110 N1`, alone: the renumber that ends the handshake.
            case renumber
            /// A numbered line; `sourceLine` 0 is one of the host's own sync `M105`s.
            case line(number: Int, sourceLine: Int, isRetransmission: Bool)
            case emergency(EmergencyCommand)
        }

        public var bytes: [UInt8]
        public var kind: Kind
        /// For a file line, the file's own text (when the caller provided it), for logs.
        public var original = ""
    }

    /// Something the caller may want to show or log.
    public enum Event: Sendable, Equatable {
        case identified(FirmwareInfo?, capabilities: [String: Bool], flow: FlowStrategy)
        case temperature(TemperatureReport)
        case hostAction(HostAction)
        case resendRequested(line: Int)
        case timeout(consecutive: Int)
        case firmwareMessage(String)
        case firmwareError(String)
        case unrecognised(String)
        /// A reply during the handshake from before it: a previous session's, or the hello's
        /// own `ok`. Worth a log line, never acted on.
        case ignored(String)
        case finished
        /// Every line queued before the `requestCheckpoint` that returned this id (and every
        /// earlier one) has been handled.
        case checkpointReached(through: Int)
        case failed(HostProtocolError)
    }
}
