import CGPIO
import Testing
@testable import PrintEdgeGPIO

/// Real `gpio_v2_line_event` structs go through a pipe standing in for the request's
/// descriptor, and come back decoded through `GPIOLineRequest.readEvents`.
@Suite struct GPIOLineEventTests {
    private func watchedRequest() throws -> (GPIOLineRequest, RecordingLineRequestDevice) {
        let device = RecordingChipDevice.raspberryPi5()
        let request = try GPIOChip(device: device).request(
            GPIOLineRequestConfiguration(lines: [
                .init(offset: 5, settings: .input(bias: .pullUp, edges: .both)), .init(offset: 27, settings: .input(bias: .pullUp, edges: .both)),
            ]))
        return (request, try #require(device.grantedRequests.first))
    }

    @Test func severalEventsInOneReadAreDecodedInOrder() throws {
        let (request, device) = try watchedRequest()
        device.send([
            kernelEvent(.falling, offset: 5, timestampNanoseconds: 1_000_000_001, sequenceNumber: 1, lineSequenceNumber: 1),
            kernelEvent(.rising, offset: 27, timestampNanoseconds: 1_000_500_000, sequenceNumber: 2, lineSequenceNumber: 1),
            kernelEvent(.rising, offset: 5, timestampNanoseconds: 2_000_000_000, sequenceNumber: 3, lineSequenceNumber: 2),
        ])
        #expect(
            try request.readEvents() == [
                GPIOLineEvent(timestampNanoseconds: 1_000_000_001, edge: .falling, offset: 5, sequenceNumber: 1, lineSequenceNumber: 1),
                GPIOLineEvent(timestampNanoseconds: 1_000_500_000, edge: .rising, offset: 27, sequenceNumber: 2, lineSequenceNumber: 1),
                GPIOLineEvent(timestampNanoseconds: 2_000_000_000, edge: .rising, offset: 5, sequenceNumber: 3, lineSequenceNumber: 2),
            ])
    }

    @Test func aShortReadWaitsForTheRestOfTheEvent() throws {
        let (request, device) = try watchedRequest()
        let first = kernelEvent(.falling, offset: 27, timestampNanoseconds: 42, sequenceNumber: 7, lineSequenceNumber: 3)
        let second = kernelEvent(.rising, offset: 27, timestampNanoseconds: 43, sequenceNumber: 8, lineSequenceNumber: 4)
        let wire = bytes(of: first) + bytes(of: second)
        device.send(bytes: wire[..<20])
        #expect(try request.readEvents().isEmpty)
        device.send(bytes: wire[20..<60])
        #expect(try request.readEvents() == [GPIOLineEvent(timestampNanoseconds: 42, edge: .falling, offset: 27, sequenceNumber: 7, lineSequenceNumber: 3)])
        device.send(bytes: wire[60...])
        #expect(try request.readEvents() == [GPIOLineEvent(timestampNanoseconds: 43, edge: .rising, offset: 27, sequenceNumber: 8, lineSequenceNumber: 4)])
    }

    @Test func theReaderKeepsOnlyTheIncompleteTail() throws {
        var reader = GPIOEventReader(chip: "gpiochip0 [pinctrl-rp1]")
        let wire = bytes(of: kernelEvent(.rising, offset: 1, timestampNanoseconds: 1, sequenceNumber: 1, lineSequenceNumber: 1))
            + bytes(of: kernelEvent(.falling, offset: 1, timestampNanoseconds: 2, sequenceNumber: 2, lineSequenceNumber: 2))
        let decoded = try wire[..<70].withUnsafeBytes { raw in try reader.decode(raw) }
        #expect(decoded.map(\.edge) == [.rising])
        #expect(reader.pendingByteCount == 22)
        let rest = try wire[70...].withUnsafeBytes { raw in try reader.decode(raw) }
        #expect(rest.map(\.edge) == [.falling])
        #expect(reader.pendingByteCount == 0)
    }

    @Test func anEventIdUAPIv2DoesNotDefineIsAnError() throws {
        let (request, device) = try watchedRequest()
        var event = kernelEvent(.rising, offset: 5, timestampNanoseconds: 1, sequenceNumber: 1, lineSequenceNumber: 1)
        event.id = 9
        device.send([event])
        #expect(throws: GPIOError.unexpectedEvent(chip: "gpiochip0 [pinctrl-rp1]", id: 9, offset: 5)) { try request.readEvents() }
    }

    @Test func theEndOfTheEventStreamIsAnError() throws {
        let (request, device) = try watchedRequest()
        device.closeEvents()
        #expect(throws: GPIOError.eventsEnded(chip: "gpiochip0 [pinctrl-rp1]")) { try request.readEvents() }
    }
}
