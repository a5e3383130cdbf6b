import Glibc
import PrintEdgeSerial

/// Routes SIGINT and SIGTERM to a wake-up descriptor, so the stream loop stops between two
/// lines instead of the process dying with half a line on the wire.
enum StopSignals {
    /// Read only by the signal handler; written once before the handlers are installed.
    nonisolated(unsafe) private static var descriptor: Int32 = -1

    static func install(waking pipe: WakeupPipe) {
        descriptor = pipe.fileDescriptor
        signal(SIGPIPE, SIG_IGN)
        for number in [SIGINT, SIGTERM] {
            signal(number) { received in
                WakeupPipe.wake(fileDescriptor: StopSignals.descriptor)
                // A second Ctrl-C ends the process at once, as users expect.
                signal(received, SIG_DFL)
            }
        }
    }
}
