#if canImport(Glibc)
import Glibc
#endif

/// glibc keeps freed heap for reuse, so a transient peak (a 100 MB file's analysis) would
/// stay in the daemon's resident size for the whole print. `malloc_trim` hands it back.
/// Looked up at run time: `<malloc.h>` is not in Swift's Glibc module, and another C
/// library may not have it (then this does nothing).
enum HeapTrim {
    private typealias Trim = @convention(c) (Int) -> Int32

    private static let trim: Trim? = dlsym(nil, "malloc_trim").map { unsafeBitCast($0, to: Trim.self) }

    static func releaseFreedMemory() {
        _ = trim?(0)
    }
}
