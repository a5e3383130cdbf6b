import Glibc

/// Ctrl-C and SIGTERM for the bench: both are blocked, so they stay pending instead of
/// killing it, and the bench asks between steps. It then stops the run in progress with
/// SIGTERM (its children have their own process groups, so only the bench saw the Ctrl-C),
/// removes the large temporary file and prints what it measured so far.
///
/// No handler, no global state: `sigpending` is the flag.
struct Interruption {
    /// Blocks SIGINT and SIGTERM on the calling thread; call first thing in `main`, before
    /// any other thread exists, so no thread is left to receive them.
    static func install() -> Interruption {
        var set = Interruption.signals
        sigprocmask(SIG_BLOCK, &set, nil)
        return Interruption()
    }

    var isRequested: Bool {
        var pending = sigset_t()
        sigpending(&pending)
        return sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGTERM) == 1
    }

    private static var signals: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        return set
    }
}
