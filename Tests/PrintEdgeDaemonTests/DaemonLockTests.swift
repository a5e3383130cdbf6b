import Foundation
import PrintEdgeConfig
@testable import PrintEdgeDaemon
import PrintEdgeStore
import PrintEdgeTestSupport
import Testing

/// One daemon per state directory, decided by the kernel's lock rather than a pid in a file.
@Suite struct DaemonLockTests {
    @Test func aSecondLockOnTheDirectoryIsRefusedNamingTheHolder() throws {
        let scratch = try TemporaryDirectory()
        let configuration = DaemonConfiguration(stateDirectory: scratch.path, printers: [])
        let first = try Daemon.lockStateDirectory(of: configuration)
        #expect(try String(contentsOfFile: first.path, encoding: .utf8) == "\(getpid())\n")
        #expect {
            try Daemon.lockStateDirectory(of: configuration)
        } throws: { error in
            guard let error = error as? DaemonError, case .alreadyRunning(let pid, let directory) = error else { return false }
            return pid == getpid() && directory == scratch.path && error.exitStatus == 75
                && error.description == "already running (pid \(getpid())), state in \(scratch.path): another printedged holds \(scratch.path)/printedged.lock; stop it first, or give this one its own `state_directory`"
        }
        withExtendedLifetime(first) {}
    }

    @Test func theLockGoesWithItsHolderAndTheFileLeftBehindBlocksNobody() throws {
        let scratch = try TemporaryDirectory()
        // What a daemon killed with -9 leaves: the file with its pid, and no lock.
        try "4194303\n".write(toFile: scratch.file("printedged.lock"), atomically: true, encoding: .utf8)
        #expect(StateDirectoryLock.holder(of: scratch.path) == nil)
        var lock: StateDirectoryLock? = try StateDirectoryLock(stateDirectory: scratch.path)
        #expect(try String(contentsOfFile: scratch.file("printedged.lock"), encoding: .utf8) == "\(getpid())\n")
        lock = nil
        lock = try StateDirectoryLock(stateDirectory: scratch.path)
        withExtendedLifetime(lock) {}
    }

    @Test func theHolderIsFoundWithoutTakingTheLock() throws {
        let scratch = try TemporaryDirectory()
        #expect(StateDirectoryLock.holder(of: scratch.path) == nil, "no lock file: no daemon")
        var lock: StateDirectoryLock? = try StateDirectoryLock(stateDirectory: scratch.path)
        #expect(StateDirectoryLock.holder(of: scratch.path) == getpid())
        #expect(StateDirectoryLock.holder(of: scratch.path) == getpid(), "looking did not take it over")
        lock = nil
        #expect(StateDirectoryLock.holder(of: scratch.path) == nil)
        withExtendedLifetime(lock) {}
    }
}
