/// A printer's fleet messages not delivered yet, for `printedge status`: a growing `waiting`
/// with an old `oldestWaitingAtMS` is a link that has been down; `refused` needs the broker's
/// ACL fixed, then `printedge fleet retry`.
public struct OutboxBacklog: Sendable, Equatable {
    public var waiting: Int
    public var oldestWaitingAtMS: Int64?
    public var refused: Int
    /// Which refused message was set aside last, and the broker's reason.
    public var latestRefusal: String?

    public init(waiting: Int, oldestWaitingAtMS: Int64?, refused: Int, latestRefusal: String?) {
        self.waiting = waiting
        self.oldestWaitingAtMS = oldestWaitingAtMS
        self.refused = refused
        self.latestRefusal = latestRefusal
    }
}
