/// The JSON body of an outbox message of kind `telemetry`: samples of one printer (and at
/// most one job) in columns, one series per channel.
///
/// Columns rather than one object per sample: a sample as an object repeats its four key
/// names and weighs about 90 bytes; in columns it is a time offset, a value and a target,
/// about 15 bytes. Times are offsets from `start_ms` so they stay short.
public struct TelemetryMessagePayload: Codable, Sendable, Equatable {
    /// The job printing while the samples were taken; `nil` between jobs.
    public var jobID: Int64?
    /// The first sample's time, in milliseconds since the Unix epoch.
    public var startMS: Int64
    /// Samples in the message, over every channel.
    public var count: Int
    /// Channel name (`T0`, `B`, `progress`, as `TelemetryChannel` names them) → its samples.
    public var channels: [String: Series]

    /// One channel's samples in time order; the arrays have one entry per sample.
    public struct Series: Codable, Sendable, Equatable {
        /// Milliseconds after `start_ms`.
        public var offsetMS: [Int64]
        /// In the channel's unit (°C for heaters, mm for axes, 0...1 for fans and progress),
        /// rounded to a millionth of it.
        public var value: [Double]
        /// Set points, for heaters; absent when no sample of the series has one.
        public var target: [Double?]?

        enum CodingKeys: String, CodingKey {
            case offsetMS = "offset_ms"
            case value, target
        }
    }

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case startMS = "start_ms"
        case count, channels
    }

    /// Builds the message from table rows of one printer and job, in time order.
    init(samples: ArraySlice<FleetTelemetryRow>) {
        let startMS = samples.first?.atMS ?? 0
        jobID = samples.first?.jobID
        self.startMS = startMS
        count = samples.count
        var channels: [String: Series] = [:]
        var withTarget: Set<String> = []
        for sample in samples {
            channels[sample.channel, default: Series(offsetMS: [], value: [], target: [])].append(sample, startMS: startMS)
            if sample.target != nil { withTarget.insert(sample.channel) }
        }
        for name in channels.keys where !withTarget.contains(name) {
            channels[name]?.target = nil
        }
        self.channels = channels
    }
}

extension TelemetryMessagePayload.Series {
    fileprivate mutating func append(_ sample: FleetTelemetryRow, startMS: Int64) {
        offsetMS.append(sample.atMS - startMS)
        value.append(Self.rounded(sample.value))
        target?.append(sample.target.map(Self.rounded))
    }

    /// To a millionth of the unit: far below any sensor's resolution, and `0.223893` instead
    /// of `0.22389342501074344` in every progress sample.
    private static func rounded(_ value: Double) -> Double {
        (value * 1_000_000).rounded() / 1_000_000
    }
}

/// A `telemetry` row as the fleet messages need it.
struct FleetTelemetryRow: Sendable {
    var id: Int64
    var atMS: Int64
    var channel: String
    var value: Double
    var target: Double?
    var jobID: Int64?
}
