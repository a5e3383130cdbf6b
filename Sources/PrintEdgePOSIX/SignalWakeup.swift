import Glibc

/// Routes stop signals to a `WakeupPipe`, so an I/O loop blocked in ppoll ends between two
/// lines instead of the process dying with half a line on the wire.
///
/// The signals are also unblocked: a child inherits its parent thread's signal mask, and
/// some parents (Swift Testing's worker threads among them) block everything, which leaves
/// the child deaf to SIGTERM and Ctrl-C.
public enum SignalWakeup {
    /// Read only by the handler; written once, before the handlers are installed.
    nonisolated(unsafe) private static var descriptor: Int32 = -1

    /// - Parameter secondSignalKills: restore the default action after the first signal, so
    ///   a second Ctrl-C ends the process at once, as users expect of a command.
    public static func install(_ signals: [Int32], waking pipe: WakeupPipe, secondSignalKills: Bool) {
        descriptor = pipe.fileDescriptor
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            WakeupPipe.wake(fileDescriptor: SignalWakeup.descriptor)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = secondSignalKills ? Int32(bitPattern: UInt32(SA_RESETHAND)) : 0
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        for number in signals {
            sigaction(number, &action, nil)
            sigaddset(&unblocked, number)
        }
        signal(SIGPIPE, SIG_IGN)
        pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
    }
}
