import Synchronization

/// The request tasks of one control-socket client, each forgotten as soon as it ends: a
/// client that stays connected for weeks (a dashboard polling `status`) must not pile up
/// finished tasks, and one that leaves has the rest cancelled (ending a console's stream).
final class RunningRequests: Sendable {
    private let tasks = Mutex<(next: UInt64, running: [UInt64: Task<Void, Never>])>((0, [:]))

    func start(_ body: @escaping @Sendable () async -> Void) {
        tasks.withLock { state in
            let id = state.next
            state.next += 1
            // Created under the lock, so the task's own removal waits until it is recorded.
            state.running[id] = Task { [self] in
                await body()
                _ = tasks.withLock { $0.running.removeValue(forKey: id) }
            }
        }
    }

    var count: Int { tasks.withLock { $0.running.count } }

    func cancelAll() {
        let running = tasks.withLock { state in
            defer { state.running.removeAll() }
            return Array(state.running.values)
        }
        for task in running { task.cancel() }
    }
}
