/// Something the bench itself could not do (a missing binary, an unwritable directory).
/// A printedge or simulator run that fails is not a `BenchError`: it is a row of the table.
struct BenchError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
