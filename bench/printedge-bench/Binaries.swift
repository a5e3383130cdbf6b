import Glibc

/// The programs under measurement. By default they sit next to the bench itself (SwiftPM
/// puts every product of one build in the same directory), so the bench always measures
/// binaries built with the same configuration as itself.
struct Binaries {
    let directory: String
    let printedge: String
    let simulator: String

    init(directory: String?) throws(BenchError) {
        let base: String
        if let directory { base = directory } else { base = try Binaries.ownDirectory() }
        self.directory = base
        printedge = base + "/printedge"
        simulator = base + "/printedge-sim"
        for program in [printedge, simulator] where access(program, X_OK) != 0 {
            throw BenchError("\(program) is missing or not executable: build it with "
                + "`swift build -c release --product \(program.split(separator: "/").last.map(String.init) ?? program)`, "
                + "or point --bin-dir at the directory holding printedge and printedge-sim")
        }
    }

    /// printedged, needed by the daemon sections only.
    func daemon() throws(BenchError) -> String {
        let path = directory + "/printedged"
        guard access(path, X_OK) == 0 else {
            throw BenchError("\(path) is missing or not executable: build it with `swift build -c release --product printedged`")
        }
        return path
    }

    private static func ownDirectory() throws(BenchError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { throw BenchError("cannot read /proc/self/exe; pass --bin-dir") }
        let path = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = path.lastIndex(of: "/") else { throw BenchError("odd executable path \(path); pass --bin-dir") }
        return String(path[..<slash])
    }
}
