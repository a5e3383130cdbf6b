import Glibc
import PrintEdgePOSIX
import PrintEdgeSerial
import PrintEdgeTestSupport
import Testing

@Suite("The virtual printer's pty")
struct PseudoTerminalTests {
    @Test("the master sees no hangup while no host has the port open")
    func masterIsQuietWithoutHost() throws {
        let pty = try PseudoTerminal()
        var set = PollSet()
        let slot = set.add(pty.masterFileDescriptor, interest: .readable)
        #expect(try set.wait(timeout: .zero) == 0)
        #expect(set.readiness(ofSlot: slot).isEmpty)

        let port = try SerialPort(.init(path: pty.slavePath, baudRate: 115_200))
        port.close()

        #expect(try set.wait(timeout: .zero) == 0, "a host closing the port must not hang up the master")
        #expect(set.readiness(ofSlot: slot).isEmpty)
        var buffer = [UInt8](repeating: 0, count: 16)
        #expect(try buffer.withUnsafeMutableBytes { try pty.read(into: $0) } == 0)
    }

    @Test("a host can close and reopen the port exclusively and talk again")
    func hostReopensAfterClose() throws {
        let pty = try PseudoTerminal()
        let first = try SerialPort(.init(path: pty.slavePath, baudRate: 250_000))
        let hello = bytes("M110 N0\n")
        #expect(try transfer(hello, from: LinkEndpoint(first), to: LinkEndpoint(pty)).received == hello)
        first.close()

        let second = try SerialPort(.init(path: pty.slavePath, baudRate: 250_000))
        let reply = bytes("ok\n")
        #expect(try transfer(reply, from: LinkEndpoint(pty), to: LinkEndpoint(second)).received == reply)
    }

    @Test("the symlink points at the slave and is removed on close")
    func symlinkFollowsPtyLifetime() throws {
        let scratch = try TemporaryDirectory()
        let link = scratch.file("virtual-marlin")
        let pty = try PseudoTerminal(symlinkPath: link)
        #expect(pty.symlinkPath == link)
        #expect(readLink(link) == pty.slavePath)

        pty.close()

        #expect(pathExists(link) == false)
    }

    @Test("an existing symlink is replaced")
    func existingSymlinkIsReplaced() throws {
        let scratch = try TemporaryDirectory()
        let link = scratch.file("virtual-marlin")
        #expect(symlink("/dev/pts/does-not-exist", link) == 0)

        let pty = try PseudoTerminal(symlinkPath: link)

        #expect(readLink(link) == pty.slavePath)
    }

    @Test("a regular file at the symlink path is refused and left alone")
    func regularFileIsNotOverwritten() throws {
        let scratch = try TemporaryDirectory()
        let path = scratch.file("notes.txt")
        let fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
        #expect(fd >= 0)
        close(fd)

        let error = #expect(throws: SerialError.self) { try PseudoTerminal(symlinkPath: path) }

        #expect(error == .pathOccupied(path: path))
        #expect(error?.description.contains(path) == true)
        var info = stat()
        #expect(lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG)
    }

    @Test("closing does not remove a symlink that another pty has since taken over")
    func closeLeavesAForeignSymlink() throws {
        let scratch = try TemporaryDirectory()
        let link = scratch.file("virtual-marlin")
        let old = try PseudoTerminal(symlinkPath: link)
        let new = try PseudoTerminal(symlinkPath: link)

        old.close()

        #expect(readLink(link) == new.slavePath)
    }

    private func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 512)
        let length = readlink(path, &buffer, buffer.count)
        guard length >= 0 else { return nil }
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
