import ArgumentParser
import PrintEdgeControl
import PrintEdgeCore

/// Shell completion from the running daemon: printer ids and job ids, asked on the control
/// socket the command line names (`--socket`, else the usual places). When no daemon answers,
/// nothing is offered and nothing is printed: a Tab must never spill an error into the prompt.
enum DaemonCompletion {
    @Sendable static func printers(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        let reply = ask(ControlRequest(id: 0, command: "status"), words: words)
        return (reply?.printers ?? []).map(\.id).filter { $0.hasPrefix(prefix) }
    }

    /// Job ids, newest first, of the printer the line names with `--printer` if it does.
    @Sendable static func jobs(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        let reply = ask(ControlRequest(id: 0, command: "jobs.list", printer: value(of: "--printer", in: words), limit: 50), words: words)
        return (reply?.jobs ?? []).map { String($0.id) }.filter { $0.hasPrefix(prefix) }
    }

    /// The job states `--state` takes.
    static let jobStates = JobState.allCases.map(\.rawValue)

    private static func ask(_ request: ControlRequest, words: [String]) -> ControlReply? {
        let socket = ControlOptions.socketPath(given: value(of: "--socket", in: words))
        guard let client = try? ControlClient(socketPath: socket), let reply = try? client.call(request), reply.ok == true else { return nil }
        return reply
    }

    /// The value given to `option` (`--socket path` or `--socket=path`), as typed.
    private static func value(of option: String, in words: [String]) -> String? {
        for (index, word) in words.enumerated() {
            if word == option, index + 1 < words.count { return words[index + 1] }
            if word.hasPrefix(option + "=") { return String(word.dropFirst(option.count + 1)) }
        }
        return nil
    }
}
