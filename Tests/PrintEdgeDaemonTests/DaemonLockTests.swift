import Foundation
import PrintEdgeConfig
@testable import PrintEdgeDaemon
import Testing

/// One daemon per state directory, decided by the kernel's lock rather than a pid in a file.
@Suite struct DaemonLockTests {
    let source = ConfigurationSource(file: "printedge.toml")

    @Test func aSecondLockOnTheDirectoryIsRefusedNamingTheHolder() throws {
        let scratch = try Scratch()
        let first = try DaemonLock(stateDirectory: scratch.path, source: source)
        #expect(try String(contentsOfFile: first.path, encoding: .utf8) == "\(getpid())\n")
        #expect {
            try DaemonLock(stateDirectory: scratch.path, source: source)
        } throws: { error in
            guard let error = error as? DaemonError, case .alreadyRunning(let pid, let directory) = error else { return false }
            return pid == getpid() && directory == scratch.path && error.exitStatus == 75
                && error.description == "already running (pid \(getpid())), state in \(scratch.path): another printedged holds \(scratch.path)/printedged.lock; stop it first, or give this one its own `state_directory`"
        }
        withExtendedLifetime(first) {}
    }

    @Test func theLockGoesWithItsHolderAndTheFileLeftBehindBlocksNobody() throws {
        let scratch = try Scratch()
        // What a daemon killed with -9 leaves: the file with its pid, and no lock.
        try "4194303\n".write(toFile: scratch.path("printedged.lock"), atomically: true, encoding: .utf8)
        #expect(DaemonLock.holder(of: scratch.path) == nil)
        var lock: DaemonLock? = try DaemonLock(stateDirectory: scratch.path, source: source)
        #expect(try String(contentsOfFile: scratch.path("printedged.lock"), encoding: .utf8) == "\(getpid())\n")
        lock = nil
        lock = try DaemonLock(stateDirectory: scratch.path, source: source)
        withExtendedLifetime(lock) {}
    }

    @Test func theHolderIsFoundWithoutTakingTheLock() throws {
        let scratch = try Scratch()
        #expect(DaemonLock.holder(of: scratch.path) == nil, "no lock file: no daemon")
        var lock: DaemonLock? = try DaemonLock(stateDirectory: scratch.path, source: source)
        #expect(DaemonLock.holder(of: scratch.path) == getpid())
        #expect(DaemonLock.holder(of: scratch.path) == getpid(), "looking did not take it over")
        lock = nil
        #expect(DaemonLock.holder(of: scratch.path) == nil)
        withExtendedLifetime(lock) {}
    }
}
