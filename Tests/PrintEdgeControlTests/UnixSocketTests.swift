import Foundation
@testable import PrintEdgeControl
import Testing

/// A daemon's control socket never takes over, nor removes, a socket another one listens on.
@Suite struct UnixSocketTests {
    /// A short path: `sun_path` holds 107 bytes.
    static func socketPath() -> String {
        "/tmp/printedge-\(UUID().uuidString.prefix(8)).sock"
    }

    @Test func aSocketSomethingListensOnIsNotReplaced() throws {
        let path = Self.socketPath()
        defer { unlink(path) }
        let first = try UnixSocket.listen(path: path, mode: 0o600)
        defer { close(first) }
        #expect(throws: UnixSocket.Failure(operation: "another process listens on", path: path, errno: EADDRINUSE)) {
            try UnixSocket.listen(path: path, mode: 0o600)
        }
        let client = try UnixSocket.connect(path: path)
        close(client)
    }

    @Test func aSocketNobodyListensOnAnyMoreIsReplaced() throws {
        let path = Self.socketPath()
        defer { unlink(path) }
        let stale = try UnixSocket.listen(path: path, mode: 0o600)
        close(stale)
        #expect(!UnixSocket.isListenedOn(path))
        let fresh = try UnixSocket.listen(path: path, mode: 0o600)
        defer { close(fresh) }
        #expect(UnixSocket.isListenedOn(path))
    }

    @Test func aBoundFileIsRemovedOnlyWhileThePathStillNamesIt() throws {
        let path = Self.socketPath()
        defer { unlink(path) }
        let first = try UnixSocket.listen(path: path, mode: 0o600)
        let firstFile = try #require(UnixSocket.BoundFile(path: path))
        // Another daemon binds the path anew (the first one's socket file is gone with it).
        unlink(path)
        let second = try UnixSocket.listen(path: path, mode: 0o600)
        defer { close(second) }
        close(first)
        firstFile.remove()
        #expect(UnixSocket.isListenedOn(path), "the second daemon's socket stays")
        try #require(UnixSocket.BoundFile(path: path)).remove()
        #expect(UnixSocket.BoundFile(path: path) == nil)
    }
}
