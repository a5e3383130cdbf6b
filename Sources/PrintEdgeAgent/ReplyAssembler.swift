/// Splits the bytes read from the port into reply lines.
struct ReplyAssembler {
    /// Longer "lines" are noise or binary junk; they are cut rather than buffered forever.
    static let maxLineBytes = 1024
    private var partial: [UInt8] = []

    mutating func append(_ chunk: ArraySlice<UInt8>, line emit: (Substring) -> Void) {
        var start = chunk.startIndex
        while let newline = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) {
            partial.append(contentsOf: chunk[start..<newline])
            deliver(emit)
            start = newline + 1
        }
        partial.append(contentsOf: chunk[start...])
        if partial.count > Self.maxLineBytes { deliver(emit) }
    }

    private mutating func deliver(_ emit: (Substring) -> Void) {
        if partial.last == UInt8(ascii: "\r") { partial.removeLast() }
        if !partial.isEmpty {
            emit(String(decoding: partial, as: UTF8.self)[...])
        }
        partial.removeAll(keepingCapacity: true)
    }
}
