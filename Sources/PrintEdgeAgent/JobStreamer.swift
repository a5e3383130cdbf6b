import PrintEdgeCore

/// One job's lines on their way through a `PrinterConnection`: read from the file a few
/// dozen ahead of the wire, followed from queued to written to handled, so that progress,
/// a pause and a crash recovery all know exactly which line of the file the printer has.
///
/// A class owned by the connection's loop alone; never shared across threads.
final class JobStreamer {
    enum Phase: Equatable {
        case feeding
        /// The next line begins `layer`: held until every line before it has been handled and
        /// the owner has recorded that the layer may have begun (`.layerRecorded`), so a crash
        /// recovery never restarts below a layer the printer had started.
        case reachingLayer(Int, checkpoint: Int)
        case awaitingLayerRecord(Int)
        /// The file is through; waiting for the proof that its last line was handled.
        case finishing(checkpoint: Int)
        case pausing(checkpoint: Int, park: [String])
        /// The park G-code is out (ending with `M400`); waiting for it to be carried out.
        case parking(checkpoint: Int, parkedZMM: Double?)
        case paused
        /// `M410` is out; waiting for the lines already written before quick-stopping again.
        case cancelling(checkpoint: Int, script: [String])
        /// The cancel script is out; waiting for it to be handled.
        case cancelled(checkpoint: Int)
        case done
    }

    /// What the file gives next.
    enum Next {
        case line(GCodeLine)
        /// The next line is the first of this layer, which has not been recorded yet.
        case layer(Int)
        case end
    }

    private struct QueuedLine {
        var sourceLine: Int
        var startOffset: Int
        var endOffset: Int
        var command: [UInt8]
        var original: String
    }

    private struct WrittenLine {
        var lineNumber: Int
        var sourceLine: Int
        var endOffset: Int
        var zMM: Double?
        /// The filament this line moved (negative: a retraction).
        var extrudedMM: Double
    }

    let feed: PrinterConnection.JobFeed
    var phase = Phase.feeding
    private var reader: GCodeFileReader?
    private var preflight: GCodePreflight
    /// A layer's first line read but not handed out until its layer is recorded.
    private var held: (line: QueuedLine, layer: Int)?
    /// Layers up to this one are recorded and pass without holding.
    private var recordedThroughLayer = -1
    /// Layers whose first extrusion (this file line) went out with an `M400` behind it, oldest
    /// first: the layer is printed once a later line of the file is acknowledged, since Marlin
    /// answers in order and answers `M400` only once every move before it is carried out.
    private var printConfirmations: [(layer: Int, firstPrintLine: Int)] = []
    /// Layers proven printed since the owner was last told.
    private var printedLayers: [Int] = []
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
        machineState = feed.machineState
        acknowledged.acknowledgedSourceLine = feed.linesBefore
        acknowledged.acknowledgedByteOffset = feed.startByteOffset
        try reopen()
    }

    var isActive: Bool { phase != .done }

    /// Lines are flowing or waiting at a layer's start: a pause may stop them.
    var isFeeding: Bool {
        switch phase {
        case .feeding, .reachingLayer, .awaitingLayerRecord: true
        default: false
        }
    }

    /// Where the job stands after the lines written so far, for a pause.
    var position: JobPosition {
        .init(nextByteOffset: resumeOffset, linesBefore: resumeLinesBefore, machineState: machineState, parkedZMM: nil)
    }

    /// The next command of the file, the layer it is the first line of when that layer has
    /// not been recorded, or the end of the file.
    /// `keepingText`: each line carries the file's own text (comments included) for the wire log.
    func next(keepingText: Bool = false) throws(JobStreamError) -> Next {
        if let held, held.layer <= recordedThroughLayer {
            self.held = nil
            queued.append(held.line)
            return .line(GCodeLine(sourceLine: held.line.sourceLine, command: held.line.command, original: held.line.original))
        }
        if let held { return .layer(held.layer) }
        guard let reader else { return .end }
        while true {
            let raw: ArraySlice<UInt8>?
            do throws(GCodeFileReader.Failure) {
                raw = try reader.nextLine()
            } catch {
                throw .file(error)
            }
            guard let raw else { return .end }
            let command: [UInt8]?
            do throws(GCodePreflight.Rejection) {
                command = try preflight.check(rawLine: raw)
            } catch {
                throw .rejected(error, path: feed.path)
            }
            guard let command else { continue }
            let start = reader.lineStartOffset
            let line = QueuedLine(sourceLine: reader.sourceLine, startOffset: start, endOffset: start + raw.count + 1, command: command,
                                  original: keepingText ? String(decoding: raw, as: UTF8.self) : "")
            if let layer = layerStarting(at: start), layer > recordedThroughLayer {
                held = (line, layer)
                return .layer(layer)
            }
            queued.append(line)
            return .line(GCodeLine(sourceLine: line.sourceLine, command: command, original: line.original))
        }
    }

    /// The layer whose first extrusion is file line `sourceLine`, if any.
    func layerFirstPrinted(at sourceLine: Int) -> Int? {
        feed.layerFirstPrintLines[sourceLine]
    }

    /// The layer's first extrusion, file line `sourceLine`, is queued with an `M400` behind it.
    func awaitPrintConfirmation(of layer: Int, firstPrintLine sourceLine: Int) {
        printConfirmations.append((layer, sourceLine))
    }

    /// The layers proven printed since the last call, as `progress(through:)` found them.
    func takePrintedLayers() -> [Int] {
        defer { printedLayers.removeAll() }
        return printedLayers
    }

    /// The owner recorded that `layer` may have begun: its first line may go out.
    func layerRecorded(_ layer: Int) {
        recordedThroughLayer = max(recordedThroughLayer, layer)
    }

    /// The layer whose first line starts at `offset`, if any (offsets are in layer order).
    private func layerStarting(at offset: Int) -> Int? {
        var low = 0
        var high = feed.layerByteOffsets.count
        while low < high {
            let middle = (low + high) / 2
            if feed.layerByteOffsets[middle] < offset { low = middle + 1 } else { high = middle }
        }
        return low < feed.layerByteOffsets.count && feed.layerByteOffsets[low] == offset ? low : nil
    }

    /// A line of this job went out for the first time.
    func written(lineNumber: Int, sourceLine: Int) {
        while let first = queued.first, first.sourceLine < sourceLine { queued.popFirst() }
        guard let line = queued.first, line.sourceLine == sourceLine else { return }
        queued.popFirst()
        let extruded = machineState.extrusion(applying: line.command)
        acknowledged.linesSent += 1
        resumeOffset = line.endOffset
        resumeLinesBefore = sourceLine
        written.append(WrittenLine(lineNumber: lineNumber, sourceLine: sourceLine, endOffset: line.endOffset,
                                   zMM: machineState.knownAxes.contains(.z) ? machineState.position.zMM : nil, extrudedMM: extruded))
    }

    /// Queued lines the protocol gave back (a pause): reading resumes at the first of them,
    /// or at a layer's held first line.
    func takeBack(_ lines: [GCodeLine]) {
        if let first = lines.first, let queuedFirst = queued.first, queuedFirst.sourceLine == first.sourceLine {
            resumeOffset = queuedFirst.startOffset
            resumeLinesBefore = first.sourceLine - 1
        } else if let held {
            resumeOffset = held.line.startOffset
            resumeLinesBefore = held.line.sourceLine - 1
        }
        held = nil
        queued.removeAll()
        closeFile()
    }

    /// Where the head ends up after `park`, from the state the written lines left.
    func parkedZ(after park: [String]) -> Double? {
        var state = machineState
        for line in park {
            if let command = GCodeNormalizer.normalize(Array(line.utf8)) { state.apply(command) }
        }
        return state.knownAxes.contains(.z) ? state.position.zMM : nil
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
            acknowledged.extrudedMM += first.extrudedMM
        }
        while let first = printConfirmations.first, first.firstPrintLine < acknowledged.acknowledgedSourceLine {
            printConfirmations.removeFirst()
            printedLayers.append(first.layer)
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
