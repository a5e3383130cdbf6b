import Testing

@testable import PrintEdgeMQTT

@Suite("What the client remembers between the caller and the network thread")
struct LinkStateTests {
    @Test("unacknowledged ids come back in publish order, QoS 0 never counts, and a PUBACK removes one")
    func unacknowledgedInPublishOrder() {
        var state = LinkState()
        for raw: UInt16 in [65_535, 1, 2, 7] {
            state.published(MQTTMessageID(rawValue: raw), qos: .atLeastOnce)
        }
        state.published(MQTTMessageID(rawValue: 3), qos: .atMostOnce)

        let first = state.acknowledged(MQTTMessageID(rawValue: 2))
        let qos0 = state.acknowledged(MQTTMessageID(rawValue: 3))
        let again = state.acknowledged(MQTTMessageID(rawValue: 2))
        #expect(first)
        #expect(!qos0, "QoS 0 has no PUBACK to wait for")
        #expect(!again, "acknowledged once only")

        // The counter wrapped from 65535 to 1: publish order, not numeric order.
        #expect(state.endConnection().map(\.rawValue) == [65_535, 1, 7])
        #expect(state.endConnection().isEmpty)
    }

    @Test("subscriptions are remembered once per filter, in order, with the latest QoS, until forgotten")
    func subscriptionsRemembered() {
        var state = LinkState()
        state.remember(filter: "a/#", qos: .atMostOnce)
        state.remember(filter: "b/+", qos: .atLeastOnce)
        state.remember(filter: "a/#", qos: .atLeastOnce)
        #expect(state.subscriptions.map(\.filter) == ["a/#", "b/+"])
        #expect(state.subscriptions.map(\.qos) == [.atLeastOnce, .atLeastOnce])

        state.forget(filters: ["a/#"])
        #expect(state.subscriptions.map(\.filter) == ["b/+"])
    }

    @Test("stop before start ends at once; the state reads stopped")
    func connectionStateAfterStop() {
        var state = LinkState()
        #expect(state.connectionState == .idle)
        state.isStopRequested = true
        #expect(state.connectionState == .stopped)
    }
}
