import Glibc

/// Where the figures were measured: they mean little without the machine beside them.
enum Machine {
    static func describe(binaries: Binaries, quick: Bool) -> [String] {
        var name = utsname()
        uname(&name)
        let kernel = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let cpu = Workspace.contents(of: "/proc/cpuinfo")?
            .split(separator: "\n")
            .first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?
            .drop { $0 == " " || $0 == "\t" } ?? "unknown CPU"
        return [
            "measured \(timestamp())\(quick ? " with --quick" : "")",
            "machine: \(sysconf(Int32(_SC_NPROCESSORS_ONLN))) cores, \(cpu), Linux \(kernel)",
            "binaries: printedge and printedge-sim in \(binaries.directory) (simulated Marlin: 128-byte RX buffer, 4 command slots)",
        ]
    }

    private static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M %Z", &parts)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
