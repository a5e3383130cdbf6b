import PrintEdgeCore
import PrintEdgeSerial

extension PrinterConnection {
    public struct Options: Sendable {
        public var port: SerialPort.Configuration
        public var protocolConfiguration = HostProtocol.Configuration()
        /// How often temperatures are wanted: `M155 S<n>` when the firmware reports by itself
        /// (`Cap:AUTOREPORT_TEMP:1`), a numbered `M105` at this pace otherwise; `nil` never
        /// asks (a single stream that only wants its lines through).
        public var temperatureInterval: Duration? = .seconds(1)
        public var progressInterval: Duration = .milliseconds(250)
        /// How often the port's path is checked: a removed node does not always hang up the fd.
        public var presenceCheckInterval: Duration = .seconds(1)
        /// The connection closes once its job has ended: `printedge stream`, one job then close.
        public var closesAfterJob = false

        /// A connection that outlives its jobs (the daemon's): the printer's own pause and
        /// cancel are reported for the owner to carry out, as the user's would be.
        public init(port: SerialPort.Configuration) {
            self.port = port
            protocolConfiguration.printerCancelEndsStream = false
            protocolConfiguration.printerPauseHoldsStream = false
            protocolConfiguration.wireBytesPerSecond = max(1, port.baudRate / 10)
        }

        /// One job, then close (`printedge stream`): no temperature polls in the stream, the
        /// printer's pause holds it and its cancel ends it.
        public static func singleJob(port: SerialPort.Configuration) -> Options {
            var options = Options(port: port)
            options.protocolConfiguration.printerCancelEndsStream = true
            options.protocolConfiguration.printerPauseHoldsStream = true
            options.temperatureInterval = nil
            options.closesAfterJob = true
            return options
        }
    }

    /// What the printer's owner asks of the connection; performed on the connection's thread
    /// between two lines, never in the middle of one.
    public enum Command: Sendable {
        /// The user's own G-code, or a calibration's; `tag` comes back in `.sendCompleted` once
        /// every line was handled. `exclusive` lines each go out alone, and nothing else (no
        /// line, no sync, no temperature poll) goes out while one runs (`GCodeLine.isExclusive`).
        case send(lines: [String], tag: UInt64, exclusive: Bool = false)
        case startJob(JobFeed)
        /// Stops feeding at once, waits until the lines already written are handled, then
        /// sends `park` (and `M400`) and reports `.jobPaused` with where the job stopped once
        /// the head is parked.
        case pause(park: [String])
        /// Sends `restore`, then feeds the job again from the line after the last one written.
        case resume(restore: [String])
        /// The owner recorded that the job's `layer` may have begun (`.layerReached`): its
        /// first line may go out.
        case layerRecorded(Int)
        /// `M114`; `.positionReported` with `tag` once it was handled.
        case queryPosition(tag: UInt64)
        /// Stops feeding, quick-stops the motion (`M410`, twice: now, and once the lines
        /// already written are through), then sends `script` and reports `.jobCancelled`.
        case cancel(script: [String])
        case emergencyStop
        /// `M108` or `M410` ahead of everything queued, the stream going on (a calibration's
        /// safe stop).
        case emergency(HostProtocol.EmergencyCommand)
        case close
    }

    /// A job to stream, possibly from the middle (a resumed or recovered job).
    public struct JobFeed: Sendable {
        public var path: String
        /// Where to start reading: 0, or the first byte of a line.
        public var startByteOffset: Int
        /// The file's line number just before `startByteOffset` (0 from the start).
        public var linesBefore: Int
        /// Sent ahead of the file's lines: the profile's start G-code, or a recovery's
        /// restore sequence.
        public var prologue: [String]
        public var maxFramedBytes: Int
        /// Where each layer's first line starts, in layer order: the stream holds before each
        /// until the owner has recorded it (`.layerReached`, `.layerRecorded`).
        public var layerByteOffsets: [Int]
        /// Each layer's first extrusion (file line → layer): an `M400` follows it, whose answer
        /// proves the layer is printed at its height (`.layerPrinted`).
        public var layerFirstPrintLines: [Int: Int]
        /// The state the printer is in when the file's lines start: after the prologue of a
        /// recovery, the layer's resume state at the height the prologue leaves.
        public var machineState: GCodeMachineState

        public init(path: String, startByteOffset: Int = 0, linesBefore: Int = 0, prologue: [String] = [],
                    maxFramedBytes: Int = LineFraming.marlinMaxLineBytes, layerByteOffsets: [Int] = [],
                    layerFirstPrintLines: [Int: Int] = [:], machineState: GCodeMachineState = GCodeMachineState()) {
            self.path = path
            self.startByteOffset = startByteOffset
            self.linesBefore = linesBefore
            self.prologue = prologue
            self.maxFramedBytes = maxFramedBytes
            self.layerByteOffsets = layerByteOffsets
            self.layerFirstPrintLines = layerFirstPrintLines
            self.machineState = machineState
        }
    }

    /// How far a job is, counted in what the firmware has handled.
    public struct JobProgress: Sendable, Equatable {
        /// The file's line number of the last line handled.
        public var acknowledgedSourceLine = 0
        /// The file offset just past that line: progress by bytes, and where a resume starts.
        public var acknowledgedByteOffset = 0
        /// The Z height the printer had reached with that line, once known.
        public var zMM: Double?
        public var linesSent = 0
        public var resendRequests = 0
        public var timeouts = 0
        /// The filament the handled lines of this stream moved, net of retractions, in
        /// millimetres as the G-code commands it (since the job's stream started: a
        /// recovered job counts from where it was recovered).
        public var extrudedMM = 0.0

        public init() {}
    }

    public enum Event: Sendable {
        /// `rebooted`: the firmware printed `start` during the handshake, so it lost its position.
        case ready(FirmwareInfo?, capabilities: [String: Bool], flow: FlowStrategy, rebooted: Bool)
        /// A reply during the handshake that belongs to what the firmware did before it.
        case ignoredBeforeHandshake(String)
        case temperature(TemperatureReport)
        /// A line from the printer, while a console listens.
        case reply(String)
        case sendCompleted(tag: UInt64)
        case jobProgress(JobProgress)
        /// Every line before `layer`'s first has been handled; the stream holds until
        /// `.layerRecorded`.
        case layerReached(Int, JobProgress)
        /// The printer has printed at `layer`'s height: the `M400` sent after the layer's first
        /// extrusion was answered, so the head had physically come down to it.
        case layerPrinted(Int)
        /// The pause is parked (its G-code carried out).
        case jobPaused(JobPosition, JobProgress)
        case jobCompleted(JobProgress)
        case jobCancelled(JobProgress)
        case jobFailed(reason: String, JobProgress)
        /// `//action:` from the printer's own screen: pause, resume and cancel are the owner's
        /// to carry out (as `.pause`, `.resume`, `.cancel`); only `paused`, the firmware pausing
        /// by itself, already holds the stream until it resumes.
        case hostAction(HostAction)
        case firmwareMessage(String)
        case firmwareError(String)
        /// The answer to `.queryPosition`; `nil` when no position line came before its `ok`.
        case positionReported(tag: UInt64, FirmwarePosition?)
        /// The printer stayed silent with lines awaited: the oldest goes out again.
        case timeout(consecutive: Int)
        /// The protocol's counters, every `progressInterval` and once at the end, with the time
        /// since the handshake ended.
        case linkProgress(StreamProgress, streamingFor: Duration)
    }

    /// Why a job ends when its connection is closed on request.
    public static let closedReason = "the connection was closed"

    /// Why `run` returned.
    public enum Ending: Sendable, Equatable {
        /// `close` was asked for, the stop descriptor fired, or (`closesAfterJob`) the job ended.
        case closed
        case failed(LinkFailure)
    }

    /// Why a link ended without being asked to.
    public enum LinkFailure: Sendable, Equatable, CustomStringConvertible {
        case cannotOpen(SerialError)
        /// The device went away, or the port failed under us.
        case disconnected(path: String, reason: String)
        case protocolFailure(HostProtocolError)
        case emergencyStopped

        public var description: String {
            switch self {
            case .cannotOpen(let error): error.description
            case .disconnected(let path, let reason): SerialError.disconnected(path: path, reason: reason).description
            case .protocolFailure(let error): error.description
            case .emergencyStopped: "emergency stop (M112) sent: the firmware is halted until the printer is reset"
            }
        }
    }
}
