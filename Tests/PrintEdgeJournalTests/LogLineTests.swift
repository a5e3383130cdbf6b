import Foundation
import Logging
@testable import PrintEdgeJournal
import Testing

/// One message, one line, in a form journald understands and `printedge logs` reads back.
@Suite struct LogLineTests {
    @Test func fieldsComeFirstAndValuesThatNeedItAreQuoted() {
        let record = LogRecord(level: .warning, text: "paused at layer 5",
                               fields: [LogField("printer", "mk3s"), LogField("job", "12"), LogField("file", "cube v2.gcode"),
                                        LogField("port", "/dev/ttyACM0:x"), LogField("empty", ""), LogField("odd key", "a\"b\\c")])
        #expect(record.body == #"printer=mk3s job=12 file="cube v2.gcode" port="/dev/ttyACM0:x" empty="" odd_key="a\"b\\c": paused at layer 5"#)
        let parsed = LogLine.parseBody(record.body)
        #expect(parsed.text == "paused at layer 5")
        #expect(parsed.fields == [LogField("printer", "mk3s"), LogField("job", "12"), LogField("file", "cube v2.gcode"),
                                  LogField("port", "/dev/ttyACM0:x"), LogField("empty", ""), LogField("odd_key", "a\"b\\c")])
    }

    @Test func aLineBreakNeverSplitsAMessage() {
        let record = LogRecord(level: .error, text: "firmware said:\nError:Heating failed\r\nhalted", fields: [LogField("printer", "mk")])
        #expect(record.body == #"printer=mk: firmware said:\nError:Heating failed\r\nhalted"#)
        #expect(!LogLine.journal(level: .error, body: record.body).contains("\n"))
    }

    @Test func textWithoutFieldsIsAllText() {
        for body in ["printedged ready: control socket /run/printedge/printedged.sock", "a=b and more", "x= y: z", "k=\"open: never closed", "k=v"] {
            let parsed = LogLine.parseBody(body)
            #expect(parsed.fields.isEmpty, "\(body)")
            #expect(parsed.text == body)
        }
        #expect(LogLine.parseBody("sl-service=PrintEdgeDaemon.ControlServer: Service finished").fields == [LogField("sl-service", "PrintEdgeDaemon.ControlServer")])
    }

    @Test func eachLevelHasItsSyslogPriority() {
        #expect(Logger.Level.allCases.map { LogLine.journal(level: $0, body: "x") } == ["<7>x", "<7>x", "<6>x", "<5>x", "<4>x", "<3>x", "<2>x"])
        #expect((0...7).map { LogLine.level(priority: $0) } == [.critical, .critical, .critical, .error, .warning, .notice, .info, .debug])
    }

    @Test func aPlainLineCarriesItsTimeAndLevelAndReadsBack() throws {
        let line = LogLine.plain(level: .notice, body: "printer=mk3s job=3: completed", timeMS: 1_740_837_912_345)
        #expect(line == "2025-03-01T14:05:12.345Z notice printer=mk3s job=3: completed")
        let record = try #require(LogLine.parsePlain(Substring(line)))
        #expect(record == LogRecord(level: .notice, text: "completed", fields: [LogField("printer", "mk3s"), LogField("job", "3")],
                                    timeMS: 1_740_837_912_345))
        #expect(LogLine.parsePlain("Fatal error: something went wrong") == nil)
    }

    @Test func timesAreReadInEveryFormLogsAccepts() {
        #expect(UTCTimestamp.parse("2025-03-01") == 1_740_787_200_000)
        #expect(UTCTimestamp.parse("2025-03-01T14:05") == 1_740_837_900_000)
        #expect(UTCTimestamp.parse("2025-03-01 14:05:12") == 1_740_837_912_000)
        #expect(UTCTimestamp.parse("2025-03-01T14:05:12.3Z") == 1_740_837_912_300)
        for bad in ["2025-3-1", "yesterday", "2025-13-01", "2025-03-01T25:00", ""] {
            #expect(UTCTimestamp.parse(bad) == nil, "\(bad)")
        }
    }

    /// `journalctl -o json -t printedged` as journald 252 wrote it for a real printedged
    /// started under it (`systemd-cat`, `JOURNAL_STREAM` set), and for lines in the handler's
    /// format written to the same stream; the last entry's MESSAGE is bytes, as journalctl
    /// writes one that is not UTF-8.
    @Test func aRecordedJournalReadsBackWithPrioritiesTimesAndFields() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("journalctl-printedged.json")
        let records = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").compactMap { JournalEntry.record(json: $0.utf8) }
        #expect(records.count == 20)
        let ready = try #require(records.first { $0.text.hasPrefix("printedged ready") })
        #expect(ready.level == .info && ready.fields.isEmpty && ready.pid == 30974)
        #expect(ready.timeMS.map(UTCTimestamp.format)?.hasPrefix("2026-12-07T16:23:11.") == true)
        let unplugged = try #require(records.first { $0.level == .error })
        #expect(unplugged[field: "printer"] == "ender" && unplugged[field: "job"] == "7")
        #expect(unplugged.text == "connection lost: read failed (EIO); the job failed: printer unplugged")
        #expect(records.filter { $0[field: "printer"] == "mk3s" }.map(\.level) == [.info, .notice, .warning])
        #expect(records.last?.text.hasPrefix("firmware said: ") == true)
        #expect(LogFilter(printer: "mk3s", job: 12).admits(records[records.count - 2]))
        #expect(records.filter(LogFilter(job: 12).admits).count == 2)
        #expect(records.filter(LogFilter(minimumLevel: .warning).admits).count == 3)
        let unpluggedAt = try #require(unplugged.timeMS)
        #expect(records.filter(LogFilter(sinceMS: unpluggedAt).admits).count == 5)
    }
}
