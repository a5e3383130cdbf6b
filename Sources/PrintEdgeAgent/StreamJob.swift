import PrintEdgeCore
import PrintEdgeSerial

/// A G-code file that passed the pre-flight check, with what progress needs to know.
public struct StreamJob: Sendable {
    public var path: String
    public var maxFramedBytes: Int
    /// Commands that will be sent (comments and blank lines excluded).
    public var commands: Int
    public var sourceLines: Int
    public var commandBytes: Int

    /// Reads the whole file once, before anything is sent: a line the firmware cannot take
    /// is refused now, with its line number, rather than an hour into the print.
    public static func prepare(path: String, maxFramedBytes: Int = LineFraming.marlinMaxLineBytes) throws(StreamFailure) -> StreamJob {
        var preflight = GCodePreflight(maxFramedBytes: maxFramedBytes)
        let reader: GCodeFileReader
        do throws(GCodeFileReader.Failure) {
            reader = try GCodeFileReader(path: path)
        } catch {
            throw .file(error)
        }
        while true {
            let line: ArraySlice<UInt8>?
            do throws(GCodeFileReader.Failure) {
                line = try reader.nextLine()
            } catch {
                throw .file(error)
            }
            guard let line else { break }
            do throws(GCodePreflight.Rejection) {
                _ = try preflight.check(rawLine: line)
            } catch {
                throw .rejected(error, path: path)
            }
        }
        if preflight.commands == 0 {
            throw .empty(path: path)
        }
        return StreamJob(path: path, maxFramedBytes: maxFramedBytes, commands: preflight.commands,
                         sourceLines: preflight.sourceLines, commandBytes: preflight.commandBytes)
    }
}

/// What ends a stream other than success. Messages say what happened, where, and what to do.
public enum StreamFailure: Error, Sendable, CustomStringConvertible {
    case file(GCodeFileReader.Failure)
    case rejected(GCodePreflight.Rejection, path: String)
    case empty(path: String)
    case port(SerialError)
    case log(SerialLog.Failure)
    case disconnected(path: String, reason: String, lastAcknowledgedLine: Int, totalLines: Int)
    case protocolFailure(HostProtocolError)
    case interrupted(lastAcknowledgedLine: Int, totalLines: Int)
    case emergencyStopped(lastAcknowledgedLine: Int)
    /// The job could not go on: the file became unreadable, or a line was refused on the way.
    case jobFailed(String)

    public var description: String {
        switch self {
        case .file(let failure):
            "\(failure)"
        case .rejected(let rejection, let path):
            "\(path) refused before sending anything: \(rejection)"
        case .empty(let path):
            "\(path) holds no G-code command (only comments or blank lines): nothing to print"
        case .port(let error):
            "\(error)"
        case .log(let failure):
            "\(failure)"
        case .disconnected(let path, let reason, let line, let total):
            "printer disconnected: \(path) (\(reason)) after \(line) of \(total) lines; check the USB cable and the printer's power"
        case .protocolFailure(let error):
            "\(error)"
        case .interrupted(let line, let total):
            "stopped by request after \(line) of \(total) lines were acknowledged; the printer finishes the moves it has buffered and keeps its heaters as they are"
        case .emergencyStopped(let line):
            "emergency stop (M112) sent after line \(line): the printer is halted; reset it before printing again"
        case .jobFailed(let reason):
            reason
        }
    }
}

/// The outcome of a completed stream, as `printedge stream --json` prints it.
public struct StreamSummary: Sendable, Equatable {
    public var progress: StreamProgress
    /// From the end of the handshake to the final acknowledgement.
    public var elapsed: Duration

    public init(progress: StreamProgress, elapsed: Duration) {
        self.progress = progress
        self.elapsed = elapsed
    }

    public var linesPerSecond: Double {
        elapsed.seconds > 0 ? Double(progress.linesAcknowledged) / elapsed.seconds : 0
    }
}
