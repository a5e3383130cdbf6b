import PrintEdgeMQTT
@testable import PrintEdgeStore
import Testing
@testable import PrintEdgeDaemon

@Suite struct FleetPublishWindowTests {
    private func row(_ id: Int64, printer: String = "mk4", sequence: Int64? = nil) -> OutboxMessage {
        OutboxMessage(id: id, printerID: printer, sequence: sequence ?? id, kind: .status, payload: "{}", createdAtMS: 0, deliveredAtMS: nil)
    }

    private func ack(_ id: UInt16, _ reason: MQTTReasonCode = .success) -> MQTTPublishAcknowledgement {
        MQTTPublishAcknowledgement(messageID: MQTTMessageID(rawValue: id), reasonCode: reason)
    }

    @Test func publishedRowsTakeSlotsAndMovePrintersOn() {
        var window = FleetPublishWindow(capacity: 3)
        window.passed(row(1), topic: "t", as: MQTTMessageID(rawValue: 10))
        window.passed(row(2, printer: "voron", sequence: 7), topic: "t", as: MQTTMessageID(rawValue: 11))
        #expect(window.freeSlots == 1)
        #expect(window.position(of: "mk4") == 1)
        #expect(window.position(of: "voron") == 7)
        #expect(window.position(of: "other") == 0)
    }

    @Test func acknowledgedRowsAreDeliveredInOneBatchAndNeverPublishedAgainMeanwhile() {
        var window = FleetPublishWindow(capacity: 4)
        for id in 1...3 { window.passed(row(Int64(id)), topic: "t", as: MQTTMessageID(rawValue: UInt16(id))) }
        #expect(window.acknowledge(ack(2)) == .delivered)
        #expect(window.acknowledge(ack(1)) == .delivered)
        #expect(window.isSettling(row(1)))
        #expect(window.takeDeliveries() == [1, 2])
        #expect(!window.hasUnwrittenDeliveries)
        window.restore(deliveries: [1, 2])
        #expect(window.isSettling(row(2)), "a failed write keeps them")
    }

    @Test func aRefusalKeepsTheRowUndelivered() {
        var window = FleetPublishWindow(capacity: 2)
        window.passed(row(1), topic: "a/b", as: MQTTMessageID(rawValue: 5))
        let outcome = window.acknowledge(ack(5, .notAuthorized))
        #expect(outcome == .refused(.init(rowID: 1, printerID: "mk4", sequence: 1, topic: "a/b"), .notAuthorized))
        #expect(!window.hasUnwrittenDeliveries)
        #expect(window.freeSlots == 2)
        #expect(!window.isSettling(row(1)))
    }

    @Test func aFullQuotaDefersTheRowInsteadOfRefusingIt() {
        var window = FleetPublishWindow(capacity: 2)
        window.passed(row(1), topic: "a/b", as: MQTTMessageID(rawValue: 5))
        window.passed(row(2), topic: "a/b", as: MQTTMessageID(rawValue: 6))
        #expect(window.acknowledge(ack(5, .quotaExceeded)) == .deferred(.init(rowID: 1, printerID: "mk4", sequence: 1, topic: "a/b"), .quotaExceeded))
        #expect(window.acknowledge(ack(6, .packetIdentifierInUse)) == .deferred(.init(rowID: 2, printerID: "mk4", sequence: 2, topic: "a/b"), .packetIdentifierInUse))
    }

    @Test func aRewindRereadsEveryPrinterButSkipsWhatIsStillInFlight() {
        var window = FleetPublishWindow(capacity: 4)
        window.passed(row(1), topic: "t", as: MQTTMessageID(rawValue: 1))
        window.passed(row(2), topic: "t", as: MQTTMessageID(rawValue: 2))
        _ = window.acknowledge(ack(1, .quotaExceeded))
        window.rewind()
        #expect(window.position(of: "mk4") == 0)
        #expect(!window.isSettling(row(1)), "the deferred row goes out again")
        #expect(window.isSettling(row(2)), "the row in flight is not published twice")
        #expect(window.inFlightCount == 1, "its slot stays taken until its acknowledgement")
        #expect(window.acknowledge(ack(2)) == .delivered)
    }

    @Test func anAcknowledgementOfNoRowIsTheAgentsOwn() {
        var window = FleetPublishWindow(capacity: 2)
        #expect(window.acknowledge(ack(9)) == .notARow)
    }

    @Test func aLostConnectionForgetsWhatWasInFlightAndRereadsEveryPrinterFromItsFirstUndeliveredRow() {
        var window = FleetPublishWindow(capacity: 2)
        window.passed(row(1), topic: "t", as: MQTTMessageID(rawValue: 1))
        window.passed(row(2), topic: "t", as: MQTTMessageID(rawValue: 2))
        #expect(window.acknowledge(ack(1)) == .delivered)
        window.connectionEnded()
        #expect(window.inFlightCount == 0)
        #expect(window.position(of: "mk4") == 0)
        #expect(window.acknowledge(ack(2)) == .notARow, "an id of the old connection is not a row any more")
        #expect(window.takeDeliveries() == [1], "what was acknowledged before stays acknowledged")
    }

    @Test func aSkippedRowMovesThePositionWithoutTakingASlot() {
        var window = FleetPublishWindow(capacity: 1)
        window.passed(row(4), topic: "t", as: nil)
        #expect(window.position(of: "mk4") == 4)
        #expect(window.freeSlots == 1)
    }
}
