#if canImport(Glibc)
import Glibc
#endif

/// Hands an open file to the daemon with the request that names it (SCM_RIGHTS), so the
/// daemon reads it with the rights of the person who submitted it. The systemd unit's
/// `ProtectHome=yes` hides home directories from the daemon, and its user could rarely
/// read them anyway.
///
/// The control-message layout is computed here because glibc's CMSG_* macros do not
/// reach Swift: a `cmsghdr`, then the descriptors, each part padded to `size_t` (8 bytes
/// on aarch64 and x86_64, 4 on 32-bit Raspberry Pi OS).
public enum FilePassing {
    /// At most this many descriptors are accepted with one read; the kernel closes the rest.
    static let maxDescriptorsPerRead = 4

    private static func aligned(_ length: Int) -> Int {
        let word = MemoryLayout<Int>.size
        return (length + word - 1) & ~(word - 1)
    }

    private static var headerSize: Int { aligned(MemoryLayout<cmsghdr>.size) }

    private static func space(descriptors: Int) -> Int {
        headerSize + aligned(descriptors * MemoryLayout<Int32>.size)
    }

    /// A `msghdr` over one data buffer and the control buffer, valid during `body`.
    private static func withMessage(
        data: UnsafeMutableRawBufferPointer, control: inout [UInt8], _ body: (inout msghdr) -> Int
    ) -> Int {
        control.withUnsafeMutableBytes { controlBytes in
            var vector = iovec(iov_base: data.baseAddress, iov_len: data.count)
            return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                var message = msghdr()
                message.msg_iov = vectorPointer
                message.msg_iovlen = 1
                message.msg_control = controlBytes.baseAddress
                message.msg_controllen = numericCast(controlBytes.count)
                return body(&message)
            }
        }
    }

    /// Sends `bytes` on a blocking socket with `file` attached to its first byte.
    public static func send(_ bytes: [UInt8], on socket: Int32, attaching file: Int32) throws(UnixSocket.Failure) {
        var control = [UInt8](repeating: 0, count: space(descriptors: 1))
        control.withUnsafeMutableBytes { raw in
            var header = cmsghdr()
            header.cmsg_len = numericCast(headerSize + MemoryLayout<Int32>.size)
            header.cmsg_level = SOL_SOCKET
            header.cmsg_type = Int32(SCM_RIGHTS)
            raw.storeBytes(of: header, as: cmsghdr.self)
            raw.storeBytes(of: file, toByteOffset: headerSize, as: Int32.self)
        }
        let sent = bytes.withUnsafeBytes { payload in
            withMessage(data: UnsafeMutableRawBufferPointer(mutating: payload), control: &control) { message in
                sendmsg(socket, &message, Int32(MSG_NOSIGNAL))
            }
        }
        guard sent >= 0 else { throw UnixSocket.Failure(operation: "send a file over", path: "control socket", errno: errno) }
        // The descriptor went with the first byte; the rest is plain data.
        if sent < bytes.count {
            try UnixSocket.writeAll(socket, Array(bytes[sent...]))
        }
    }

    /// Reads what is there into `buffer`; returns the byte count (0 at end of stream, -1
    /// with errno set) and any descriptors that came with it, close-on-exec.
    public static func receive(on socket: Int32, into buffer: UnsafeMutableRawBufferPointer) -> (count: Int, files: [Int32]) {
        var control = [UInt8](repeating: 0, count: space(descriptors: maxDescriptorsPerRead))
        var controlLength = 0
        let count = withMessage(data: buffer, control: &control) { message in
            let count = recvmsg(socket, &message, Int32(MSG_CMSG_CLOEXEC))
            controlLength = Int(message.msg_controllen)
            return count
        }
        guard count >= 0, controlLength >= headerSize else { return (count, []) }
        var files: [Int32] = []
        control.withUnsafeBytes { raw in
            var offset = 0
            while offset + headerSize <= controlLength {
                let header = raw.loadUnaligned(fromByteOffset: offset, as: cmsghdr.self)
                let length = Int(header.cmsg_len)
                guard length >= headerSize, offset + length <= controlLength else { break }
                if header.cmsg_level == SOL_SOCKET, header.cmsg_type == Int32(SCM_RIGHTS) {
                    let descriptors = (length - headerSize) / MemoryLayout<Int32>.size
                    for index in 0..<descriptors {
                        files.append(raw.loadUnaligned(fromByteOffset: offset + headerSize + index * 4, as: Int32.self))
                    }
                }
                offset += aligned(length)
            }
        }
        // Descriptors beyond the room given (MSG_CTRUNC) were closed by the kernel.
        return (count, files)
    }
}
