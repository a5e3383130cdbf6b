#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import PrintEdgeCore
import PrintEdgePOSIX

/// Deliveries under way, on disk, so that they survive a restart of the daemon: per printer
/// a directory under the transfer directory, and per delivery three files —
///
/// - `<key>.json`: what the `start_job` asked (`FileTransferRecord`), written once, atomically;
/// - `<key>.part`: the file as it arrives (chunks at their offsets; a download appends);
/// - `<key>.chunks`: for chunked transfers, the index of every chunk on disk, 4 bytes each
///   (little-endian), appended only after the chunk's bytes were flushed (`fdatasync`), so a
///   chunk listed is a chunk kept, even across a power cut.
///
/// A delivery leaves the directory when it ends: verified and handed to `JobIntake` (which
/// copies it into the spool), refused, or expired.
struct FileTransferSpool: Sendable {
    let directory: String

    /// `key`: `t-<transfer>` for chunks, `u-<sha256>` for a download; both file-name safe.
    func path(printerID: String, key: String, _ suffix: String) -> String {
        "\(directory)/\(printerID)/\(key).\(suffix)"
    }

    /// Records a new delivery and creates its empty part file (and chunk log).
    func create(_ record: FileTransferRecord) throws(FleetCommandError) {
        let folder = "\(directory)/\(record.printerID)"
        guard mkdirAll(folder) else { throw storageError("cannot create the transfer directory \(folder)") }
        let key = record.key
        let encoded: [UInt8]
        do {
            encoded = Array(try JSONEncoder().encode(record))
        } catch {
            throw FleetCommandError(.internal, "the record of transfer \(key) cannot be encoded: \(error)")
        }
        let recordPath = path(printerID: record.printerID, key: key, "json")
        try writeFile(recordPath + ".tmp", encoded, mode: O_TRUNC)
        guard rename(recordPath + ".tmp", recordPath) == 0 else { throw storageError("cannot move \(recordPath).tmp into place") }
        try writeFile(path(printerID: record.printerID, key: key, "part"), [], mode: O_TRUNC)
        if record.chunks != nil { try writeFile(path(printerID: record.printerID, key: key, "chunks"), [], mode: O_TRUNC) }
    }

    /// Writes chunk `index` at `byteOffset`, flushes it, then lists it in the chunk log.
    func writeChunk(_ bytes: [UInt8], index: Int, byteOffset: Int64, printerID: String, key: String) throws(FleetCommandError) {
        let part = path(printerID: printerID, key: key, "part")
        let descriptor = open(part, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw storageError("cannot open \(part)") }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress.map { $0 + written }, bytes.count - written, off_t(byteOffset) + off_t(written)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw storageError("cannot write chunk \(index) into \(part)") }
            written += count
        }
        guard fdatasync(descriptor) == 0 else { throw storageError("cannot flush chunk \(index) to disk in \(part)") }
        let entry = withUnsafeBytes(of: UInt32(index).littleEndian) { Array($0) }
        try writeFile(path(printerID: printerID, key: key, "chunks"), entry, mode: O_APPEND)
    }

    /// Every delivery on disk with what arrived of it; records that cannot be read are
    /// reported (and left in place for a person to look at) rather than guessed at.
    func load() -> (deliveries: [(record: FileTransferRecord, transfer: FileTransfer?)], unreadable: [String]) {
        var deliveries: [(FileTransferRecord, FileTransfer?)] = []
        var unreadable: [String] = []
        for printerID in DirectoryListing.names(in: directory) {
            let folder = "\(directory)/\(printerID)"
            for name in DirectoryListing.names(in: folder) where name.hasSuffix(".json") {
                let file = "\(folder)/\(name)"
                guard let bytes = try? FileContents.read(file), let record = try? JSONDecoder().decode(FileTransferRecord.self, from: Data(bytes)),
                      record.printerID == printerID, "\(record.key).json" == name
                else {
                    unreadable.append(file)
                    continue
                }
                var transfer: FileTransfer?
                if let announcement = record.chunks {
                    var state = FileTransfer(announcement)
                    let log = (try? FileContents.read(path(printerID: printerID, key: record.key, "chunks"))) ?? []
                    for start in stride(from: 0, to: log.count - log.count % 4, by: 4) {
                        let index = Int(log[start]) | Int(log[start + 1]) << 8 | Int(log[start + 2]) << 16 | Int(log[start + 3]) << 24
                        state.recorded(index: index)
                    }
                    transfer = state
                }
                deliveries.append((record, transfer))
            }
        }
        return (deliveries, unreadable)
    }

    /// The part file's length: where a download resumes.
    func partSize(printerID: String, key: String) -> Int64 {
        var info = stat()
        guard stat(path(printerID: printerID, key: key, "part"), &info) == 0 else { return 0 }
        return Int64(info.st_size)
    }

    /// The part file's SHA-256 and length. Reads the whole file: call it off the actors.
    func digest(printerID: String, key: String) throws(FleetCommandError) -> (sha256: String, sizeBytes: Int64) {
        let part = path(printerID: printerID, key: key, "part")
        let descriptor = open(part, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw storageError("cannot open \(part)") }
        defer { close(descriptor) }
        var hash = SHA256()
        var size: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw storageError("cannot read \(part)") }
            if count == 0 { break }
            hash.update(buffer[..<count])
            size += Int64(count)
        }
        return (hash.finalizeHex(), size)
    }

    /// Removes the delivery's files (whichever exist).
    func remove(printerID: String, key: String) {
        for suffix in ["part", "chunks", "json"] { unlink(path(printerID: printerID, key: key, suffix)) }
    }

    private func writeFile(_ file: String, _ bytes: [UInt8], mode: Int32) throws(FleetCommandError) {
        let descriptor = open(file, O_WRONLY | O_CREAT | O_CLOEXEC | mode, 0o640)
        guard descriptor >= 0 else { throw storageError("cannot open \(file)") }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress.map { $0 + written }, bytes.count - written) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw storageError("cannot write \(file)") }
            written += count
        }
        if mode == O_TRUNC, fsync(descriptor) != 0 { throw storageError("cannot flush \(file) to disk") }
    }

    /// "what: reason — what to do", with errno read at once.
    private func storageError(_ what: String) -> FleetCommandError {
        let reason = errno == ENOSPC ? "the disk is full" : String(cString: strerror(errno))
        return FleetCommandError(.storage, "\(what): \(reason); check the space and permissions of `transfer_directory` (\(directory))")
    }
}
