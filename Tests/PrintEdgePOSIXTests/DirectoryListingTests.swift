import Glibc
import PrintEdgePOSIX
import PrintEdgeTestSupport
import Testing

@Suite("Listing a directory")
struct DirectoryListingTests {
    @Test("names come sorted, hidden files included, without . and ..")
    func namesAreSortedWithoutDotEntries() throws {
        let directory = try TemporaryDirectory()
        for name in ["b.toml", ".hidden", "a.toml", "C.toml"] { try directory.write(name, "") }
        #expect(mkdir(directory.file("sub"), 0o755) == 0)

        #expect(DirectoryListing.names(in: directory.path) == [".hidden", "C.toml", "a.toml", "b.toml", "sub"])
    }

    @Test("an empty directory lists nothing")
    func emptyDirectoryListsNothing() throws {
        let directory = try TemporaryDirectory()
        #expect(DirectoryListing.names(in: directory.path).isEmpty)
    }

    @Test("a missing directory, or a file, lists nothing instead of failing")
    func unreadableDirectoryListsNothing() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("plain", "text")
        #expect(DirectoryListing.names(in: directory.file("absent")).isEmpty)
        #expect(DirectoryListing.names(in: file).isEmpty)
    }
}
