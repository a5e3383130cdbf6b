#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import PrintEdgeControl

/// How every daemon-facing subcommand finds the daemon, and how it prints.
struct ControlOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The daemon's control socket (default: $PRINTEDGE_SOCKET, /run/printedge/printedged.sock, then ./printedge-state/printedged.sock).", valueName: "path"))
    var socket: String?

    /// The first candidate that exists, so a daemon started from a checkout and a system one
    /// are both found without flags.
    var socketPath: String {
        if let socket { return socket }
        if let fromEnvironment = getenv("PRINTEDGE_SOCKET").map({ String(cString: $0) }), !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        for candidate in ["/run/printedge/printedged.sock", "printedge-state/printedged.sock"] where access(candidate, F_OK) == 0 {
            return candidate
        }
        return "/run/printedge/printedged.sock"
    }

    func connect() throws -> ControlClient {
        do {
            return try ControlClient(socketPath: socketPath)
        } catch {
            throw DaemonUnavailable(message: error.description)
        }
    }

    /// One request, one final reply; an error reply becomes a one-line message and exit 1.
    @discardableResult
    func call(_ request: ControlRequest, attaching file: Int32? = nil, onLine: (ControlReply) -> Void = { _ in }) throws -> ControlReply {
        let client = try connect()
        let reply: ControlReply
        do {
            reply = try client.call(request, attaching: file, onLine: onLine)
        } catch {
            throw DaemonUnavailable(message: error.description)
        }
        if let error = reply.error {
            throw DaemonRefused(message: error.message, code: error.code.rawValue)
        }
        return reply
    }
}

/// The daemon is not there: one line, exit 69 (EX_UNAVAILABLE).
struct DaemonUnavailable: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// The daemon answered with an error: one line, exit 1.
struct DaemonRefused: Error, CustomStringConvertible {
    var message: String
    var code: String
    var description: String { message }
}

/// Prints a reply's JSON for `--json`: stable keys, one object.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Runs a daemon-facing command body and turns its failures into the exit codes above.
func reportingDaemonErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as DaemonUnavailable {
        standardError("printedge: \(error)")
        throw ExitCode(69)
    } catch let error as DaemonRefused {
        standardError("printedge: \(error)")
        throw ExitCode(1)
    }
}

extension JobSummary {
    var line: String {
        var parts = ["#\(id)", state, name, "on \(printer)"]
        if state == "printing" || state == "paused" || state == "interrupted" {
            parts.append(String(format: "%.1f%%", fraction * 100))
            if let layer { parts.append("layer \(layer + 1)/\(layers)") }
            if let zMM { parts.append(String(format: "Z %.2f mm", zMM)) }
            if let etaSeconds { parts.append("ETA \(duration(etaSeconds))") }
        } else if state == "queued", let estimatedSeconds {
            parts.append("est. \(duration(estimatedSeconds)), \(commands) commands, \(layers) layers")
        }
        if let failureReason { parts.append("(\(failureReason))") }
        return parts.joined(separator: "  ")
    }
}

func duration(_ seconds: Double) -> String {
    let total = Int(seconds.rounded())
    return total >= 3600 ? "\(total / 3600)h\(String(format: "%02d", total % 3600 / 60))m" : "\(total / 60)m\(String(format: "%02d", total % 60))s"
}
