/// A layer's index and the byte of the file where its first line starts.
public struct LayerStart: Sendable, Equatable {
    public var layer: Int
    public var byteOffset: Int64

    public init(layer: Int, byteOffset: Int64) {
        self.layer = layer
        self.byteOffset = byteOffset
    }
}

extension Array where Element == LayerStart {
    /// The layer holding `byteOffset`: the last one starting at or before it (layers are
    /// in file order); `nil` before the first.
    public func layer(atByteOffset byteOffset: Int64) -> Int? {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if self[middle].byteOffset <= byteOffset { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : self[low - 1].layer
    }
}
