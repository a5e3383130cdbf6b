#if canImport(Glibc)
import Glibc
#endif

/// A descriptor received with a control request (SCM_RIGHTS), closed when the last
/// reference goes: a request that fails half-way cannot leak it.
final class PassedFile: Sendable {
    let descriptor: Int32

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }
}
