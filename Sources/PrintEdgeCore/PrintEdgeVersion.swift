/// The release every binary reports (`--version`), `printedged` logs at start and the
/// control socket's `status` carries, so a CLI and a daemon of different releases can tell.
///
/// One constant, raised when a release is cut. It holds no git commit: SwiftPM can only put
/// one into the build through a build plugin, and a plugin that shells out to git on every
/// build (and fails in a tarball) costs more than `git describe` beside the checkout does.
public enum PrintEdgeVersion {
    public static let number = "0.9.0"
}
