import Logging
import PrintEdgeMQTT
import PrintEdgeStore
import PrintEdgeTestSupport
import Synchronization
import Testing
@testable import PrintEdgeDaemon

@Suite struct FleetCommandLanesTests {
    /// Holds every file chunk until released, and records what it handled.
    final class BlockingHandler: FleetCommandHandling {
        let handled = Mutex<[String]>([])
        let release = AsyncStream.makeStream(of: Void.self)

        func handle(printerID: String, subtopic: String, payload: [UInt8]) async -> [FleetReply] {
            if subtopic.hasPrefix("files/") {
                for await _ in release.stream { break }
            }
            handled.withLock { $0.append(subtopic + " " + String(decoding: payload, as: UTF8.self)) }
            return []
        }
    }

    @Test func anEmergencyStopOvertakesAFileChunkStuckOnTheDisk() async throws {
        let scratch = try TemporaryDirectory()
        let store = try Store(directory: scratch.file("state"))
        let handler = BlockingHandler()
        let lanes = FleetCommandLanes(printerIDs: ["mk4"], handler: handler, outbox: FleetOutbox(store: store), logger: Logger(label: "test"))
        let topics = FleetTopics(prefix: "printedge/v1", fleet: "farm", agent: "host")
        let running = Task { await withDiscardingTaskGroup { group in for lane in lanes.lanes { group.addTask { await lane.run() } } } }

        lanes.deliver(MQTTMessage(topic: "printedge/v1/farm/mk4/files/t1/0", payload: Array("chunk".utf8), qos: .atLeastOnce, retain: false), topics: topics)
        lanes.deliver(MQTTMessage(topic: "printedge/v1/farm/mk4/cmd", payload: Array(#"{"id": "s", "command": "emergency_stop"}"#.utf8), qos: .atLeastOnce, retain: false), topics: topics)
        let deadline = ContinuousClock.now + .seconds(120)
        while handler.handled.withLock({ $0.isEmpty }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(handler.handled.withLock { $0 } == [#"cmd {"id": "s", "command": "emergency_stop"}"#], "the stop went first while the chunk waits")

        handler.release.continuation.yield()
        lanes.finish()
        await running.value
        #expect(handler.handled.withLock { $0.count } == 2)
    }

    @Test func onlyPayloadsNamingTheEmergencyStopGoAhead() {
        #expect(FleetCommandLanes.mayBeEmergencyStop(Array(#"{"command":"emergency_stop","id":"1"}"#.utf8)))
        #expect(!FleetCommandLanes.mayBeEmergencyStop(Array(#"{"command":"pause","id":"1"}"#.utf8)))
        #expect(!FleetCommandLanes.mayBeEmergencyStop(Array(#"{"command":"gcode","lines":["M117 \"emergency_stop\""]}"#.utf8)))
        #expect(!FleetCommandLanes.mayBeEmergencyStop([]))
    }
}
