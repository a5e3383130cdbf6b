import CGPIO

/// The kernel's fixed-size, NUL-terminated name fields (`char name[GPIO_MAX_NAME_SIZE]`),
/// which Swift imports as tuples of 32 `CChar`.
enum GPIONameField {
    /// Bytes a name may hold: the field's size less its terminating NUL.
    static let maximumBytes = Int(GPIO_MAX_NAME_SIZE) - 1

    /// The text up to the first NUL (all 32 bytes if the kernel filled the field).
    static func string<Field>(from field: Field) -> String {
        withUnsafeBytes(of: field) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// Writes `text` NUL-terminated and zero-filled; callers check `maximumBytes` first, so
    /// a longer text is never silently cut.
    static func write<Field>(_ text: String, into field: inout Field) {
        withUnsafeMutableBytes(of: &field) { raw in
            precondition(text.utf8.count < raw.count, "GPIONameField: \"\(text)\" does not fit \(raw.count) bytes with its NUL")
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            raw.copyBytes(from: text.utf8)
        }
    }
}
