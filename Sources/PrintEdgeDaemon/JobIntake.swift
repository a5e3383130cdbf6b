#if canImport(Glibc)
import Glibc
#endif
import Logging
import PrintEdgeAgent
import PrintEdgeControl
import PrintEdgeCore
import PrintEdgePOSIX
import PrintEdgeStore

/// Takes a G-code file into the spool: copied (so the user may delete or edit theirs),
/// hashed with SHA-256 on the way, analysed once, checked against the printer's limits, and
/// recorded as a queued job with its layer index (what recovery restarts from).
struct JobIntake: Sendable {
    let spoolDirectory: String
    let store: Store
    /// The daemon's journal, for each job taken ("job 12 submitted"). No default: a
    /// `Logger(label:)` of its own wrote through swift-log's stand-in handler, in another
    /// format, without the journal's priorities and outside `--log-level`.
    let logger: Logger

    struct Request: Sendable {
        /// Names the file in messages and gives the job its default name; read only when no
        /// `file` came with the request.
        var path: String
        /// The submitter's open file (`printedge jobs submit` passes it), read with their rights.
        var file: PassedFile?
        var printerID: String
        var name: String?
        var force: Bool
        var limits: MachineLimits
        var maxFramedBytes: Int
        /// Told how far the copy and the analysis are, every `progressStepBytes` and once the
        /// copy is complete (from the intake's own thread).
        var progress: (@Sendable (SubmissionProgress) -> Void)? = nil
    }

    /// Often enough that a bar moves every second or so on a Pi, rarely enough to cost nothing.
    static let progressStepBytes = 4 << 20

    /// Deletes the copies a crash or power cut left half-taken (`.incoming-*`); at start-up,
    /// before any intake runs. Returns their names.
    @discardableResult
    func removeLeftovers() -> [String] {
        let leftovers = DirectoryListing.names(in: spoolDirectory).filter { $0.hasPrefix(".incoming-") }
        return leftovers.filter { unlink("\(spoolDirectory)/\($0)") == 0 }
    }

    /// Runs on a thread of its own: a 100 MB file takes seconds to copy and analyse.
    func submit(_ request: Request) async throws(ControlError) -> JobRecord {
        let result = await DedicatedThread.run { () -> Result<JobRecord, ControlError> in
            defer { HeapTrim.releaseFreedMemory() }
            do throws(ControlError) {
                return .success(try submitNow(request))
            } catch {
                return .failure(error)
            }
        }
        let record = try result.get()
        logger.notice("job \(record.id ?? 0) submitted: \(record.name), \(record.commands) commands, \(record.layerCount) layers",
                      metadata: ["printer": "\(record.printerID)", "job": "\(record.id ?? 0)"])
        return record
    }

    private func submitNow(_ request: Request) throws(ControlError) -> JobRecord {
        guard mkdirAll(spoolDirectory) else {
            throw ControlError(code: .storage, message: "cannot create the spool directory \(spoolDirectory): \(String(cString: strerror(errno)))")
        }
        let copied = try copy(request)
        let temporary = copied.path
        // Analysed before it takes its name: a refused file leaves nothing in the spool (its
        // name may be the spooled copy an earlier job with the same content prints from).
        let analysis: GCodeAnalysis
        do throws(ControlError) {
            analysis = try analyse(temporary, sizeBytes: copied.size, request: request)
            if !request.force, let violation = analysis.limitViolations.first {
                throw ControlError(code: .rejectedFile, message: "\(request.path): \(violation) (\(analysis.limitViolationCount) problem(s) in all); nothing was queued: fix the file or the printer's profile, or submit with --force")
            }
        } catch {
            unlink(temporary)
            throw error
        }
        let finalPath = spoolDirectory + "/\(copied.sha256).gcode"
        guard rename(temporary, finalPath) == 0 else {
            unlink(temporary)
            throw ControlError(code: .storage, message: "cannot move the spooled file into \(spoolDirectory): \(String(cString: strerror(errno)))")
        }
        var record = JobRecord(
            printerID: request.printerID, name: request.name ?? Self.baseName(request.path), spoolPath: finalPath,
            sha256: copied.sha256, sizeBytes: Int64(copied.size), commands: analysis.commands,
            sourceLines: analysis.sourceLines, layerCount: analysis.layers.count,
            estimatedSeconds: Double((analysis.slicerEstimate ?? analysis.estimatedDuration) / .milliseconds(1)) / 1000,
            filamentMM: analysis.filamentMM, boundingBoxJSON: JSONText.encode(analysis.extrusionBounds),
            analysisJSON: nil, forced: request.force, submittedAtMS: WallClock.nowMS())
        record.analysisJSON = JSONText.encode(AnalysisSummary(analysis))
        let layers = analysis.layers.lazy.map { layer in
            JobLayerRecord(jobID: 0, layer: layer.index, zMM: layer.zMM, sourceLine: layer.sourceLine,
                           byteOffset: Int64(layer.byteOffset), resumeJSON: JSONText.encode(layer.resumeState),
                           firstPrintSourceLine: layer.firstPrintSourceLine, printedHeightMM: layer.printedHeightMM)
        }
        do {
            return try store.submitJob(record, layers: layers)
        } catch {
            throw ControlError(code: .storage, message: error.description)
        }
    }

    /// Copies the request's file into a new temporary file of the spool; returns its path.
    private func copy(_ request: Request) throws(ControlError) -> (path: String, sha256: String, size: Int) {
        let source = request.path
        let input: Int32
        if let file = request.file {
            input = file.descriptor
        } else {
            input = open(source, O_RDONLY | O_CLOEXEC)
            guard input >= 0 else {
                throw ControlError(code: .unreadableFile, message: "cannot read \(source): \(String(cString: strerror(errno))) (the daemon reads a path as its own user, in its own sandbox; `printedge jobs submit` passes the open file instead)")
            }
        }
        defer { if request.file == nil { close(input) } }
        let (output, destination) = try createIncomingFile()
        var hash = SHA256()
        var size = 0
        var information = stat()
        let total = fstat(input, &information) == 0 && (information.st_mode & S_IFMT) == S_IFREG ? Int64(information.st_size) : nil
        var reportedAt = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 {
                let reason = String(cString: strerror(errno))
                close(output)
                unlink(destination)
                throw ControlError(code: .unreadableFile, message: "reading \(source) failed: \(reason)")
            }
            if count == 0 { break }
            hash.update(buffer[..<count])
            size += count
            if let progress = request.progress, size - reportedAt >= Self.progressStepBytes {
                reportedAt = size
                progress(SubmissionProgress(stage: "copying", doneBytes: Int64(size), totalBytes: total))
            }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { write(output, $0.baseAddress.map { $0 + offset }, count - offset) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else {
                    let reason = errno == ENOSPC ? "the disk is full" : String(cString: strerror(errno))
                    close(output)
                    unlink(destination)
                    throw ControlError(code: .storage, message: "cannot spool \(source) into \(spoolDirectory): \(reason)")
                }
                offset += written
            }
        }
        let synced = fsync(output) == 0
        close(output)
        guard synced else {
            unlink(destination)
            throw ControlError(code: .storage, message: "cannot write \(source) to disk in \(spoolDirectory): \(String(cString: strerror(errno)))")
        }
        request.progress?(SubmissionProgress(stage: "copying", doneBytes: Int64(size), totalBytes: Int64(size)))
        return (destination, hash.finalizeHex(), size)
    }

    /// A new, empty file in the spool for a copy on its way in, opened for writing:
    /// `.incoming-<pid>-<random>`, created with `O_EXCL` and another name tried if one exists.
    /// A name of the pid and the time alone was not unique: two deliveries (the control socket
    /// and the fleet) reaching this point in the same millisecond took the same one, and the
    /// second was refused. Not `mkstemp`: its file is not close-on-exec from the start, and the
    /// daemon starts simulator processes from other threads (glibc's `mkostemp` is not
    /// visible to Swift).
    private func createIncomingFile() throws(ControlError) -> (descriptor: Int32, path: String) {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<100 {
            let path = "\(spoolDirectory)/.incoming-\(getpid())-\(String(random.next() as UInt64, radix: 36))"
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
            if descriptor >= 0 { return (descriptor, path) }
            guard errno == EEXIST else { break }
        }
        throw ControlError(code: .storage, message: "cannot write into \(spoolDirectory): \(String(cString: strerror(errno)))")
    }

    private func analyse(_ path: String, sizeBytes: Int, request: Request) throws(ControlError) -> GCodeAnalysis {
        var analyzer = GCodeAnalyzer(options: .init(limits: request.limits))
        var preflight = GCodePreflight(maxFramedBytes: request.maxFramedBytes)
        var reportedAt = 0
        do {
            let reader = try GCodeFileReader(path: path)
            while let line = try reader.nextLine() {
                if let progress = request.progress, reader.lineStartOffset - reportedAt >= Self.progressStepBytes {
                    reportedAt = reader.lineStartOffset
                    progress(SubmissionProgress(stage: "analysing", doneBytes: Int64(reportedAt), totalBytes: Int64(sizeBytes)))
                }
                analyzer.consume(rawLine: line, byteOffset: reader.lineStartOffset)
                do {
                    _ = try preflight.check(rawLine: line)
                } catch {
                    guard request.force else {
                        throw ControlError(code: .rejectedFile, message: "\(request.path) \(error); the printer's firmware cannot take this line")
                    }
                }
            }
        } catch let error as ControlError {
            throw error
        } catch {
            throw ControlError(code: .unreadableFile, message: "\(error)")
        }
        guard preflight.commands > 0 else {
            throw ControlError(code: .rejectedFile, message: "\(request.path) holds no G-code command (only comments or blank lines)")
        }
        return analyzer.finish()
    }

    private static func baseName(_ path: String) -> String {
        String(path.split(separator: "/").last ?? Substring(path))
    }
}

/// What the job list shows of an analysis, kept with the job.
private struct AnalysisSummary: Encodable {
    var estimatedSeconds: Double
    var slicerEstimateSeconds: Double?
    var maxHotendTargetCelsius: Double?
    var maxBedTargetCelsius: Double?
    var firstLayerHeightMM: Double?
    var limitViolations: [String]

    init(_ analysis: GCodeAnalysis) {
        estimatedSeconds = Double(analysis.estimatedDuration / .milliseconds(1)) / 1000
        slicerEstimateSeconds = analysis.slicerEstimate.map { Double($0 / .milliseconds(1)) / 1000 }
        maxHotendTargetCelsius = analysis.maxHotendTargetCelsius
        maxBedTargetCelsius = analysis.maxBedTargetCelsius
        firstLayerHeightMM = analysis.firstLayerHeightMM
        limitViolations = analysis.limitViolations.map(\.description)
    }
}

/// `mkdir -p` with mode 0750.
func mkdirAll(_ path: String) -> Bool {
    var current = path.hasPrefix("/") ? "" : "."
    for component in path.split(separator: "/") {
        current += "/" + component
        if mkdir(current, 0o750) != 0 && errno != EEXIST { return false }
    }
    return true
}
