import CMosquitto
import Glibc

/// One libmosquitto client (`struct mosquitto`), configured for one connection attempt and
/// destroyed when that connection ends.
///
/// A fresh handle per connection is what keeps the acknowledgement contract simple.
/// libmosquitto keeps every unacknowledged QoS 1 message inside its handle and, after a
/// reconnect on the same handle, resends it with DUP set — even with clean start, where the
/// broker has forgotten the session — while the fleet link republishes the same rows from its
/// outbox. Destroying the handle destroys its copies, so exactly one party resends: the
/// caller, told which identifiers by `MQTTDisconnection`. A new handle also reloads the TLS
/// files, so a renewed certificate is used from the next reconnect on.
///
/// `@unchecked Sendable`: after `mosquitto_threaded_set(true)` libmosquitto guards its state
/// with its own mutexes, so publish, subscribe and disconnect may be called on callers' threads
/// while the network thread is inside `mosquitto_loop`. `SharedLink` calls them only under its
/// mutex and only while the handle is the current one; the network thread alone connects,
/// loops and (by dropping the last reference) destroys it.
final class MosquittoHandle: @unchecked Sendable {
    private let pointer: OpaquePointer
    private let server: String
    private let caFile: String?

    /// Creates and configures the handle; `context` is handed to every callback.
    init(options: MQTTClientOptions, version: MQTTProtocolVersion, context: UnsafeMutableRawPointer) throws(MQTTError) {
        server = options.server
        caFile = options.tls?.caFile
        let initialization = MosquittoLibrary.initialize()
        guard initialization == MOSQ_ERR_SUCCESS.rawValue else {
            throw .connectFailed(
                server: server, libraryError: initialization, systemError: 0, detail: "mosquitto_lib_init", caFile: caFile)
        }
        guard let pointer = mosquitto_new(options.clientID, options.cleanStart, context) else {
            let code = errno
            throw code == EINVAL
                ? .invalidOption(name: "clientID", problem: "\"\(options.clientID)\" was refused by libmosquitto (not valid UTF-8?)")
                : .connectFailed(
                    server: server, libraryError: MOSQ_ERR_ERRNO.rawValue, systemError: code, detail: "mosquitto_new", caFile: caFile)
        }
        self.pointer = pointer
        try configure(options: options, version: version)
    }

    deinit {
        mosquitto_destroy(pointer)
    }

    private func configure(options: MQTTClientOptions, version: MQTTProtocolVersion) throws(MQTTError) {
        try check(mosquitto_threaded_set(pointer, true), "mosquitto_threaded_set")
        try check(mosquitto_int_option(pointer, MOSQ_OPT_PROTOCOL_VERSION, version.mosquittoValue), "protocol version")
        // Acknowledgements and command replies are single small packets that must not wait
        // for Nagle's algorithm to coalesce them (up to 40 ms against a delayed ACK);
        // libmosquitto writes every packet with its own write(2) anyway.
        try check(mosquitto_int_option(pointer, MOSQ_OPT_TCP_NODELAY, 1), "TCP_NODELAY")
        if let credentials = options.credentials {
            try check(mosquitto_username_pw_set(pointer, credentials.userName, credentials.password), "user name and password")
        }
        if let will = options.lastWill {
            let code = will.payload.withUnsafeBytes { bytes in
                mosquitto_will_set_v5(pointer, will.topic, Int32(bytes.count), bytes.baseAddress, will.qos.rawValue, will.retain, nil)
            }
            try check(code, "Last Will on \"\(will.topic)\"")
        }
        if let tls = options.tls {
            // Checked again on every attempt: the files may have been replaced since start.
            try tls.validate()
            try check(mosquitto_tls_set(pointer, tls.caFile, nil, tls.certificateFile, tls.keyFile, nil), "TLS files")
        }
        MosquittoCallbacks.install(on: pointer)
    }

    private func check(_ code: Int32, _ step: String) throws(MQTTError) {
        guard code == MOSQ_ERR_SUCCESS.rawValue else {
            throw .connectFailed(
                server: server, libraryError: code, systemError: errno, detail: "setting up \(step)", caFile: caFile)
        }
    }

    /// Resolves the host, connects TCP and queues CONNECT (the TLS handshake and CONNACK
    /// follow in `loop`). Blocks for as long as DNS and the kernel's connect take: libmosquitto
    /// only accepts MQTT 5 CONNECT properties (the session expiry) in its blocking connect.
    func connect(options: MQTTClientOptions, version: MQTTProtocolVersion) -> Int32 {
        var properties: OpaquePointer?
        defer { mosquitto_property_free_all(&properties) }
        let expirySeconds = options.sessionExpiry.components.seconds
        if version == .mqtt5, !options.cleanStart, expirySeconds > 0 {
            let code = mosquitto_property_add_int32(
                &properties, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), UInt32(clamping: expirySeconds))
            guard code == MOSQ_ERR_SUCCESS.rawValue else { return code }
        }
        let keepAliveSeconds = Int32(clamping: options.keepAlive.components.seconds)
        return mosquitto_connect_bind_v5(pointer, options.host, Int32(options.port), keepAliveSeconds, nil, properties)
    }

    /// Waits up to `timeoutMilliseconds` for the socket (or a request from another thread,
    /// which libmosquitto signals through its internal socket pair), reads and writes what is
    /// ready, runs the callbacks and sends keep-alive pings.
    func loop(timeoutMilliseconds: Int32) -> Int32 {
        mosquitto_loop(pointer, timeoutMilliseconds, 1)
    }

    /// Queues a normal DISCONNECT (reason 0), after which the broker discards the Last Will.
    func disconnect() {
        _ = mosquitto_disconnect_v5(pointer, Int32(MQTT_RC_NORMAL_DISCONNECTION.rawValue), nil)
    }

    /// Turns the capture of libmosquitto's log on or off. It is on only until CONNACK: the
    /// log is where OpenSSL's reasons for a failed handshake appear, and off afterwards
    /// because libmosquitto formats a debug line for every packet once a callback is set.
    func captureLog(_ enabled: Bool) {
        mosquitto_log_callback_set(pointer, enabled ? MosquittoCallbacks.logged : nil)
    }

    func publish(topic: String, payload: UnsafeRawBufferPointer, qos: MQTTQoS, retain: Bool) throws(MQTTError) -> MQTTMessageID {
        guard payload.count <= Int(Int32.max) else {
            throw .requestRefused(operation: "publish", topic: topic, libraryError: MOSQ_ERR_PAYLOAD_SIZE.rawValue)
        }
        var mid: Int32 = 0
        let code = mosquitto_publish_v5(pointer, &mid, topic, Int32(payload.count), payload.baseAddress, qos.rawValue, retain, nil)
        guard code == MOSQ_ERR_SUCCESS.rawValue else {
            throw .requestRefused(operation: "publish", topic: topic, libraryError: code)
        }
        return MQTTMessageID(mid)
    }

    func subscribe(filter: String, qos: MQTTQoS) throws(MQTTError) -> MQTTMessageID {
        var mid: Int32 = 0
        let code = mosquitto_subscribe_v5(pointer, &mid, filter, qos.rawValue, 0, nil)
        guard code == MOSQ_ERR_SUCCESS.rawValue else {
            throw .requestRefused(operation: "subscribe", topic: filter, libraryError: code)
        }
        return MQTTMessageID(mid)
    }

    func unsubscribe(filter: String) throws(MQTTError) -> MQTTMessageID {
        var mid: Int32 = 0
        let code = mosquitto_unsubscribe_v5(pointer, &mid, filter, nil)
        guard code == MOSQ_ERR_SUCCESS.rawValue else {
            throw .requestRefused(operation: "unsubscribe", topic: filter, libraryError: code)
        }
        return MQTTMessageID(mid)
    }
}
