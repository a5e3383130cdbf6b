import Foundation
import Logging
import PrintEdgeCore
@testable import PrintEdgeDaemon
import PrintEdgeStore
import PrintEdgeTestSupport
import Testing

/// `JobIntake` copies a file into the spool under a temporary name, then renames it to its
/// SHA-256. Submissions on the control socket and fleet deliveries run at the same time, each
/// on a thread of its own, into the one spool.
struct JobIntakeTests {
    static let limits = MachineLimits(xMM: 0...250, yMM: 0...210, zMM: 0...200, maxHotendCelsius: 300, maxBedCelsius: 120)

    @Test func intakesAtTheSameTimeIntoOneSpoolEachSpoolTheirOwnFile() async throws {
        let scratch = try TemporaryDirectory()
        let store = try Store(directory: scratch.file("state"))
        try store.upsertPrinter(PrinterRecord(id: "mk3s", name: "mk3s", port: "/dev/null", profile: "generic", state: "idle", updatedAtMS: 0))
        let spool = scratch.file("spool")
        let intake = JobIntake(spoolDirectory: spool, store: store, logger: Logger(label: "job-intake-test"))
        // Enough at once that several finish their copy in the same millisecond.
        let count = 16
        var contents: [String: [UInt8]] = [:]
        for index in 0..<count {
            let text = Array("; part \(index)\nG28\nG1 X\(index + 10) Y20 F3000\nG1 Z5\n".utf8)
            let path = scratch.file("part-\(index).gcode")
            #expect(FileManager.default.createFile(atPath: path, contents: Data(text)))
            contents[path] = text
        }

        let records = try await withThrowingTaskGroup(of: JobRecord.self) { group in
            for path in contents.keys {
                group.addTask {
                    try await intake.submit(.init(path: path, file: nil, printerID: "mk3s", name: nil, force: false,
                                                  limits: Self.limits, maxFramedBytes: 96))
                }
            }
            return try await group.reduce(into: [JobRecord]()) { $0.append($1) }
        }

        #expect(records.count == count)
        #expect(Set(records.compactMap(\.id)).count == count)
        #expect(Set(records.map(\.spoolPath)).count == count, "each file spooled under a name of its own")
        for record in records {
            let spooled = try #require(FileManager.default.contents(atPath: record.spoolPath), "\(record.spoolPath)")
            let source = try #require(contents.first { $0.key.hasSuffix("/\(record.name)") }?.value, "\(record.name)")
            #expect(Array(spooled) == source, "\(record.name)")
            #expect(record.sha256 == sha256Hex(source))
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: spool)
        #expect(left.sorted() == records.map { "\($0.sha256).gcode" }.sorted(), "no temporary file left behind")
    }

    @Test func halfCopiedFilesAnEarlierRunLeftAreRemovedAndSpooledJobsStay() throws {
        let scratch = try TemporaryDirectory()
        let spool = scratch.file("spool")
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        for name in [".incoming-4242-k3j2", ".incoming-17-zz", "3216c092.gcode"] {
            #expect(FileManager.default.createFile(atPath: "\(spool)/\(name)", contents: Data("G28\n".utf8)))
        }
        let intake = JobIntake(spoolDirectory: spool, store: try Store(directory: scratch.file("state")), logger: Logger(label: "job-intake-test"))
        #expect(intake.removeLeftovers() == [".incoming-17-zz", ".incoming-4242-k3j2"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool) == ["3216c092.gcode"])
        #expect(intake.removeLeftovers().isEmpty)
    }
}
