import PrintEdgeCore

/// One job's lines on their way through a `PrinterConnection`: read from the file a few
/// dozen ahead of the wire, followed from queued to written to handled, so that progress,
/// a pause and a crash recovery all know exactly which line of the file the printer has.
///
/// A class owned by the connection's loop alone; never shared across threads.
final class JobStreamer {
    enum Phase: Equatable {
        case feeding
        /// The file is through; waiting for the proof that its last line was handled.
        case finishing(checkpoint: Int)
        case pausing(checkpoint: Int, park: [String])
        case paused
        /// `M410` is out; waiting for the lines already written before quick-stopping again.
        case cancelling(checkpoint: Int, script: [String])
        /// The cancel script is out; waiting for it to be handled.
        case cancelled(checkpoint: Int)
        case done
    }

    private struct QueuedLine {
        var sourceLine: Int
        var startOffset: Int
        var endOffset: Int
        var command: [UInt8]
    }

    private struct WrittenLine {
        var lineNumber: Int
        var sourceLine: Int
        var endOffset: Int
        var zMM: Double?
    }

    let feed: PrinterConnection.JobFeed
    var phase = Phase.feeding
    private var reader: GCodeFileReader?
    private var preflight: GCodePreflight
    private var queued = RingBuffer<QueuedLine>(capacity: 64)
    private var written = RingBuffer<WrittenLine>(capacity: 64)
    /// The state the lines written so far leave the printer in.
    private var machineState = GCodeMachineState()
    private var acknowledged = PrinterConnection.JobProgress()
    /// Where reading resumes after a pause: the first line not written.
    private var resumeOffset: Int
    private var resumeLinesBefore: Int

    init(feed: PrinterConnection.JobFeed) throws(GCodeFileReader.Failure) {
        self.feed = feed
        preflight = GCodePreflight(maxFramedBytes: feed.maxFramedBytes)
        resumeOffset = feed.startByteOffset
        resumeLinesBefore = feed.linesBefore
        acknowledged.acknowledgedSourceLine = feed.linesBefore
        acknowledged.acknowledgedByteOffset = feed.startByteOffset
        try reopen()
    }

    var isActive: Bool { phase != .done }

    /// Where the job stands after the lines written so far, for a pause.
    var position: PrinterConnection.JobPosition {
        .init(nextByteOffset: resumeOffset, linesBefore: resumeLinesBefore, machineState: machineState)
    }

    /// The next command of the file, or `nil` at its end.
    func nextLine() throws(JobStreamError) -> GCodeLine? {
        guard let reader else { return nil }
        while true {
            let raw: ArraySlice<UInt8>?
            do throws(GCodeFileReader.Failure) {
                raw = try reader.nextLine()
            } catch {
                throw .file(error)
            }
            guard let raw else { return nil }
            let command: [UInt8]?
            do throws(GCodePreflight.Rejection) {
                command = try preflight.check(rawLine: raw)
            } catch {
                throw .rejected(error, path: feed.path)
            }
            guard let command else { continue }
            let start = reader.lineStartOffset
            queued.append(QueuedLine(sourceLine: reader.sourceLine, startOffset: start,
                                     endOffset: start + raw.count + 1, command: command))
            return GCodeLine(sourceLine: reader.sourceLine, command: command)
        }
    }

    /// A line of this job went out for the first time.
    func written(lineNumber: Int, sourceLine: Int) {
        while let first = queued.first, first.sourceLine < sourceLine { queued.popFirst() }
        guard let line = queued.first, line.sourceLine == sourceLine else { return }
        queued.popFirst()
        machineState.apply(line.command)
        acknowledged.linesSent += 1
        resumeOffset = line.endOffset
        resumeLinesBefore = sourceLine
        written.append(WrittenLine(lineNumber: lineNumber, sourceLine: sourceLine, endOffset: line.endOffset,
                                   zMM: machineState.knownAxes.contains(.z) ? machineState.position.zMM : nil))
    }

    /// Queued lines the protocol gave back (a pause): reading resumes at the first of them.
    func takeBack(_ lines: [GCodeLine]) {
        if let first = lines.first, let queuedFirst = queued.first, queuedFirst.sourceLine == first.sourceLine {
            resumeOffset = queuedFirst.startOffset
            resumeLinesBefore = first.sourceLine - 1
        }
        queued.removeAll()
        closeFile()
    }

    func closeFile() {
        reader = nil
    }

    /// Opens the file where reading is to go on: the feed's start, or after a pause the
    /// first line not written.
    func reopen() throws(GCodeFileReader.Failure) {
        reader = try GCodeFileReader(path: feed.path, startingAt: resumeOffset, sourceLine: resumeLinesBefore + 1)
    }

    /// The job's progress, given what the protocol says the firmware has handled.
    func progress(through protocolProgress: StreamProgress) -> PrinterConnection.JobProgress {
        while let first = written.first, first.lineNumber <= protocolProgress.highestAcknowledgedLineNumber {
            written.popFirst()
            acknowledged.acknowledgedSourceLine = first.sourceLine
            acknowledged.acknowledgedByteOffset = first.endOffset
            acknowledged.zMM = first.zMM
        }
        acknowledged.resendRequests = protocolProgress.resendRequests
        acknowledged.timeouts = protocolProgress.timeouts
        return acknowledged
    }
}

/// Why a job's stream cannot go on.
enum JobStreamError: Error, CustomStringConvertible {
    case file(GCodeFileReader.Failure)
    case rejected(GCodePreflight.Rejection, path: String)

    var description: String {
        switch self {
        case .file(let failure): failure.description
        case .rejected(let rejection, let path): "\(path): \(rejection)"
        }
    }
}
