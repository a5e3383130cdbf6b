/// A layer's index and the byte of the file where its first line starts: what a printing job
/// needs to hold its stream at each layer, without the layers' resume states.
public struct LayerStart: Sendable, Equatable {
    public var layer: Int
    public var byteOffset: Int64
    /// The file line of the layer's first extrusion, when it has one.
    public var firstPrintSourceLine: Int?

    public init(layer: Int, byteOffset: Int64, firstPrintSourceLine: Int? = nil) {
        self.layer = layer
        self.byteOffset = byteOffset
        self.firstPrintSourceLine = firstPrintSourceLine
    }
}
