import Foundation
import Logging
@testable import PrintEdgeJournal
import Synchronization
import Testing

/// The daemon's log handler through a real pipe: one line per message, the journal's
/// priority prefix only on the journal's stream, fields in order, a flood counted.
@Suite struct JournalWriterTests {
    /// A pipe whose read end collects what the writer wrote.
    final class Capture {
        let readEnd: Int32
        let writeEnd: Int32

        init() throws {
            var ends: [Int32] = [0, 0]
            try #require(pipe(&ends) == 0)
            readEnd = ends[0]
            writeEnd = ends[1]
            _ = fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK)
        }

        deinit {
            close(readEnd)
            close(writeEnd)
        }

        var lines: [String] {
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = read(readEnd, &chunk, chunk.count)
                guard count > 0 else { break }
                bytes += chunk[..<count]
            }
            return String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        }
    }

    /// A monotonic instant the test moves.
    final class ManualTime: Sendable {
        let origin = ContinuousClock.now
        let offset = Mutex(Duration.zero)
        func advance(_ duration: Duration) { offset.withLock { $0 += duration } }
        var now: ContinuousClock.Instant { origin.advanced(by: offset.withLock { $0 }) }
    }

    @Test func theJournalGetsPrioritiesAndAFileGetsTimesAndLevels() throws {
        let capture = try Capture()
        let journal = JournalWriter(descriptor: capture.writeEnd, format: .journal)
        var logger = Logger(label: "printedged") { _ in JournalLogHandler(writer: journal, level: .debug) }
        logger[metadataKey: "zone"] = "farm"
        logger.warning("paused at layer 5: the door opened", metadata: ["job": "12", "printer": "mk3s", "detail": "door 1"])
        logger.trace("not written below the level")
        logger.debug("heater report", metadata: ["printer": "mk3s"])
        #expect(capture.lines == [#"<4>printer=mk3s job=12 detail="door 1" zone=farm: paused at layer 5: the door opened"#,
                                  "<7>printer=mk3s zone=farm: heater report"])

        let file = JournalWriter(descriptor: capture.writeEnd, format: .plain, wallClockMS: { 1_740_837_912_345 })
        let plain = Logger(label: "printedged") { _ in JournalLogHandler(writer: file) }
        plain.error("the database cannot be written", error: POSIXFailure(code: "EROFS"))
        #expect(capture.lines == ["2025-03-01T14:05:12.345Z error error=EROFS: the database cannot be written"])
    }

    @Test func aFloodOfOneKindIsCutAndCounted() throws {
        let capture = try Capture()
        let time = ManualTime()
        let writer = JournalWriter(descriptor: capture.writeEnd, format: .journal, policy: .init(linesPerWindow: 2, window: .seconds(60)),
                                   now: { time.now })
        let logger = Logger(label: "printedged") { _ in JournalLogHandler(writer: writer) }
        for attempt in 1...50 {
            logger.warning("cannot open /dev/ttyUSB0: reconnecting in \(attempt) s", metadata: ["printer": "ender"])
            time.advance(.seconds(1))
        }
        logger.notice("job 3 completed", metadata: ["printer": "mk3s", "job": "3"])
        time.advance(.seconds(20))
        logger.notice("control socket ready")
        #expect(capture.lines == [
            "<4>printer=ender: cannot open /dev/ttyUSB0: reconnecting in 1 s",
            "<4>printer=ender: cannot open /dev/ttyUSB0: reconnecting in 2 s",
            "<5>printer=mk3s job=3: job 3 completed",
            "<4>printer=ender: 48 more like this in 60 s left out, the last: cannot open /dev/ttyUSB0: reconnecting in 50 s",
            "<5>control socket ready",
        ])
    }

    @Test func onlyTheStreamJournaldGaveIsWrittenInItsFormat() throws {
        let capture = try Capture()
        var info = stat()
        try #require(fstat(capture.writeEnd, &info) == 0)
        #expect(JournalWriter.isJournalStream(capture.writeEnd, environment: ["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino)"]))
        #expect(!JournalWriter.isJournalStream(capture.writeEnd, environment: ["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino + 1)"]),
                "redirected since systemd connected it")
        #expect(!JournalWriter.isJournalStream(capture.writeEnd, environment: [:]))
        #expect(!JournalWriter.isJournalStream(capture.writeEnd, environment: ["JOURNAL_STREAM": "garbage"]))
    }

    struct POSIXFailure: Error, CustomStringConvertible {
        var code: String
        var description: String { code }
    }
}
