import Glibc
import PrintEdgePOSIX
import PrintEdgeTestSupport
import Testing

@Suite("Reading a file whole")
struct FileContentsTests {
    @Test("a file is read to its end, past one read's chunk")
    func readsEveryByte() throws {
        let directory = try TemporaryDirectory()
        let text = String(repeating: "G1 X10 Y10\n", count: 5_000)  // 55 kB: several reads
        let file = try directory.write("job.gcode", text)

        #expect(try FileContents.read(file) == Array(text.utf8))
        #expect(try FileContents.read(try directory.write("empty", "")) == [])
    }

    @Test("a file of exactly the limit is read; one byte more fails as too large")
    func limitIsInclusive() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("four", "1234")

        #expect(try FileContents.read(file, maxBytes: 4) == Array("1234".utf8))
        #expect(throws: FileReadError.tooLarge(maxBytes: 3)) { try FileContents.read(file, maxBytes: 3) }
        #expect(FileReadError.tooLarge(maxBytes: 3).errno == EFBIG)
    }

    @Test("a prefix read stops at the limit instead of failing")
    func prefixStopsAtLimit() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("secret", "token\nand a long tail")

        #expect(try FileContents.readPrefix(file, maxBytes: 6) == Array("token\n".utf8))
        #expect(try FileContents.readPrefix(file, maxBytes: 1_000) == Array("token\nand a long tail".utf8))
    }

    @Test("a missing file fails with the errno of open")
    func missingFileCarriesErrno() throws {
        let directory = try TemporaryDirectory()
        let error = #expect(throws: FileReadError.self) { try FileContents.read(directory.file("absent")) }
        #expect(error == .cannotOpen(errno: ENOENT))
        #expect(error?.errno == ENOENT)
    }

    @Test("a directory is named as one, not as a failed read")
    func directoryIsRefused() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: FileReadError.isDirectory) { try FileContents.read(directory.path) }
        #expect(throws: FileReadError.isDirectory) { try FileContents.readPrefix(directory.path, maxBytes: 10) }
        #expect(FileReadError.isDirectory.errno == EISDIR)
    }
}
