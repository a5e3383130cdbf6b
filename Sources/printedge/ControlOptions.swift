#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import PrintEdgeControl

/// How every daemon-facing subcommand finds the daemon, and how much it says.
struct ControlOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The daemon's control socket (default: $PRINTEDGE_SOCKET, /run/printedge/printedged.sock, then ./printedge-state/printedged.sock).", valueName: "path"),
            completion: .file())
    var socket: String?

    @Flag(name: .shortAndLong, help: "Print nothing but errors and what was asked for (--json, a follow's outcome); the exit status tells the rest.")
    var quiet = false

    /// The first candidate that exists, so a daemon started from a checkout and a system one
    /// are both found without flags.
    var socketPath: String { Self.socketPath(given: socket) }

    static func socketPath(given socket: String?) -> String {
        if let socket { return socket }
        if let fromEnvironment = getenv("PRINTEDGE_SOCKET").map({ String(cString: $0) }), !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        for candidate in ["/run/printedge/printedged.sock", "printedge-state/printedged.sock"] where access(candidate, F_OK) == 0 {
            return candidate
        }
        return "/run/printedge/printedged.sock"
    }

    func connect() throws(CLIFailure) -> ControlClient {
        do {
            return try ControlClient(socketPath: socketPath)
        } catch {
            throw CLIFailure(error)
        }
    }

    /// One request, one final reply; an error reply becomes a `CLIFailure` with its exit status.
    @discardableResult
    func call(_ request: ControlRequest, attaching file: Int32? = nil, onLine: (ControlReply) -> Void = { _ in }) throws(CLIFailure) -> ControlReply {
        let client = try connect()
        let reply: ControlReply
        do {
            reply = try client.call(request, attaching: file, onLine: onLine)
        } catch {
            throw CLIFailure(error)
        }
        if let error = reply.error { throw CLIFailure(error) }
        return reply
    }

    /// `printer`, or the daemon's only printer when there is exactly one: naming it is a chore.
    func printer(_ printer: String?) throws(CLIFailure) -> String {
        if let printer { return printer }
        let printers = try call(ControlRequest(id: 0, command: "status")).printers ?? []
        guard printers.count == 1, let only = printers.first else {
            throw CLIFailure(.usage, "the daemon has \(printers.count) printers (\(printers.map(\.id).joined(separator: ", "))): name one with --printer")
        }
        return only.id
    }
}
