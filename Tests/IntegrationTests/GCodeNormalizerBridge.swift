import PrintEdgeCore

enum GCodeNormalizerBridge {
    static func normalize(_ line: String) -> String? {
        GCodeNormalizer.normalize(Array(line.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }
}
