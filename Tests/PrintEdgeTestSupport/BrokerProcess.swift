import Foundation

/// A child process started clean (`spawnClean`: it sees SIGTERM, which mosquitto started
/// through `Process` would not), its standard output and error appended to a file, stopped by
/// PID.
public final class BrokerProcess: @unchecked Sendable {
    public let pid: pid_t
    private let lock = NSLock()
    private var exitStatus: Int32?
    /// Set once a stop has been asked for; the thread reaping the child then owns `pid`.
    private var stopping = false

    public init(_ executable: String, _ arguments: [String], appendingOutputTo logPath: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        pid = try spawnClean(executable, arguments, actions: &actions)
    }

    /// SIGKILL; the child is reaped on a thread of its own, nobody waits for it.
    deinit {
        let pid = pid
        if beginStop(with: SIGKILL) { Thread.detachNewThread { _ = Self.reap(pid) } }
    }

    /// Whether the child still runs (reaps it if it has exited).
    public var isRunning: Bool {
        lock.withLock {
            guard exitStatus == nil, !stopping else { return false }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                exitStatus = status
                return false
            }
            return true
        }
    }

    /// Sends `signal` and returns once the child has exited; the wait holds a thread of its
    /// own, not one of the cooperative pool's.
    public func terminate(with signal: Int32) async {
        guard beginStop(with: signal) else { return }
        let pid = pid
        let status = try? await onThreadOfItsOwn { Self.reap(pid) }
        lock.withLock { exitStatus = status }
    }

    public func send(_ signal: Int32) {
        lock.withLock {
            if exitStatus == nil, !stopping {
                _ = kill(pid, signal)
            }
        }
    }

    /// Sends `signal` unless the child was reaped or is being stopped already; true when
    /// the caller is to reap it.
    private func beginStop(with signal: Int32) -> Bool {
        lock.withLock {
            guard exitStatus == nil, !stopping else { return false }
            stopping = true
            kill(pid, signal)
            return true
        }
    }

    private static func reap(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        return status
    }
}
