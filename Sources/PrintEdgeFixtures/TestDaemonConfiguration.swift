/// The start of every `printedge.toml` a test daemon runs with: its state directory, the
/// repository's printer profiles, and telemetry sampled and written quickly, so a short test
/// print produces samples. Tests append their `[[printer]]`, `[gpio]` or `[mqtt]` tables.
/// The HTTP listener is off unless a test asks for one (`httpListen`, say "127.0.0.1:0" for
/// any free port): tests run side by side, and the default port is one.
public enum TestDaemonConfiguration {
    public static func header(stateDirectory: String, profileDirectory: String, httpListen: String = "off") -> String {
        """
        [daemon]
        state_directory = "\(stateDirectory)"
        profile_directories = ["\(profileDirectory)"]

        [telemetry]
        sample_interval_printing_s = 0.2
        sample_interval_idle_s = 0.5
        batch_max_rows = 20
        batch_max_age_s = 0.2

        [http]
        listen = "\(httpListen)"

        """
    }
}
