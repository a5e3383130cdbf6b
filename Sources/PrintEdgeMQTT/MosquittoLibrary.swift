import CMosquitto
import Glibc

/// libmosquitto's process-wide setup, done once before the first handle is created.
enum MosquittoLibrary {
    /// `mosquitto_lib_init` must run exactly once per process and before any thread uses
    /// the library; a `static let` initialiser runs once, under the runtime's lock
    /// (`swift_once`), whichever thread gets here first.
    ///
    /// SIGPIPE is ignored here too: OpenSSL writes TLS records with plain `write(2)`, so a
    /// broker that closes the socket mid-write would kill the whole daemon with SIGPIPE instead
    /// of failing one write with EPIPE. A process-wide choice, and the right one for a daemon
    /// that talks to sockets (printedge's serial adapter makes the same one).
    private static let initialization: Int32 = {
        signal(SIGPIPE, SIG_IGN)
        return mosquitto_lib_init()
    }()

    /// `MOSQ_ERR_SUCCESS`, or why the library could not start (it seeds OpenSSL's random
    /// source, which can fail).
    static func initialize() -> Int32 {
        initialization
    }
}
