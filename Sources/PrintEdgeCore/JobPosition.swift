/// Where a paused job stopped: the first line not written, and the state the printer was left
/// in by the lines before it (what the resume's restore G-code rebuilds).
public struct JobPosition: Sendable, Equatable {
    /// The file offset of the first line not written.
    public var nextByteOffset: Int
    /// The file's line number just before it.
    public var linesBefore: Int
    public var machineState: GCodeMachineState
    /// Where the park G-code left the head, once carried out (it ends with `M400`).
    public var parkedZMM: Double?

    public init(nextByteOffset: Int, linesBefore: Int, machineState: GCodeMachineState, parkedZMM: Double? = nil) {
        self.nextByteOffset = nextByteOffset
        self.linesBefore = linesBefore
        self.machineState = machineState
        self.parkedZMM = parkedZMM
    }
}
