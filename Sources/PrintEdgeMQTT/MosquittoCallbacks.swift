import CMosquitto

/// libmosquitto's callbacks, written as global functions.
///
/// They run on the network thread, inside `mosquitto_loop`, except the log callback, which
/// libmosquitto also calls on whichever thread sends a packet. Global functions carry no actor
/// isolation, unlike a closure written in isolated code, which Swift 6 would check (and trap
/// on) when libmosquitto calls it from its own thread. State arrives through the userdata
/// pointer given to `mosquitto_new`: an unretained `NetworkLoop`, which outlives every handle
/// it creates.
enum MosquittoCallbacks {
    static func install(on pointer: OpaquePointer) {
        mosquitto_connect_v5_callback_set(pointer, mosquittoConnected)
        mosquitto_disconnect_v5_callback_set(pointer, mosquittoDisconnected)
        mosquitto_publish_v5_callback_set(pointer, mosquittoPublished)
        mosquitto_message_v5_callback_set(pointer, mosquittoMessageReceived)
        mosquitto_subscribe_v5_callback_set(pointer, mosquittoSubscribed)
        mosquitto_unsubscribe_v5_callback_set(pointer, mosquittoUnsubscribed)
    }

    static let logged: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?) -> Void =
        mosquittoLogged
}

private func mosquittoConnected(
    _ mosquitto: OpaquePointer?, _ context: UnsafeMutableRawPointer?, _ code: Int32, _ flags: Int32, _ properties: OpaquePointer?
) {
    guard let context else { return }
    NetworkLoop.from(context).connackReceived(code: code, sessionPresent: flags & 1 != 0)
}

private func mosquittoDisconnected(
    _ mosquitto: OpaquePointer?, _ context: UnsafeMutableRawPointer?, _ code: Int32, _ properties: OpaquePointer?
) {
    guard let context else { return }
    NetworkLoop.from(context).disconnected(code: code)
}

private func mosquittoPublished(
    _ mosquitto: OpaquePointer?, _ context: UnsafeMutableRawPointer?, _ mid: Int32, _ reasonCode: Int32,
    _ properties: OpaquePointer?
) {
    guard let context else { return }
    NetworkLoop.from(context).publishAcknowledged(MQTTMessageID(mid), reasonCode: MQTTReasonCode(reasonCode))
}

private func mosquittoMessageReceived(
    _ mosquitto: OpaquePointer?, _ context: UnsafeMutableRawPointer?, _ message: UnsafePointer<mosquitto_message>?,
    _ properties: OpaquePointer?
) {
    guard let context, let message = message?.pointee, let topic = message.topic else { return }
    let payload: [UInt8]
    if let bytes = message.payload, message.payloadlen > 0 {
        payload = Array(UnsafeRawBufferPointer(start: bytes, count: Int(message.payloadlen)))
    } else {
        payload = []
    }
    let received = MQTTMessage(
        topic: String(cString: topic), payload: payload, qos: MQTTQoS(rawValue: min(message.qos, 1)) ?? .atMostOnce,
        retain: message.retain)
    NetworkLoop.from(context).messageReceived(received)
}

private func mosquittoSubscribed(
    _ mosquitto: OpaquePointer?, _ context: UnsafeMutableRawPointer?, _ mid: Int32, _ count: Int32,
    _ granted: UnsafePointer<Int32>?, _ properties: OpaquePointer?
) {
    guard let context else { return }
    let codes = granted.map { Array(UnsafeBufferPointer(start: $0, count: Int(max(count, 0)))) } ?? []
    NetworkLoop.from(context).subscribeAcknowledged(MQTTMessageID(mid), codes: codes.map { MQTTReasonCode($0) })
}

private func mosquittoUnsubscribed(
    _ mosquitto: OpaquePointer?, _ context: UnsafeMutableRawPointer?, _ mid: Int32, _ properties: OpaquePointer?
) {
    guard let context else { return }
    NetworkLoop.from(context).unsubscribeAcknowledged(MQTTMessageID(mid))
}

private func mosquittoLogged(
    _ mosquitto: OpaquePointer?, _ context: UnsafeMutableRawPointer?, _ level: Int32, _ text: UnsafePointer<CChar>?
) {
    guard let context, let text, level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING) != 0 else { return }
    NetworkLoop.from(context).libraryLogged(String(cString: text))
}
