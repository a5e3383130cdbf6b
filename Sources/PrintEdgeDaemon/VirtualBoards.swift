import Synchronization

/// Where `reset` and the printers find a virtual printer's simulator: the control handler
/// and the printers are built before the simulators are started (`Daemon.build`), so they
/// get this and the simulators are attached later.
final class VirtualBoards: Sendable {
    private let simulators = Mutex<VirtualPrinters?>(nil)

    func attach(_ virtualPrinters: VirtualPrinters) {
        simulators.withLock { $0 = virtualPrinters }
    }

    /// Why `printerID`'s board cannot be opened now (its simulator exited); see
    /// `VirtualPrinters.exitedSimulator`.
    func exitedSimulator(of printerID: String) -> String? {
        simulators.withLock { $0 }?.exitedSimulator(of: printerID)
    }

    /// How to reset `printerID`'s board, on a thread of its own (a restarted simulator's link
    /// is awaited); `nil` for a printer on a real port, whose board a DTR pulse resets.
    func reset(for printerID: String) -> (@Sendable () async -> String?)? {
        guard let simulators = simulators.withLock({ $0 }), simulators.launched.contains(where: { $0.printerID == printerID }) else {
            return nil
        }
        return { await DedicatedThread.run { simulators.resetBoard(printerID: printerID) } }
    }
}
