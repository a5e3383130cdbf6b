import Foundation

/// A child process started with `posix_spawn`, its standard output and error appended to a
/// file, stopped by PID.
///
/// Not Foundation's `Process`: a child inherits its parent's signal mask, and the test runner's
/// threads block SIGTERM, SIGINT and SIGHUP. mosquitto waits for them with `epoll_pwait`
/// using the mask it started with, so a broker started through `Process` never sees SIGTERM.
/// Here the child starts with an empty mask and default handlers, and none of the test
/// process's descriptors.
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
        closeInheritedDescriptors(in: &actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGUSR1, SIGUSR2] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard code == 0 else {
            throw TestSetupError("posix_spawn \(executable): \(String(cString: strerror(code)))")
        }
        self.pid = pid
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
