import Foundation

/// Starts `executable` with `posix_spawn`, clean: an empty signal mask, every signal at its
/// default action, and none of the test process's descriptors but 0, 1 and 2 (after
/// `actions`, which set those up). Returns its pid; the caller reaps it.
///
/// For the children `Process` (`ChildProcess`, `ToolRun`) cannot start: a child inherits its
/// parent's signal mask, and the test runner's threads block SIGTERM, SIGINT, SIGHUP and
/// SIGCHLD — mosquitto waits for them with `epoll_pwait` under the mask it started with, a tmux
/// server with SIGCHLD blocked never ends. And `Process` learns of a child's end from a
/// descriptor the child inherits, which a daemonising child (tmux) keeps open.
///
/// The descriptors: tests run in parallel in one process, and Foundation's `Pipe` is not
/// close-on-exec, so a broker started while another test reads a tool's output to its end
/// would hold that pipe's write end, and the reader would wait for end-of-file as long as the
/// broker runs. (printedged's `InheritedDescriptors` does the same for its simulators.)
public func spawnClean(_ executable: String, _ arguments: [String], actions: inout posix_spawn_file_actions_t,
                       environment: [String]? = nil) throws -> pid_t {
    closeInheritedDescriptors(in: &actions)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t()
    sigemptyset(&none)
    var all = sigset_t()
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    var envp = (environment ?? []).map { strdup($0) } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var pid: pid_t = 0
    let code = environment == nil
        ? posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        : posix_spawn(&pid, executable, &actions, &attributes, argv, &envp)
    guard code == 0 else { throw TestSetupError("posix_spawn \(executable): \(String(cString: strerror(code)))") }
    return pid
}

/// Adds the closing of every descriptor from 3 up. Actions run in order: this comes after
/// any `dup2` from a descriptor above 2.
private func closeInheritedDescriptors(in actions: inout posix_spawn_file_actions_t) {
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    // glibc 2.34; Swift's Glibc module leaves the GNU extensions out, so it is looked up.
    if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np"),
       unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, 3) == 0 {
        return
    }
    for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
        if let descriptor = Int32(name), descriptor > 2 { posix_spawn_file_actions_addclose(&actions, descriptor) }
    }
}
