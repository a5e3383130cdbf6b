import GRDB
import PrintEdgeCore

// Job states and event kinds are stored as their raw values; the schema's CHECKs list them.
extension JobState: DatabaseValueConvertible {}
extension JobEventKind: DatabaseValueConvertible {}
