import Glibc

/// A failing system call, with its errno: what `PollSet` and `WakeupPipe` throw. Each adapter
/// turns it into its own domain's error (`SerialError.system`, a daemon error naming the
/// service), so the message a user reads still says where it happened.
public struct SystemCallError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The call, e.g. `ppoll`.
    public var operation: String
    /// What it was called on: a path, or the descriptors' purpose.
    public var subject: String
    public var errno: Int32

    public init(operation: String, subject: String, errno: Int32) {
        self.operation = operation
        self.subject = subject
        self.errno = errno
    }

    public var description: String {
        "\(operation) on \(subject) failed: \(Self.describe(errno: errno)) (errno \(errno))"
    }

    /// strerror's text for `code`.
    public static func describe(errno code: Int32) -> String {
        guard let text = strerror(code) else { return "unknown error" }
        return String(cString: text)
    }
}
