import Glibc

/// The names in a directory, for spools, profile folders, sysfs and /dev scans.
public enum DirectoryListing {
    /// Names without `.` and `..`, sorted (readdir's order is the file system's, which tests
    /// and logs should not depend on); empty when the directory cannot be read, which every
    /// caller treats as "nothing there".
    public static func names(in directory: String) -> [String] {
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}
