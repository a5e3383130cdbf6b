import FoundationEssentials
import Glibc

/// The temporary directory of one bench invocation: generated G-code, and for each run the
/// simulator's and printedge's standard output and error and the simulator's statistics.
/// Logs stay after the bench ends (their path is printed); big G-code files do not.
final class Workspace {
    let directory: String
    private var temporaryFiles: [String] = []

    init() throws(BenchError) {
        var template = Array("/tmp/printedge-bench.XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) }
        }
        guard let created else {
            throw BenchError("cannot create a directory in /tmp: \(String(cString: strerror(errno)))")
        }
        directory = String(cString: created)
    }

    func path(_ name: String) -> String {
        directory + "/" + name
    }

    /// A path for a file removed by `removeTemporaryFiles()`.
    func temporaryPath(_ name: String) -> String {
        let path = path(name)
        temporaryFiles.append(path)
        return path
    }

    func removeTemporaryFiles() {
        for path in temporaryFiles { unlink(path) }
        temporaryFiles.removeAll()
    }

    static func size(of path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_size)
    }

    static func contents(of path: String) -> String? {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The last non-empty line of a log, for the table when a run fails.
    static func lastLine(of path: String) -> String? {
        contents(of: path)?
            .split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .last { !$0.allSatisfy(\.isWhitespace) }
            .map(String.init)
    }

    /// Writes `text` to `path`, creating the parent directory (one level) if needed.
    static func write(_ text: String, to path: String) throws(BenchError) {
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            let parent = String(path[..<slash])
            if mkdir(parent, 0o755) != 0 && errno != EEXIST {
                throw BenchError("cannot create \(parent): \(String(cString: strerror(errno)))")
            }
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw BenchError("cannot write \(path): \(error)")
        }
    }
}
