import Foundation
import PrintEdgeTestSupport
import Testing

/// A command running in a real terminal — a tmux pane of a fixed size, on a tmux server of
/// its own — typed into with `send-keys` and read back as the screen shows it
/// (`capture-pane`): what a person at the keyboard would type and see, escape sequences
/// interpreted by a terminal emulator rather than asserted as bytes.
final class TerminalSession {
    private let server: String
    let columns: Int
    let rows: Int

    /// `command` runs in `sh -c`; when it ends the pane shows `EXIT=<status>` and stays for
    /// five minutes at most (the server ends with it, whatever happens to the test).
    init(_ command: String, columns: Int = 100, rows: Int = 30) async throws {
        server = "printedge-test-\(UUID().uuidString.prefix(8))"
        self.columns = columns
        self.rows = rows
        let result = try await tmux(["new-session", "-d", "-x", String(columns), "-y", String(rows),
                                     "\(command); echo EXIT=$?; sleep 300"])
        guard result.status == 0 else { throw SimulatorError(description: "tmux did not start: \(result.standardError)") }
    }

    /// Ends the server and what runs in it.
    func close() async {
        _ = try? await tmux(["kill-server"])
    }

    /// The screen, one string per row, trailing blanks cut.
    func screen() async throws -> [String] {
        let result = try await tmux(["capture-pane", "-p", "-t", "0"])
        return result.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0.reversed().drop { $0 == " " }.reversed())
        }
    }

    /// Keys as tmux names them (`Enter`, `Up`, `C-x`) or literal text.
    func type(_ keys: String...) async throws {
        _ = try await tmux(["send-keys", "-t", "0"] + keys)
    }

    /// Text typed as it is, never read as a key name.
    func typeLiterally(_ text: String) async throws {
        _ = try await tmux(["send-keys", "-t", "0", "-l", text])
    }

    /// Polls the screen until `condition` holds; past `limit` (a hang guard, not a timing
    /// expectation) the test fails showing the screen.
    @discardableResult
    func waitForScreen(_ what: String, limit: Duration = .seconds(120), _ condition: ([String]) -> Bool) async throws -> [String] {
        let deadline = ContinuousClock.now + limit
        var last: [String] = []
        while ContinuousClock.now < deadline {
            last = try await screen()
            if condition(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the screen never showed \(what):\n\(last.joined(separator: "\n"))")
        throw SimulatorError(description: "gave up waiting for \(what)")
    }

    @discardableResult
    func waitForScreen(containing text: String, limit: Duration = .seconds(120)) async throws -> [String] {
        try await waitForScreen("`\(text)`", limit: limit) { $0.contains { $0.contains(text) } }
    }

    private func tmux(_ arguments: [String]) async throws -> CommandRun {
        try await runCommand("/usr/bin/env", ["tmux", "-L", server] + arguments, limit: .seconds(30))
    }
}

/// Runs any program to completion, its output in files. Spawned with `spawnClean` and reaped
/// with `waitpid` rather than with `ToolRun`'s `Process`, which learns of a child's end from a
/// descriptor the child inherits: `tmux new-session` leaves its server holding that
/// descriptor, and such a child would never be seen to end.
func runCommand(_ path: String, _ arguments: [String], limit: Duration = .seconds(60), directory: String? = nil,
                environment: [String: String] = [:]) async throws -> CommandRun {
    let scratch = try TemporaryDirectory()
    let outPath = scratch.file("out")
    let errPath = scratch.file("err")
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    // glibc's posix_spawn_file_actions_addchdir_np is not visible to Swift: a shell changes
    // directory, then becomes the program.
    if let directory {
        return try await runCommand("/bin/sh", ["-c", "cd \"$0\" && exec \"$@\"", directory, path] + arguments, limit: limit,
                                    environment: environment)
    }
    let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
    // The test's threads block most signals: tmux's server, with SIGCHLD and SIGTERM
    // blocked, would never end. spawnClean starts it clean.
    let pid = try spawnClean(path, arguments, actions: &actions, environment: variables)
    var status: Int32 = 0
    let deadline = ContinuousClock.now + limit
    while waitpid(pid, &status, WNOHANG) == 0 {
        if ContinuousClock.now >= deadline {
            Issue.record("\(path) \(arguments.joined(separator: " ")) still running after \(limit)")
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
            break
        }
        try await Task.sleep(for: .milliseconds(20))
    }
    let exited = status & 0x7F == 0
    return CommandRun(status: exited ? (status >> 8) & 0xFF : 128 + status & 0x7F,
                      standardOutput: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                      standardError: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
}

/// What `runCommand` gives back.
struct CommandRun {
    var status: Int32
    var standardOutput: String
    var standardError: String
}
