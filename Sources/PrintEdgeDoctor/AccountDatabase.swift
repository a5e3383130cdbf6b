/// `/etc/passwd` and `/etc/group` of the host (or the fake tree), for names and memberships.
/// The daemon's user comes from these files, not from NSS: its account is a system one,
/// made by systemd-sysusers in those files (systemd/printedge.sysusers).
struct AccountDatabase: Sendable {
    struct User: Sendable, Equatable {
        var name: String
        var uid: UInt32
        var gid: UInt32
    }

    struct Group: Sendable, Equatable {
        var name: String
        var gid: UInt32
        var members: [String]
    }

    var users: [User]
    var groups: [Group]

    init(tree: HostTree) {
        users = Self.records(tree.read("/etc/passwd")).compactMap { fields in
            guard fields.count >= 4, let uid = UInt32(fields[2]), let gid = UInt32(fields[3]) else { return nil }
            return User(name: fields[0], uid: uid, gid: gid)
        }
        groups = Self.records(tree.read("/etc/group")).compactMap { fields in
            guard fields.count >= 3, let gid = UInt32(fields[2]) else { return nil }
            let members = fields.count > 3 ? fields[3].split(separator: ",").map(String.init) : []
            return Group(name: fields[0], gid: gid, members: members)
        }
    }

    func user(named name: String) -> User? { users.first { $0.name == name } }
    func user(uid: UInt32) -> User? { users.first { $0.uid == uid } }
    func group(named name: String) -> Group? { groups.first { $0.name == name } }

    /// `dialout`, or the number when the group has no name here.
    func groupName(_ gid: UInt32) -> String { groups.first { $0.gid == gid }?.name ?? String(gid) }

    /// The groups `/etc/group` lists `user` in.
    func memberships(of user: String) -> [UInt32] {
        groups.filter { $0.members.contains(user) }.map(\.gid)
    }

    private static func records(_ text: String?) -> [[String]] {
        (text ?? "").split(separator: "\n").filter { !$0.hasPrefix("#") }.map {
            $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        }
    }
}
