import Synchronization
import Testing
@testable import PrintEdgeDaemon

@Suite struct RunningRequestsTests {
    @Test func finishedRequestsAreForgottenSoALongLivedClientDoesNotGrow() async throws {
        let requests = RunningRequests()
        let done = Atomic<Int>(0)
        for _ in 0..<1_000 {
            requests.start { done.add(1, ordering: .relaxed) }
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while requests.count > 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(done.load(ordering: .relaxed) == 1_000)
        #expect(requests.count == 0)
    }

    @Test func aClientThatLeavesHasItsRunningRequestsCancelled() async throws {
        let requests = RunningRequests()
        let (stream, continuation) = AsyncStream.makeStream(of: Bool.self)
        requests.start {
            // A console's stream: runs until cancelled.
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
            continuation.yield(true)
        }
        #expect(requests.count == 1)
        requests.cancelAll()
        var iterator = stream.makeAsyncIterator()
        #expect(await iterator.next() == true)
        #expect(requests.count == 0)
    }
}
