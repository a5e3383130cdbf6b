import ArgumentParser

/// Flags every section takes.
struct CommonOptions: ParsableArguments {
    @Option(help: "Directory holding printedge and printedge-sim (default: the bench's own directory).")
    var binDir: String?

    @Flag(help: "Fewer lines and a 10 MB memory file: a few minutes instead of about half an hour.")
    var quick = false

    @Option(help: "Where to write the markdown copy of the tables.")
    var results = "bench/results/latest.md"
}
