/// Finds a byte string in a stream that arrives in pieces: the mark may straddle two reads.
/// Each occurrence is reported once; two in the same read count as one.
struct MarkWatch {
    let mark: [UInt8]
    private var carried: [UInt8] = []

    init(mark: [UInt8]) {
        self.mark = mark
    }

    mutating func found(in bytes: ArraySlice<UInt8>) -> Bool {
        let window = carried + bytes
        if window.count >= mark.count {
            for start in 0...(window.count - mark.count) where window[start..<(start + mark.count)].elementsEqual(mark) {
                carried = Array(window[(start + mark.count)...].suffix(mark.count - 1))
                return true
            }
        }
        carried = Array(window.suffix(mark.count - 1))
        return false
    }
}
