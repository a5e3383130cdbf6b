import GRDB

/// Where one layer of a job starts in its file, filled once from the analysis.
///
/// Recovery after a crash restarts at the start of the layer containing the last
/// acknowledged line: it seeks to `byteOffset`, replays `resumeJSON`'s machine state
/// (temperatures, positions, modes) and streams on from `sourceLine`.
public struct JobLayerRecord: Codable, Sendable, Equatable {
    /// The owning job; `Store.submitJob` sets it.
    public var jobID: Int64
    /// 0-based layer index.
    public var layer: Int
    public var zMM: Double
    /// The 1-based line the layer starts at.
    public var sourceLine: Int
    /// The offset in the file of that line's first byte.
    public var byteOffset: Int64
    /// The machine state just before `sourceLine`, as JSON.
    public var resumeJSON: String?
    /// The line of the layer's first printing move; `nil` for jobs analysed before it was kept.
    public var firstPrintSourceLine: Int?
    /// The highest Z deposited before this layer, native (above `zMM` when objects are printed
    /// one after another); `nil` before anything was printed or for older jobs.
    public var printedHeightMM: Double?

    public init(
        jobID: Int64 = 0, layer: Int, zMM: Double, sourceLine: Int, byteOffset: Int64,
        resumeJSON: String? = nil, firstPrintSourceLine: Int? = nil, printedHeightMM: Double? = nil
    ) {
        self.jobID = jobID
        self.layer = layer
        self.zMM = zMM
        self.sourceLine = sourceLine
        self.byteOffset = byteOffset
        self.resumeJSON = resumeJSON
        self.firstPrintSourceLine = firstPrintSourceLine
        self.printedHeightMM = printedHeightMM
    }

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case layer
        case zMM = "z_mm"
        case sourceLine = "source_line"
        case byteOffset = "byte_offset"
        case resumeJSON = "resume_json"
        case firstPrintSourceLine = "first_print_line"
        case printedHeightMM = "printed_height_mm"
    }
}

extension JobLayerRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "job_layer"

    public enum Columns {
        public static let jobID = Column(CodingKeys.jobID)
        public static let layer = Column(CodingKeys.layer)
        public static let zMM = Column(CodingKeys.zMM)
        public static let sourceLine = Column(CodingKeys.sourceLine)
        public static let byteOffset = Column(CodingKeys.byteOffset)
        public static let resumeJSON = Column(CodingKeys.resumeJSON)
        public static let firstPrintSourceLine = Column(CodingKeys.firstPrintSourceLine)
        public static let printedHeightMM = Column(CodingKeys.printedHeightMM)
    }
}
