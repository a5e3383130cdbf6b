import Foundation

/// Adds to `actions` the closing of every descriptor from 3 up, so a child started with
/// `posix_spawn` holds nothing of the test process but its standard streams. Actions run in
/// order: add it after any `dup2` from a descriptor above 2.
///
/// Tests run in parallel in one process, and Foundation's `Pipe` is not close-on-exec: a
/// broker started while another test reads a tool's output to its end would hold that pipe's
/// write end, and the reader would wait for end-of-file as long as the broker runs.
/// (printedged's `InheritedDescriptors` does the same for its simulators.)
public func closeInheritedDescriptors(in actions: inout posix_spawn_file_actions_t) {
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    // glibc 2.34; Swift's Glibc module leaves the GNU extensions out, so it is looked up.
    if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np"),
       unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, 3) == 0 {
        return
    }
    for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
        if let descriptor = Int32(name), descriptor > 2 { posix_spawn_file_actions_addclose(&actions, descriptor) }
    }
}
