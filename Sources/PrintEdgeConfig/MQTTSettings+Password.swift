extension MQTTSettings {
    /// MQTT passwords are at most 65,535 bytes; a larger file is not one.
    public static let maxPasswordBytes = 65_535

    /// The first line of `password_file`, which must not be empty; `nil` without one. Read
    /// by the daemon's preflight and by `printedge doctor`'s broker check, with the rights of
    /// whoever runs them.
    public func password(source: ConfigurationSource) throws(ConfigurationError) -> String? {
        guard let path = passwordFile else { return nil }
        return try SecretFile.firstLine(
            at: path, source: source, key: "mqtt.password_file", maxBytes: Self.maxPasswordBytes, what: "MQTT password",
            advice: "write the broker password on its first line")
    }
}
