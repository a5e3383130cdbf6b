import Glibc
import PrintEdgePOSIX

/// SIGUSR1 as the board's reset button: the handler only wakes a descriptor of its own, and
/// the loop resets the model at its next turn (between two events, never inside one).
///
/// Separate from `SignalWakeup`'s stop signals, which share one descriptor and all mean
/// "stop": a reset must not be mistaken for one.
enum ResetSignal {
    /// Read only by the handler; written once, before the handler is installed.
    nonisolated(unsafe) private static var descriptor: Int32 = -1

    static func install(waking pipe: WakeupPipe) {
        descriptor = pipe.fileDescriptor
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            WakeupPipe.wake(fileDescriptor: ResetSignal.descriptor)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(SIGUSR1, &action, nil)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        sigaddset(&unblocked, SIGUSR1)
        pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
    }
}
