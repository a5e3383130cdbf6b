import PrintEdgeTestSupport
import Testing
@testable import PrintEdgeConfig

@Suite struct FleetLinkSettingsTests {
    private let printer = "[[printer]]\nid = \"sim\"\nvirtual = true\n"

    private func load(_ mqtt: String) throws -> MQTTSettings? {
        let directory = try TemporaryDirectory()
        let path = try directory.write("printedge.toml", "[mqtt]\nhost = \"h\"\nfleet = \"f\"\n" + mqtt + printer)
        return try DaemonConfiguration.load(path: path, workingDirectory: packageRoot).mqtt
    }

    private func failure(_ mqtt: String) throws -> ConfigurationError {
        try #require(configurationError { try load(mqtt) })
    }

    @Test func theFleetKeysHaveDefaults() throws {
        let settings = try #require(try load(""))
        #expect(settings.topicPrefix == "printedge/v1")
        #expect(settings.maxInFlight == 64)
        #expect(settings.telemetryMaxSamples == 500)
        #expect(settings.telemetryMaxAge == .seconds(10))
        #expect(settings.statusHeartbeat == .seconds(60))
    }

    @Test func theFleetKeysAreRead() throws {
        let settings = try #require(try load("""
            topic_prefix = "acme/printers/v1"
            max_in_flight = 16
            telemetry_max_samples = 2000
            telemetry_max_age_s = 2.5
            status_heartbeat_s = 15

            """))
        #expect(settings.topicPrefix == "acme/printers/v1")
        #expect(settings.maxInFlight == 16)
        #expect(settings.telemetryMaxSamples == 2000)
        #expect(settings.telemetryMaxAge == .milliseconds(2500))
        #expect(settings.statusHeartbeat == .seconds(15))
    }

    @Test func aTopicPrefixWithAWildcardOrAnEmptyLevelIsRefusedWithItsLine() throws {
        let wildcard = try failure("topic_prefix = \"printedge/+\"\n")
        #expect(wildcard.description.contains("printedge.toml:4:16:"), "\(wildcard)")
        #expect(wildcard.description.contains("`mqtt.topic_prefix`") && wildcard.description.contains("\"+\""))
        #expect(try failure("topic_prefix = \"/printedge\"\n").description.contains("must not start or end with `/`"))
        #expect(try failure("topic_prefix = \"a//b\"\n").description.contains("`//`"))
        #expect(try failure("topic_prefix = \"$SYS/x\"\n").description.contains("must not start with `$`"))
    }

    @Test func limitsOutsideTheirRangeAreRefused() throws {
        #expect(try failure("max_in_flight = 40000\n").description.contains("max_in_flight"))
        #expect(try failure("max_in_flight = 0\n").description.contains("max_in_flight"))
        #expect(try failure("telemetry_max_samples = 0\n").description.contains("telemetry_max_samples"))
        #expect(try failure("telemetry_max_age_s = 0\n").description.contains("telemetry_max_age_s"))
        #expect(try failure("status_heartbeat_s = 0.5\n").description.contains("status_heartbeat_s"))
        #expect(try failure("keepalive_s = 2\n").description.contains("keepalive_s"))
    }
}
