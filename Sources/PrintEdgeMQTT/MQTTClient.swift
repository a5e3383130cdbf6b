/// An MQTT client for the fleet link: one broker, one network thread, events as an
/// `AsyncStream`.
///
/// ```swift
/// let client = try MQTTClient(options: MQTTClientOptions(host: "broker", clientID: "agent-1"))
/// try client.subscribe("printedge/v1/farm/+/cmd", qos: .atLeastOnce)
/// try client.start()
/// for await event in client.events {
///     switch event {
///     case .connected: republishOutbox()          // publish(topic:payload:qos:retain:)
///     case .published(let ack): markDelivered(ack) // PUBACK, by message id
///     case .disconnected(let down): requeue(down.unacknowledgedMessageIDs)
///     default: break
///     }
/// }
/// await client.stop()
/// ```
///
/// Ownership: the caller owns the client; the network thread holds only the shared link and
/// ends at `stop()` (or when the client is released, which stops it without waiting). Every
/// method may be called from any thread or task.
///
/// Guarantees about QoS 1 messages: every message id `publish` returns is reported exactly once,
/// either in a `.published` event (the broker's PUBACK, possibly a refusal) or in the
/// `unacknowledgedMessageIDs` of the `.disconnected` event that ends its connection. Nothing is
/// resent behind the caller's back — see `MosquittoHandle` for why — so the caller republishes
/// those ids' messages after the next `.connected`.
public final class MQTTClient: Sendable {
    public let options: MQTTClientOptions
    /// Everything the client reports, in order. Unbounded, since dropping a PUBACK would lose
    /// a delivery; consume it promptly. Ends after the `.disconnected` that follows `stop()`.
    public let events: AsyncStream<MQTTEvent>
    private let link: SharedLink

    /// Checks the options (TLS files included); connects only at `start()`.
    public init(options: MQTTClientOptions) throws(MQTTError) {
        try options.validate()
        self.options = options
        let (events, continuation) = AsyncStream.makeStream(of: MQTTEvent.self, bufferingPolicy: .unbounded)
        self.events = events
        link = SharedLink(options: options, events: continuation)
    }

    deinit {
        _ = link.requestStop(waiter: nil)
    }

    public var connectionState: MQTTConnectionState { link.connectionState }

    /// QoS 1 messages of the current connection still awaiting PUBACK, in publish order.
    public var unacknowledgedMessageIDs: [MQTTMessageID] { link.unacknowledgedMessageIDs }

    /// Starts the network thread, which connects and keeps reconnecting until `stop()`.
    public func start() throws(MQTTError) {
        try link.markStarted()
        try NetworkLoop.start(options: options, link: link)
    }

    /// Disconnects cleanly — DISCONNECT with reason 0, so the broker discards the Last Will —
    /// and returns once it has been written (at most 2 s against a broker that stopped reading)
    /// and the event stream has ended. One exception: if the thread is inside libmosquitto's
    /// blocking TCP connect, which cannot be interrupted, `stop()` reports the stop and returns
    /// at once; the thread abandons that attempt when the kernel returns.
    public func stop() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if link.requestStop(waiter: continuation) {
                continuation.resume()
            }
        }
    }

    /// Queues a message in libmosquitto and returns its id at once; the network thread writes
    /// it. For QoS 1 the PUBACK arrives as `.published` with this id. Throws `notConnected`
    /// unless a connection is up.
    public func publish(
        topic: String, payload: some Collection<UInt8>, qos: MQTTQoS = .atLeastOnce, retain: Bool = false
    ) throws(MQTTError) -> MQTTMessageID {
        // Contiguous storage ([UInt8], ArraySlice, a native String's UTF-8) is passed to
        // libmosquitto in place; it copies the bytes once into its packet. The closures
        // return a `Result` because `withContiguousStorageIfAvailable` and `withUnsafeBytes`
        // only rethrow untyped errors.
        let publish = { (bytes: UnsafeRawBufferPointer) in
            Result<MQTTMessageID, MQTTError> { () throws(MQTTError) in
                try self.link.publish(topic: topic, payload: bytes, qos: qos, retain: retain)
            }
        }
        let result = payload.withContiguousStorageIfAvailable { publish(UnsafeRawBufferPointer($0)) }
            ?? Array(payload).withUnsafeBytes(publish)
        return try result.get()
    }

    public func publish(topic: String, payload: String, qos: MQTTQoS = .atLeastOnce, retain: Bool = false) throws(MQTTError)
        -> MQTTMessageID
    {
        try publish(topic: topic, payload: payload.utf8, qos: qos, retain: retain)
    }

    /// Subscribes now if connected, and again on every later connect until `unsubscribe`. The
    /// broker's answer comes as `.subscribed`; a refused filter is forgotten.
    public func subscribe(_ filter: String, qos: MQTTQoS = .atLeastOnce) throws(MQTTError) {
        try link.subscribe(filter: filter, qos: qos)
    }

    /// Forgets the filter and unsubscribes now if connected (`.unsubscribed` follows).
    public func unsubscribe(_ filter: String) throws(MQTTError) {
        try link.unsubscribe(filter: filter)
    }
}
