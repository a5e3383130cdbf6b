#if canImport(Glibc)
import Glibc
#endif

/// What a child started with `posix_spawn` keeps of its parent's open files: only standard
/// input, output and error.
///
/// Every other descriptor without `FD_CLOEXEC` would live on in the child: the daemon's
/// database and control socket, a serial port — and in a test process, the write end of
/// another test's pipe, whose reader then never sees end-of-file while the simulator runs.
enum InheritedDescriptors {
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc 2.34's `posix_spawn_file_actions_addclosefrom_np`, looked up at run time: Swift's
    /// Glibc module leaves out the GNU extensions.
    private static let addCloseFrom: AddCloseFrom? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }

    /// Adds to `actions` the closing of every descriptor from 3 up. An older glibc gets a
    /// close for each descriptor open now (one opened by another thread in the meantime
    /// escapes it).
    static func closeAll(in actions: inout posix_spawn_file_actions_t) {
        if let addCloseFrom, addCloseFrom(&actions, 3) == 0 { return }
        guard let directory = opendir("/proc/self/fd") else { return }
        defer { closedir(directory) }
        let own = dirfd(directory)
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            // glibc skips a close whose descriptor has been closed since (only an out of range one fails the spawn).
            if let descriptor = Int32(name), descriptor > 2, descriptor != own {
                posix_spawn_file_actions_addclose(&actions, descriptor)
            }
        }
    }
}
