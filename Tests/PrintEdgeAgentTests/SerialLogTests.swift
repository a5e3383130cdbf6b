import Glibc
@testable import PrintEdgeAgent
import PrintEdgeCore
import Synchronization
import Testing

@Suite struct SerialLogTests {
    private func temporaryPath(_ name: String) -> String {
        "/tmp/printedge-serial-log-\(getpid())-\(name)"
    }

    private func contents(_ path: String) -> String {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return "" }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            guard count > 0 else { break }
            bytes += buffer[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func aFullFileBecomesTheOldOneAndANewOneStarts() throws {
        let path = temporaryPath("rotate")
        defer { unlink(path); unlink(path + ".1") }
        let log = try SerialLog(path: path, maxFileBytes: 1_000)
        for index in 0..<100 {
            log.received("ok \(index)"[...], at: MonotonicInstant(nanoseconds: Int64(index) * 1_000_000))
        }
        log.flush()
        let old = contents(path + ".1")
        let current = contents(path)
        #expect(old.utf8.count >= 1_000 && old.utf8.count < 1_100, "rotated once it passed the limit: \(old.utf8.count) bytes")
        #expect(current.hasSuffix("0.099000 < ok 99\n"))
        #expect(current.utf8.count < 1_000)
    }

    @Test func followersGetEachLineAsTheFileDoesAndStopWhenTheyLeave() throws {
        let log = SerialLog()
        #expect(!log.isRecording, "nobody reads it: nothing is formatted")
        let seen = Mutex<[String]>([])
        let token = log.follow { line in seen.withLock { $0.append(line) } }
        #expect(log.isRecording)
        log.note("opening /dev/ttyACM0", at: MonotonicInstant(nanoseconds: 0))
        log.received("ok"[...], at: MonotonicInstant(nanoseconds: 1_500_000))
        log.unfollow(token)
        log.received("ok"[...], at: MonotonicInstant(nanoseconds: 2_000_000))
        #expect(seen.withLock { $0 } == ["     0.000000 # opening /dev/ttyACM0", "     0.001500 < ok"])
        #expect(!log.isRecording)
    }
}
