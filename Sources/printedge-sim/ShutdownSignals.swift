import Glibc
import PrintEdgeSerial

/// SIGTERM and SIGINT end the simulator cleanly: the handler only pokes the wake-up
/// descriptor (async-signal-safe), and the I/O loop, woken from ppoll, shuts down.
///
/// Both signals are also unblocked: a child inherits its parent thread's signal mask, and
/// test runners (Swift Testing's worker threads among them) block them, which left a
/// simulator spawned from a test deaf to SIGTERM.
enum ShutdownSignals {
    /// The descriptor the handler writes to: a C signal handler cannot capture context.
    nonisolated(unsafe) private static var wakeupFileDescriptor: Int32 = -1

    static func install(waking wakeup: WakeupPipe) {
        wakeupFileDescriptor = wakeup.fileDescriptor
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            WakeupPipe.wake(fileDescriptor: ShutdownSignals.wakeupFileDescriptor)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGTERM, &action, nil)
        sigaction(SIGINT, &action, nil)
        signal(SIGPIPE, SIG_IGN)
        var handled = sigset_t()
        sigemptyset(&handled)
        sigaddset(&handled, SIGTERM)
        sigaddset(&handled, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &handled, nil)
    }
}
