import PrintEdgeCore
@testable import PrintEdgeDaemon
import PrintEdgeStore
import Testing

/// How a temperature report becomes the heaters that status and telemetry show.
@Suite struct HeaterTemperatureTests {
    private func readings(_ line: String) throws -> [HeaterTemperature] {
        HeaterTemperature.readings(in: try #require(TemperatureReport.parse(line[...])))
    }

    @Test func aSingleHotendsActiveToolIsHotendZero() throws {
        #expect(try readings("T:201.30 /210.00 B:60.00 /60.00 @:127 B@:0") == [
            HeaterTemperature(channel: .hotend(0), actualCelsius: 201.3, targetCelsius: 210),
            HeaterTemperature(channel: .bed, actualCelsius: 60, targetCelsius: 60),
        ])
    }

    @Test func theActiveToolIsSkippedWhenEachHotendIsListed() throws {
        let heaters = try readings("T:25.00 /0.00 B:60.00 /60.00 T0:200.00 /200.00 T1:25.00 /0.00 @:127 B@:0 @0:127 @1:0")
        #expect(heaters.map(\.channel) == [.bed, .hotend(0), .hotend(1)])
        #expect(heaters.first { $0.channel == .hotend(0) }?.targetCelsius == 200)
    }

    @Test func otherHeatersKeepMarlinsLetter() throws {
        let heaters = try readings("T:20.00 /0.00 B:21.00 /0.00 C:35.00 /40.00 P:30.00")
        #expect(heaters.map(\.channel.rawValue) == ["T0", "B", "C", "P"])
        #expect(heaters.last?.targetCelsius == nil)
    }
}
